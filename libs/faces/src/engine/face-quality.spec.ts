import { describe, expect, it } from '@jest/globals';
import { faceSizeOf, qualityProblem, varianceOfLaplacian } from './face-quality';

function image(width: number, height: number, f: (x: number, y: number) => number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = f(x, y);
  return out;
}

describe('varianceOfLaplacian', () => {
  it('is 0 on a flat image and on a linear ramp (the Laplacian of a plane is 0)', () => {
    expect(
      varianceOfLaplacian(
        image(20, 20, () => 128),
        20,
        20,
      ),
    ).toBe(0);
    expect(
      varianceOfLaplacian(
        image(20, 20, (x) => 10 * x),
        20,
        20,
      ),
    ).toBe(0);
  });

  it('matches a hand-computed value on a checkerboard', () => {
    // Interior pixels of a 0/255 checkerboard: Laplacian is -1020 on 255s and +1020 on 0s.
    const w = 6;
    const h = 6;
    const board = image(w, h, (x, y) => ((x + y) % 2 === 0 ? 255 : 0));
    const values: number[] = [];
    for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) values.push((x + y) % 2 === 0 ? -1020 : 1020);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    expect(varianceOfLaplacian(board, w, h)).toBeCloseTo(variance, 6);
  });

  it('ranks a sharp edge above the same edge blurred', () => {
    const sharpEdge = image(32, 32, (x) => (x < 16 ? 0 : 255));
    const softEdge = image(32, 32, (x) => Math.round(255 / (1 + Math.exp(-(x - 16) / 3))));
    expect(varianceOfLaplacian(sharpEdge, 32, 32)).toBeGreaterThan(varianceOfLaplacian(softEdge, 32, 32));
  });

  it('returns 0 for images too small to have an interior, and rejects short buffers', () => {
    expect(varianceOfLaplacian(new Uint8Array(4), 2, 2)).toBe(0);
    expect(() => varianceOfLaplacian(new Uint8Array(10), 4, 4)).toThrow(RangeError);
  });
});

describe('qualityProblem', () => {
  const limits = { minFaceSizePx: 40, minSharpness: 20, minDetectionScore: 0.5 };

  it('passes a good face and names the first problem of a bad one', () => {
    expect(qualityProblem({ score: 0.9, quality: { faceSizePx: 80, sharpness: 100 } }, limits)).toBeNull();
    expect(qualityProblem({ score: 0.4, quality: { faceSizePx: 10, sharpness: 1 } }, limits)).toBe('low_detection_score');
    expect(qualityProblem({ score: 0.9, quality: { faceSizePx: 10, sharpness: 1 } }, limits)).toBe('too_small');
    expect(qualityProblem({ score: 0.9, quality: { faceSizePx: 80, sharpness: 1 } }, limits)).toBe('too_blurry');
  });

  it('uses the smaller box side when no quality is given', () => {
    expect(faceSizeOf({ left: 0, top: 0, width: 50.7, height: 90 })).toBe(50);
    expect(qualityProblem({ box: { left: 0, top: 0, width: 39, height: 90 } }, limits)).toBe('too_small');
  });
});
