import {
  ProviderUnavailableError,
  type DetectedFace,
  type FaceAnalysis,
  type FaceProvider,
  type ProviderHealth,
} from '@app/faces/engine/face-provider';
import { PROBE_JPEG, readImageSize, uploadNameFor } from './image-size';
import {
  CallHistory,
  DEFAULT_DEGRADED_AFTER_MS,
  asArray,
  asNumber,
  asString,
  clamp01,
  errorForStatus,
  isRecord,
  probeHealth,
  sendProviderRequest,
  tracked,
  validTimeout,
  validateEndpoint,
  type ProviderResponse,
} from './provider-http';
import { redactSecrets } from './redact';

export interface HttpDetectionProviderConfig {
  /** Full URL the frame is POSTed to, e.g. http://localhost:8001/detect. */
  endpoint: string;
  /** Sent as `Authorization: Bearer <key>` and `x-api-key: <key>`. */
  apiKey?: string;
  /** Bound for one call, headers and body included. Default 10 000 ms. */
  timeoutMs?: number;
  /** health() reports degraded when the probe takes at least this long. Default 1 500 ms. */
  degradedAfterMs?: number;
}

/**
 * The spec's generic detection provider: POST the frame as multipart field `image`, answer
 * `{detections: [{personId, name, confidence (0-100), boundingBox: {top,left,width,height}, trackId?}]}`
 * with personId null for an unknown person.
 *
 * The provider keeps its own gallery and offers no enrolment API: enrol() and forget() are
 * deliberate no-ops, so people must be registered on the provider's side.
 * Names and track ids are not part of DetectedFace; they stay available in `raw`.
 */
export class HttpDetectionProvider implements FaceProvider {
  readonly kind = 'http';
  readonly modelName = 'http-detection';
  readonly modelVersion = 'v1';
  readonly producesEmbeddings = false;

  private readonly endpoint: string;
  private readonly apiKey?: string;
  private readonly timeoutMs: number;
  private readonly degradedAfterMs: number;
  private readonly history = new CallHistory();

  constructor(config: HttpDetectionProviderConfig) {
    this.endpoint = validateEndpoint(config.endpoint, 'Detection provider').toString();
    this.apiKey = config.apiKey || undefined;
    this.timeoutMs = validTimeout(config.timeoutMs);
    this.degradedAfterMs = config.degradedAfterMs ?? DEFAULT_DEGRADED_AFTER_MS;
  }

  analyze(image: Buffer, opts?: { signal?: AbortSignal }): Promise<FaceAnalysis> {
    return tracked(this.history, async () => {
      const res = await this.post(image, opts?.signal);
      if (res.status < 200 || res.status >= 300) throw errorForStatus('Detection provider', res, [this.apiKey]);
      const faces = parseDetections(res.json);
      const size = readImageSize(image);
      return {
        faces,
        width: size?.width ?? 0,
        height: size?.height ?? 0,
        latencyMs: res.latencyMs,
        raw: redactSecrets(res.json, [this.apiKey]),
      };
    });
  }

  /** Not supported by the generic API: the provider manages its gallery itself. */
  async enrol(_subject: string, _images: Buffer[]): Promise<void> {
    return;
  }

  /** Not supported by the generic API: the provider manages its gallery itself. */
  async forget(_subject: string): Promise<void> {
    return;
  }

  /** POSTs a tiny grey JPEG and times the answer; a face-less answer (even a 4xx) proves the service is up. */
  health(): Promise<ProviderHealth> {
    return probeHealth(() => this.post(PROBE_JPEG), {
      label: 'Detection provider',
      degradedAfterMs: this.degradedAfterMs,
      history: this.history,
      secrets: [this.apiKey],
      accepted: (res) => (res.status >= 200 && res.status < 300 ? parseable(res) : res.status >= 400 && res.status < 500),
    });
  }

  private post(image: Buffer, signal?: AbortSignal): Promise<ProviderResponse> {
    const { filename, type } = uploadNameFor(image);
    const form = new FormData();
    form.append('image', new Blob([image], { type }), filename);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.apiKey) {
      headers.authorization = `Bearer ${this.apiKey}`;
      headers['x-api-key'] = this.apiKey;
    }
    return sendProviderRequest({
      url: this.endpoint,
      method: 'POST',
      headers,
      body: form,
      timeoutMs: this.timeoutMs,
      signal,
      secrets: [this.apiKey],
      label: 'Detection provider',
    });
  }
}

function parseable(res: ProviderResponse): boolean {
  return isRecord(res.json) && Array.isArray(res.json.detections);
}

/** Maps the generic answer; a body without a `detections` array is a provider fault. */
export function parseDetections(body: unknown): DetectedFace[] {
  if (!isRecord(body) || !Array.isArray(body.detections)) {
    throw new ProviderUnavailableError('Detection provider: answer has no "detections" array');
  }
  const faces: DetectedFace[] = [];
  for (const item of asArray(body.detections)) {
    if (!isRecord(item) || !isRecord(item.boundingBox)) continue;
    const bb = item.boundingBox;
    const top = asNumber(bb.top);
    const left = asNumber(bb.left);
    const width = asNumber(bb.width);
    const height = asNumber(bb.height);
    if (top === undefined || left === undefined || width === undefined || height === undefined) continue;
    const confidence = clamp01((asNumber(item.confidence) ?? 0) / 100);
    const personId = asString(item.personId) ?? (typeof item.personId === 'number' ? String(item.personId) : undefined);
    const face: DetectedFace = {
      box: { top, left, width, height },
      score: confidence,
      quality: { faceSizePx: Math.min(width, height) },
    };
    if (personId) {
      face.subject = personId;
      face.similarity = confidence;
    }
    faces.push(face);
  }
  return faces;
}
