import {
  ProviderRejectedError,
  ProviderUnavailableError,
  type DetectedFace,
  type FaceAnalysis,
  type FaceProvider,
  type ProviderHealth,
} from '@app/faces/engine/face-provider';
import { readImageSize, uploadNameFor } from './image-size';
import {
  CallHistory,
  DEFAULT_DEGRADED_AFTER_MS,
  asArray,
  asNumber,
  asString,
  clamp01,
  errorForStatus,
  isRecord,
  normaliseBaseUrl,
  probeHealth,
  providerMessage,
  sendProviderRequest,
  tracked,
  validTimeout,
  type ProviderResponse,
} from './provider-http';
import { redactSecrets } from './redact';

/** CompreFace error code for "No face is found in the given image" (HTTP 400), NO_FACES_FOUND. */
export const COMPREFACE_NO_FACES_FOUND = 28;
/** CompreFace error code for an unknown API key (HTTP 404), MODEL_NOT_FOUND. */
export const COMPREFACE_MODEL_NOT_FOUND = 10;
/** CompreFace error code for a missing header (HTTP 400), MISSING_REQUEST_HEADER. */
export const COMPREFACE_MISSING_REQUEST_HEADER = 20;

export interface CompreFaceProviderConfig {
  /** Base URL of the CompreFace API, e.g. http://compreface:8000 (paths /api/v1/... are appended). */
  baseUrl: string;
  /** API key of a Face Recognition service, sent as `x-api-key`. */
  apiKey?: string;
  /** Bound for one call, headers and body included. Default 10 000 ms. */
  timeoutMs?: number;
  /** health() reports degraded when the probe takes at least this long. Default 1 500 ms. */
  degradedAfterMs?: number;
  /** `limit`: most faces recognised per image, biggest first; 0 = no limit (default). */
  limit?: number;
  /** `det_prob_threshold` 0..1; CompreFace's own default when not set. */
  detProbThreshold?: number;
  /**
   * CompreFace always names the closest subject, however far. When set, a best match below this
   * similarity is reported as unknown (no subject); by default the caller applies its threshold.
   */
  minSimilarity?: number;
}

/**
 * Client for the CompreFace Face Recognition service (REST API v1):
 * - recognize: POST /api/v1/recognition/recognize?limit=&prediction_count=1[&det_prob_threshold=], multipart `file`;
 *   HTTP 400 with code 28 means no face in the image and maps to an empty result;
 * - enrol: DELETE the subject's examples, then POST /api/v1/recognition/faces?subject= per image
 *   (enrol replaces the subject's gallery, as on CodeProject.AI);
 * - forget: DELETE /api/v1/recognition/faces?subject= (never without a subject: that would erase everyone);
 * - health: GET /api/v1/recognition/faces?size=1, which also proves the key.
 * Bad key (400/401/403/404 from the key filter) -> ProviderRejectedError; 5xx/timeout -> ProviderUnavailableError.
 */
export class CompreFaceProvider implements FaceProvider {
  readonly kind = 'compreface';
  readonly modelName = 'compreface';
  readonly modelVersion = 'v1';
  readonly producesEmbeddings = false;

  private readonly baseUrl: string;
  private readonly apiKey?: string;
  private readonly timeoutMs: number;
  private readonly degradedAfterMs: number;
  private readonly limit: number;
  private readonly detProbThreshold?: number;
  private readonly minSimilarity?: number;
  private readonly history = new CallHistory();

  constructor(config: CompreFaceProviderConfig) {
    this.baseUrl = normaliseBaseUrl(config.baseUrl, 'CompreFace');
    this.apiKey = config.apiKey || undefined;
    this.timeoutMs = validTimeout(config.timeoutMs);
    this.degradedAfterMs = config.degradedAfterMs ?? DEFAULT_DEGRADED_AFTER_MS;
    this.limit = config.limit !== undefined && config.limit >= 0 ? Math.floor(config.limit) : 0;
    this.detProbThreshold = config.detProbThreshold;
    this.minSimilarity = config.minSimilarity;
  }

  analyze(image: Buffer, opts?: { signal?: AbortSignal }): Promise<FaceAnalysis> {
    return tracked(this.history, async () => {
      const query = new URLSearchParams({ limit: String(this.limit), prediction_count: '1' });
      if (this.detProbThreshold !== undefined) query.set('det_prob_threshold', String(this.detProbThreshold));
      const res = await this.call('recognize', 'POST', `/api/v1/recognition/recognize?${query}`, imageForm(image), opts?.signal);
      const size = readImageSize(image);
      const base = {
        width: size?.width ?? 0,
        height: size?.height ?? 0,
        latencyMs: res.latencyMs,
        raw: redactSecrets(res.json, [this.apiKey]),
      };
      if (isNoFace(res)) return { faces: [], ...base };
      this.ensureOk('recognize', res);
      return { faces: parseRecognition(res.json, this.minSimilarity), ...base };
    });
  }

  /** Replaces the subject's examples with `images` (one POST per image, each must show one face). */
  enrol(subject: string, images: Buffer[]): Promise<void> {
    return tracked(this.history, async () => {
      requireSubject(subject);
      if (images.length === 0) throw new ProviderRejectedError('CompreFace add example: no images to enrol');
      await this.deleteSubjectFaces(subject);
      for (const [index, image] of images.entries()) {
        const query = new URLSearchParams({ subject });
        if (this.detProbThreshold !== undefined) query.set('det_prob_threshold', String(this.detProbThreshold));
        const res = await this.call('add example', 'POST', `/api/v1/recognition/faces?${query}`, imageForm(image, `face-${index + 1}`));
        if (isNoFace(res))
          throw new ProviderRejectedError(`CompreFace add example: no face found in image ${index + 1} of ${images.length}`, res.status);
        this.ensureOk('add example', res);
      }
    });
  }

  /** Deletes every example of the subject; a subject CompreFace does not know is not an error. */
  forget(subject: string): Promise<void> {
    return tracked(this.history, async () => {
      requireSubject(subject);
      await this.deleteSubjectFaces(subject);
    });
  }

  health(): Promise<ProviderHealth> {
    return probeHealth(() => this.call('health', 'GET', '/api/v1/recognition/faces?page=0&size=1'), {
      label: 'CompreFace',
      degradedAfterMs: this.degradedAfterMs,
      history: this.history,
      secrets: [this.apiKey],
      accepted: (res) => res.status === 200 && isRecord(res.json) && Array.isArray(res.json.faces),
      keyRefused: isKeyRefused,
    });
  }

  private async deleteSubjectFaces(subject: string): Promise<void> {
    const res = await this.call('delete examples', 'DELETE', `/api/v1/recognition/faces?${new URLSearchParams({ subject })}`);
    this.ensureOk('delete examples', res);
  }

  private call(
    what: string,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: FormData,
    signal?: AbortSignal,
  ): Promise<ProviderResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.apiKey) headers['x-api-key'] = this.apiKey;
    return sendProviderRequest({
      url: `${this.baseUrl}${path}`,
      method,
      headers,
      body,
      timeoutMs: this.timeoutMs,
      signal,
      secrets: [this.apiKey],
      label: `CompreFace ${what}`,
    });
  }

  private ensureOk(what: string, res: ProviderResponse): void {
    if (res.status >= 200 && res.status < 300) return;
    if (isKeyRefused(res)) {
      throw new ProviderRejectedError(
        `CompreFace ${what}: the API key was refused (HTTP ${res.status}: ${providerMessage(res, [this.apiKey])})`,
        res.status,
      );
    }
    throw errorForStatus(`CompreFace ${what}`, res, [this.apiKey]);
  }
}

function imageForm(image: Buffer, base = 'frame'): FormData {
  const { filename, type } = uploadNameFor(image, base);
  const form = new FormData();
  form.append('file', new Blob([image], { type }), filename);
  return form;
}

function requireSubject(subject: string): void {
  // DELETE /faces without a subject erases the whole collection: never let an empty one through.
  if (typeof subject !== 'string' || subject.trim() === '') {
    throw new ProviderRejectedError('CompreFace: subject (employee id) is required');
  }
}

function errorCode(res: ProviderResponse): number | undefined {
  return isRecord(res.json) ? asNumber(res.json.code) : undefined;
}

function isNoFace(res: ProviderResponse): boolean {
  return res.status === 400 && errorCode(res) === COMPREFACE_NO_FACES_FOUND;
}

/** The key filter answers 404 code 10 (unknown key), 400 "Model key should be UUID", or 400 code 20 (no header). */
function isKeyRefused(res: ProviderResponse): boolean {
  if (res.status === 401 || res.status === 403) return true;
  const code = errorCode(res);
  if (res.status === 404 && code === COMPREFACE_MODEL_NOT_FOUND) return true;
  if (res.status !== 400) return false;
  if (code === COMPREFACE_MISSING_REQUEST_HEADER) return true;
  const message = isRecord(res.json) ? (asString(res.json.message) ?? '') : '';
  return /api key|model key/i.test(message);
}

/** Maps `{result: [{box: {probability, x_min, y_min, x_max, y_max}, subjects: [{subject, similarity}]}]}`. */
export function parseRecognition(body: unknown, minSimilarity?: number): DetectedFace[] {
  if (!isRecord(body) || !Array.isArray(body.result)) {
    throw new ProviderUnavailableError('CompreFace recognize: answer has no "result" array');
  }
  const faces: DetectedFace[] = [];
  for (const item of asArray(body.result)) {
    if (!isRecord(item) || !isRecord(item.box)) continue;
    const xMin = asNumber(item.box.x_min);
    const yMin = asNumber(item.box.y_min);
    const xMax = asNumber(item.box.x_max);
    const yMax = asNumber(item.box.y_max);
    if (xMin === undefined || yMin === undefined || xMax === undefined || yMax === undefined) continue;
    const width = Math.max(0, xMax - xMin);
    const height = Math.max(0, yMax - yMin);
    const face: DetectedFace = {
      box: { top: yMin, left: xMin, width, height },
      score: clamp01(asNumber(item.box.probability) ?? 0),
      quality: { faceSizePx: Math.min(width, height) },
    };
    const best = bestSubject(item.subjects);
    if (best && (minSimilarity === undefined || best.similarity >= minSimilarity)) {
      face.subject = best.subject;
      face.similarity = best.similarity;
    }
    faces.push(face);
  }
  return faces;
}

function bestSubject(subjects: unknown): { subject: string; similarity: number } | undefined {
  let best: { subject: string; similarity: number } | undefined;
  for (const s of asArray(subjects)) {
    if (!isRecord(s)) continue;
    const subject = asString(s.subject);
    const similarity = asNumber(s.similarity);
    if (!subject || similarity === undefined) continue;
    if (!best || similarity > best.similarity) best = { subject, similarity: clamp01(similarity) };
  }
  return best;
}
