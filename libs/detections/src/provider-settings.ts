import { DEFAULT_CLASSIFY_THRESHOLDS } from '@app/faces/engine/classify';

/**
 * Runtime settings of the detection pipeline, stored in detection_provider_config.settings (an
 * operator changes them with PUT /detections/provider/config; no restart). The face thresholds are
 * read by FaceIndexService from the same object (top-level keys of the same names).
 */
export interface ProviderSettings {
  /** Similarity at or above which a face is that person (0..1). */
  matchThreshold: number;
  /** Similarity below which a face is confidently a stranger (0..matchThreshold). */
  unknownThreshold: number;
  /** Faces smaller than this (shorter side, px) are ignored. */
  minFaceSizePx: number;
  /** Faces blurrier than this (variance of the Laplacian) are ignored. */
  minSharpness: number;
  /** Detector confidence below which a face is ignored (0..1). */
  minDetectionScore: number;
  /** Frames of one person on one camera closer than this are one sighting (one row). */
  debounceSeconds: number;
  /** Bound of one provider call, ms. */
  timeoutMs: number;
  /** After an Unknown Face alert for a camera, no other is raised for it for this long. */
  unknownAlertCooldownSeconds: number;
}

export interface SettingRange {
  min: number;
  max: number;
  integer?: boolean;
}

export const SETTING_RANGES: Readonly<Record<keyof ProviderSettings, SettingRange>> = {
  matchThreshold: { min: 0, max: 1 },
  unknownThreshold: { min: 0, max: 1 },
  minFaceSizePx: { min: 0, max: 4096, integer: true },
  minSharpness: { min: 0, max: 100_000 },
  minDetectionScore: { min: 0, max: 1 },
  debounceSeconds: { min: 1, max: 3600, integer: true },
  timeoutMs: { min: 500, max: 30_000, integer: true },
  unknownAlertCooldownSeconds: { min: 0, max: 86_400, integer: true },
};

export const DEFAULT_PROVIDER_SETTINGS: Readonly<ProviderSettings> = Object.freeze({
  matchThreshold: DEFAULT_CLASSIFY_THRESHOLDS.matchThreshold,
  unknownThreshold: DEFAULT_CLASSIFY_THRESHOLDS.unknownThreshold,
  minFaceSizePx: DEFAULT_CLASSIFY_THRESHOLDS.minFaceSizePx,
  minSharpness: DEFAULT_CLASSIFY_THRESHOLDS.minSharpness,
  minDetectionScore: DEFAULT_CLASSIFY_THRESHOLDS.minDetectionScore,
  debounceSeconds: 10,
  timeoutMs: 10_000,
  unknownAlertCooldownSeconds: 300,
});

export const SETTING_KEYS = Object.keys(SETTING_RANGES) as (keyof ProviderSettings)[];

function valid(key: keyof ProviderSettings, v: unknown): v is number {
  const r = SETTING_RANGES[key];
  return typeof v === 'number' && Number.isFinite(v) && v >= r.min && v <= r.max && (!r.integer || Number.isInteger(v));
}

/**
 * The settings in force: stored values over the defaults, key by key; a missing or invalid stored
 * value (hand-edited row) falls back to its default, and unknownThreshold never exceeds matchThreshold.
 */
export function effectiveSettings(stored: Record<string, unknown> | null | undefined): ProviderSettings {
  const out: ProviderSettings = { ...DEFAULT_PROVIDER_SETTINGS };
  for (const key of SETTING_KEYS) {
    const v = stored?.[key];
    if (valid(key, v)) out[key] = v;
  }
  if (out.unknownThreshold > out.matchThreshold) out.unknownThreshold = out.matchThreshold;
  return out;
}

/**
 * Merges a partial update into the stored settings. Returns the new stored object (only keys
 * with a valid value, plus any unrelated keys already there) or a list of problems.
 */
export function mergeSettings(
  stored: Record<string, unknown> | null | undefined,
  patch: Partial<Record<keyof ProviderSettings, number | null>>,
): { settings: Record<string, unknown> } | { problems: string[] } {
  const next: Record<string, unknown> = { ...(stored ?? {}) };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(patch) as [keyof ProviderSettings, number | null | undefined][]) {
    if (!(key in SETTING_RANGES) || value === undefined) continue;
    if (value === null) {
      delete next[key]; // back to the default
      continue;
    }
    if (!valid(key, value)) {
      const r = SETTING_RANGES[key];
      problems.push(`settings.${key} must be ${r.integer ? 'an integer' : 'a number'} between ${r.min} and ${r.max}`);
      continue;
    }
    next[key] = value;
  }
  const eff = effectiveSettings(next);
  const rawMatch = next.matchThreshold;
  const rawUnknown = next.unknownThreshold;
  const match = typeof rawMatch === 'number' ? rawMatch : eff.matchThreshold;
  const unknown = typeof rawUnknown === 'number' ? rawUnknown : DEFAULT_PROVIDER_SETTINGS.unknownThreshold;
  if (problems.length === 0 && unknown > match) {
    problems.push(`settings.unknownThreshold (${unknown}) must not exceed settings.matchThreshold (${match})`);
  }
  return problems.length ? { problems } : { settings: next };
}
