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

/** userid CodeProject.AI / DeepStack give a face that matches nobody in the gallery. */
export const CODEPROJECT_UNKNOWN = 'unknown';

export interface CodeProjectAiProviderConfig {
  /** Base URL of CodeProject.AI Server or DeepStack, e.g. http://cpai:32168 (paths /v1/vision/face/... are appended). */
  baseUrl: string;
  /** DeepStack's API key, sent as the `api_key` form field (CodeProject.AI itself has none). */
  apiKey?: string;
  /** Bound for one call, headers and body included. Default 10 000 ms. */
  timeoutMs?: number;
  /** health() reports degraded when the probe takes at least this long. Default 1 500 ms. */
  degradedAfterMs?: number;
  /** `min_confidence` 0..1 for recognize: below it the server answers 'unknown'. Server default (0.67) when unset. */
  minConfidence?: number;
}

/**
 * Client for the face API of CodeProject.AI Server and DeepStack (same routes and shapes):
 * - recognize: POST /v1/vision/face/recognize, multipart `image` (+ `min_confidence`), answer
 *   `{success, predictions: [{userid, confidence, x_min, y_min, x_max, y_max}]}`, userid 'unknown' = unknown.
 *   No face: CodeProject.AI answers `{success: false, error: 'No face found in image'}`, DeepStack
 *   `{success: true, predictions: []}`; both map to an empty result.
 * - enrol: POST /v1/vision/face/register with `userid` and `image1..imageN`. The server stores one
 *   averaged embedding per user and each call replaces it, so all of the person's images go in one call.
 * - forget: POST /v1/vision/face/delete with `userid`.
 * - health: POST /v1/vision/face/list.
 * `success: false` is an error unless it means "no face": image/parameter/key errors are rejections,
 * anything else (model not loaded, processing error) is treated as the server being unavailable.
 *
 * The recognize answer carries no detector score, only the match confidence; `score` is therefore
 * 1 for every face the server's detector kept.
 */
export class CodeProjectAiProvider implements FaceProvider {
  readonly kind = 'codeproject';
  readonly modelName = 'codeproject-ai-face';
  readonly modelVersion = 'v1';
  readonly producesEmbeddings = false;

  private readonly baseUrl: string;
  private readonly apiKey?: string;
  private readonly timeoutMs: number;
  private readonly degradedAfterMs: number;
  private readonly minConfidence?: number;
  private readonly history = new CallHistory();

  constructor(config: CodeProjectAiProviderConfig) {
    this.baseUrl = normaliseBaseUrl(config.baseUrl, 'CodeProject.AI');
    this.apiKey = config.apiKey || undefined;
    this.timeoutMs = validTimeout(config.timeoutMs);
    this.degradedAfterMs = config.degradedAfterMs ?? DEFAULT_DEGRADED_AFTER_MS;
    this.minConfidence = config.minConfidence;
  }

  analyze(image: Buffer, opts?: { signal?: AbortSignal }): Promise<FaceAnalysis> {
    return tracked(this.history, async () => {
      const form = this.form();
      const { filename, type } = uploadNameFor(image);
      form.append('image', new Blob([image], { type }), filename);
      if (this.minConfidence !== undefined) form.append('min_confidence', String(this.minConfidence));
      const res = await this.call('recognize', '/v1/vision/face/recognize', form, opts?.signal);
      const size = readImageSize(image);
      const base = {
        width: size?.width ?? 0,
        height: size?.height ?? 0,
        latencyMs: res.latencyMs,
        raw: redactSecrets(res.json, [this.apiKey]),
      };
      if (isNoFace(res)) return { faces: [], ...base };
      this.ensureSuccess('recognize', res);
      return { faces: parsePredictions(res.json), ...base };
    });
  }

  /** Registers all images of the person in one call, replacing whatever the server held for them. */
  enrol(subject: string, images: Buffer[]): Promise<void> {
    return tracked(this.history, async () => {
      requireUserId(subject);
      if (images.length === 0) throw new ProviderRejectedError('CodeProject.AI register: no images to enrol');
      const form = this.form();
      form.append('userid', subject);
      for (const [index, image] of images.entries()) {
        const { filename, type } = uploadNameFor(image, `face-${index + 1}`);
        // Distinct field names: DeepStack keeps one file per field name.
        form.append(`image${index + 1}`, new Blob([image], { type }), filename);
      }
      const res = await this.call('register', '/v1/vision/face/register', form);
      if (isNoFace(res))
        throw new ProviderRejectedError(
          `CodeProject.AI register: ${providerMessage(res, [this.apiKey]) || 'no face detected'}`,
          res.status,
        );
      this.ensureSuccess('register', res);
    });
  }

  forget(subject: string): Promise<void> {
    return tracked(this.history, async () => {
      requireUserId(subject);
      const form = this.form();
      form.append('userid', subject);
      const res = await this.call('delete', '/v1/vision/face/delete', form);
      this.ensureSuccess('delete', res);
    });
  }

  health(): Promise<ProviderHealth> {
    return probeHealth(() => this.call('health', '/v1/vision/face/list', this.form()), {
      label: 'CodeProject.AI',
      degradedAfterMs: this.degradedAfterMs,
      history: this.history,
      secrets: [this.apiKey],
      accepted: (res) => res.status === 200 && isRecord(res.json) && res.json.success === true,
      keyRefused: (res) => /api key/i.test(providerMessage(res, [this.apiKey])),
    });
  }

  private form(): FormData {
    const form = new FormData();
    if (this.apiKey) form.append('api_key', this.apiKey);
    return form;
  }

  private call(what: string, path: string, body: FormData, signal?: AbortSignal): Promise<ProviderResponse> {
    return sendProviderRequest({
      url: `${this.baseUrl}${path}`,
      method: 'POST',
      headers: { accept: 'application/json' },
      body,
      timeoutMs: this.timeoutMs,
      signal,
      secrets: [this.apiKey],
      label: `CodeProject.AI ${what}`,
    });
  }

  /** Throws unless the answer is HTTP 2xx with `success: true`. */
  private ensureSuccess(what: string, res: ProviderResponse): void {
    const label = `CodeProject.AI ${what}`;
    const ok2xx = res.status >= 200 && res.status < 300;
    if (ok2xx && isRecord(res.json) && res.json.success === true) return;
    if (!ok2xx) throw errorForStatus(label, res, [this.apiKey]);
    const message = providerMessage(res, [this.apiKey]);
    if (!isRecord(res.json)) throw new ProviderUnavailableError(`${label}: answer is not JSON`, { status: res.status });
    if (isRequestFault(message)) throw new ProviderRejectedError(`${label}: ${message}`, res.status);
    throw new ProviderUnavailableError(`${label}: ${message || 'success=false'}`, { status: res.status });
  }
}

function requireUserId(subject: string): void {
  if (typeof subject !== 'string' || subject.trim() === '') {
    throw new ProviderRejectedError('CodeProject.AI: userid (employee id) is required');
  }
}

/** No face: CodeProject.AI "No face found in image", register "No face detected", DeepStack "no face detected". */
function isNoFace(res: ProviderResponse): boolean {
  if (!isRecord(res.json) || res.json.success !== false) return false;
  const error = asString(res.json.error) ?? asString(res.json.message) ?? '';
  return /no face (found|detected)/i.test(error);
}

/** Errors caused by what we sent (image, parameters, key): a retry would fail the same way. */
function isRequestFault(message: string): boolean {
  return /api key|invalid image|unknown type|no valid image|not specified|min_confidence|invalid value/i.test(message);
}

/** Maps `{success: true, predictions: [{userid, confidence, x_min, y_min, x_max, y_max}]}`. */
export function parsePredictions(body: unknown): DetectedFace[] {
  if (!isRecord(body) || body.success !== true) {
    throw new ProviderUnavailableError('CodeProject.AI recognize: answer is not a successful result');
  }
  const faces: DetectedFace[] = [];
  for (const item of asArray(body.predictions)) {
    if (!isRecord(item)) continue;
    const xMin = asNumber(item.x_min);
    const yMin = asNumber(item.y_min);
    const xMax = asNumber(item.x_max);
    const yMax = asNumber(item.y_max);
    if (xMin === undefined || yMin === undefined || xMax === undefined || yMax === undefined) continue;
    const width = Math.max(0, xMax - xMin);
    const height = Math.max(0, yMax - yMin);
    const face: DetectedFace = {
      box: { top: yMin, left: xMin, width, height },
      score: 1,
      quality: { faceSizePx: Math.min(width, height) },
    };
    const userid = asString(item.userid);
    if (userid && userid.toLowerCase() !== CODEPROJECT_UNKNOWN) {
      face.subject = userid;
      face.similarity = clamp01(asNumber(item.confidence) ?? 0);
    }
    faces.push(face);
  }
  return faces;
}
