import { describe, expect, it } from '@jest/globals';
import { DEFAULT_PROVIDER_SETTINGS, effectiveSettings, mergeSettings } from './provider-settings';

describe('provider settings', () => {
  it('fills missing or invalid stored values with the defaults', () => {
    expect(effectiveSettings({})).toEqual(DEFAULT_PROVIDER_SETTINGS);
    expect(effectiveSettings(null)).toEqual(DEFAULT_PROVIDER_SETTINGS);
    const eff = effectiveSettings({ matchThreshold: 0.8, debounceSeconds: 'ten', timeoutMs: 10, minFaceSizePx: 12.5, other: true });
    expect(eff).toEqual({ ...DEFAULT_PROVIDER_SETTINGS, matchThreshold: 0.8 });
  });

  it('never lets unknownThreshold exceed matchThreshold in force', () => {
    expect(effectiveSettings({ matchThreshold: 0.4 }).unknownThreshold).toBe(0.4);
  });

  it('merges a patch, keeps unrelated keys, resets a key with null', () => {
    const merged = mergeSettings({ debounceSeconds: 5, vendorOption: 'x' }, { matchThreshold: 0.7, debounceSeconds: null });
    expect(merged).toEqual({ settings: { vendorOption: 'x', matchThreshold: 0.7 } });
  });

  it('reports every problem of a patch', () => {
    expect(mergeSettings({}, { matchThreshold: 2, timeoutMs: 100.5 })).toEqual({
      problems: ['settings.matchThreshold must be a number between 0 and 1', 'settings.timeoutMs must be an integer between 500 and 30000'],
    });
    expect(mergeSettings({ matchThreshold: 0.6 }, { unknownThreshold: 0.62 })).toEqual({
      problems: ['settings.unknownThreshold (0.62) must not exceed settings.matchThreshold (0.6)'],
    });
    // Lowering the match threshold below the default unknown threshold needs the unknown one too.
    expect('problems' in mergeSettings({}, { matchThreshold: 0.45 })).toBe(true);
    expect(mergeSettings({}, { matchThreshold: 0.45, unknownThreshold: 0.4 })).toEqual({
      settings: { matchThreshold: 0.45, unknownThreshold: 0.4 },
    });
  });
});
