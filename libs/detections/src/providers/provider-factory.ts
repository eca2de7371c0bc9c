import type { FaceProvider } from '@app/faces/engine/face-provider';
import { CodeProjectAiProvider } from './codeproject.client';
import { CompreFaceProvider } from './compreface.client';
import { HttpDetectionProvider } from './http-provider.client';

export type ExternalProviderKind = 'http' | 'compreface' | 'codeproject';

export const EXTERNAL_PROVIDER_KINDS: readonly ExternalProviderKind[] = ['http', 'compreface', 'codeproject'];

export interface ExternalProviderConfig {
  kind: ExternalProviderKind;
  /** Full detect URL for 'http'; base URL of the server for 'compreface' and 'codeproject'. */
  endpoint: string;
  apiKey?: string;
  /** Bound for one call. Default 10 000 ms. */
  timeoutMs?: number;
  /** health() reports degraded at or above this probe latency. Default 1 500 ms. */
  degradedAfterMs?: number;
  /** CompreFace only: `det_prob_threshold` and the similarity below which a match is reported unknown. */
  detProbThreshold?: number;
  minSimilarity?: number;
  /** CodeProject.AI / DeepStack only: `min_confidence` for recognition. */
  minConfidence?: number;
}

export type ExternalProvider = HttpDetectionProvider | CompreFaceProvider | CodeProjectAiProvider;

export function isExternalProviderKind(value: string): value is ExternalProviderKind {
  return (EXTERNAL_PROVIDER_KINDS as readonly string[]).includes(value);
}

/** Builds the client for a detection_provider_config row. Throws ProviderRejectedError for a bad endpoint. */
export function createExternalProvider(config: ExternalProviderConfig): ExternalProvider & FaceProvider {
  const common = { apiKey: config.apiKey, timeoutMs: config.timeoutMs, degradedAfterMs: config.degradedAfterMs };
  switch (config.kind) {
    case 'http':
      return new HttpDetectionProvider({ endpoint: config.endpoint, ...common });
    case 'compreface':
      return new CompreFaceProvider({
        baseUrl: config.endpoint,
        ...common,
        detProbThreshold: config.detProbThreshold,
        minSimilarity: config.minSimilarity,
      });
    case 'codeproject':
      return new CodeProjectAiProvider({ baseUrl: config.endpoint, ...common, minConfidence: config.minConfidence });
    default: {
      const unknownKind: never = config.kind;
      throw new Error(`Unknown detection provider kind: ${String(unknownKind)}`);
    }
  }
}
