import { describe, expect, it } from '@jest/globals';
import { classifyFace, DEFAULT_CLASSIFY_THRESHOLDS, type ClassifyThresholds } from './classify';

const T: ClassifyThresholds = {
  matchThreshold: 0.65,
  unknownThreshold: 0.5,
  minFaceSizePx: 40,
  minSharpness: 20,
  minDetectionScore: 0.5,
};
const good = { score: 0.9, quality: { faceSizePx: 120, sharpness: 150 } };

describe('classifyFace', () => {
  it('authorises at and above the match threshold', () => {
    expect(classifyFace({ ...good, similarity: 0.65 }, T)).toEqual({
      decision: 'authorized',
      reason: 'matched',
      conclusive: true,
      similarity: 0.65,
    });
    expect(classifyFace({ ...good, similarity: 0.93 }, T).decision).toBe('authorized');
  });

  it('is unknown but inconclusive between unknownThreshold and matchThreshold', () => {
    const r = classifyFace({ ...good, similarity: 0.6 }, T);
    expect(r).toEqual({ decision: 'unknown', reason: 'inconclusive', conclusive: false, similarity: 0.6 });
    expect(classifyFace({ ...good, similarity: 0.5 }, T).conclusive).toBe(false);
  });

  it('is a conclusive unknown below unknownThreshold, or when nothing was compared', () => {
    expect(classifyFace({ ...good, similarity: 0.49 }, T)).toMatchObject({
      decision: 'unknown',
      reason: 'below_threshold',
      conclusive: true,
    });
    expect(classifyFace({ ...good, similarity: null }, T)).toMatchObject({ decision: 'unknown', reason: 'no_candidates' });
    expect(classifyFace(good, T)).toMatchObject({ decision: 'unknown', reason: 'no_candidates' });
  });

  it('treats every non-match as conclusive when unknownThreshold is not set', () => {
    const { unknownThreshold: _unused, ...noUnknown } = T;
    expect(classifyFace({ ...good, similarity: 0.64 }, noUnknown)).toMatchObject({
      decision: 'unknown',
      reason: 'below_threshold',
      conclusive: true,
    });
  });

  it('ignores faces that are too small, too blurry or weakly detected, whatever the similarity', () => {
    expect(classifyFace({ ...good, quality: { faceSizePx: 39, sharpness: 150 }, similarity: 0.99 }, T)).toMatchObject({
      decision: 'ignored',
      reason: 'too_small',
    });
    expect(classifyFace({ ...good, quality: { faceSizePx: 120, sharpness: 19.9 }, similarity: 0.99 }, T)).toMatchObject({
      decision: 'ignored',
      reason: 'too_blurry',
    });
    expect(classifyFace({ ...good, score: 0.3, similarity: 0.99 }, T)).toMatchObject({
      decision: 'ignored',
      reason: 'low_detection_score',
    });
  });

  it('falls back to the box for size and skips the blur check when a provider gives no sharpness', () => {
    const small = { score: 0.9, box: { left: 0, top: 0, width: 30, height: 80 }, similarity: 0.9 };
    expect(classifyFace(small, T).reason).toBe('too_small');
    const noSharpness = { score: 0.9, quality: { faceSizePx: 100 }, similarity: 0.9 };
    expect(classifyFace(noSharpness, T).decision).toBe('authorized');
  });

  it('ignores a face the engine could not embed', () => {
    expect(classifyFace({ ...good, hasEmbedding: false }, T)).toMatchObject({ decision: 'ignored', reason: 'no_embedding' });
  });

  it('refuses an unknownThreshold above the matchThreshold', () => {
    expect(() => classifyFace({ ...good, similarity: 0.7 }, { ...T, unknownThreshold: 0.8 })).toThrow(RangeError);
  });

  it('ships consistent defaults', () => {
    const d = DEFAULT_CLASSIFY_THRESHOLDS;
    expect(d.unknownThreshold).toBeLessThanOrEqual(d.matchThreshold);
    expect(d.matchThreshold).toBeGreaterThan(0);
    expect(d.matchThreshold).toBeLessThan(1);
    expect(d.minFaceSizePx).toBeGreaterThan(0);
  });
});
