/**
 * The one contract every face engine implements: the built-in offline engine and the
 * third-party detection providers (generic HTTP, CompreFace, CodeProject.AI/DeepStack).
 *
 * Two families exist:
 * - embedding engines (the built-in one) return an embedding per face; matching against the
 *   registry happens in our own in-memory index;
 * - recognising providers (CompreFace, CodeProject.AI, generic HTTP) match on their side and return
 *   a subject (our employeeId) with a similarity; they keep their own gallery, fed through enrol/forget.
 */
export interface FaceBox {
  top: number;
  left: number;
  width: number;
  height: number;
}

export interface DetectedFace {
  /** Box in pixels of the analysed image (tight face box, not padded). */
  box: FaceBox;
  /** Detector confidence 0..1. */
  score: number;
  /** L2-normalised embedding (embedding engines only). */
  embedding?: number[];
  /** Set by recognising providers: our employeeId as their subject, and similarity 0..1. */
  subject?: string;
  similarity?: number;
  /** Quality facts used to decide "ignored" (too small / too blurry). */
  quality?: { faceSizePx: number; sharpness?: number };
}

export interface FaceAnalysis {
  faces: DetectedFace[];
  width: number;
  height: number;
  latencyMs: number;
  /** Provider's raw answer, secrets removed, for detection_event_logs.payload. */
  raw?: unknown;
}

export interface ProviderHealth {
  status: 'connected' | 'degraded' | 'offline';
  latencyMs: number;
  message: string;
}

export interface FaceProvider {
  /** e.g. 'builtin', 'http', 'compreface', 'codeproject'. */
  readonly kind: string;
  /** Model / API name and version stored beside embeddings, e.g. 'human-faceres@3.3.6'. */
  readonly modelName: string;
  readonly modelVersion: string;
  /** True when the provider returns embeddings that we match ourselves. */
  readonly producesEmbeddings: boolean;

  /** Detect (and embed or recognise) every face in an encoded image (JPEG/PNG/WebP). */
  analyze(image: Buffer, opts?: { signal?: AbortSignal }): Promise<FaceAnalysis>;

  /** Register a person's face images at the provider (no-op for embedding engines). */
  enrol?(subject: string, images: Buffer[]): Promise<void>;
  /** Erase a person from the provider's gallery (no-op for embedding engines). */
  forget?(subject: string): Promise<void>;

  health(): Promise<ProviderHealth>;
}

/** Error a provider throws for failures worth retrying (transport, 5xx, timeout). */
export class ProviderUnavailableError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'ProviderUnavailableError';
  }
}

/** Error a provider throws for failures that retrying will not fix (bad key, bad request). */
export class ProviderRejectedError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ProviderRejectedError';
  }
}
