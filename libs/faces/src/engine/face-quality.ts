import type { FaceBox } from './face-provider';

/**
 * Face quality: the facts that decide whether a detected face is good enough to be judged at
 * all. A face below these limits is 'ignored' (neither authorised nor reported as a stranger),
 * because its embedding is not reliable.
 *
 * - faceSizePx: the smaller side of the tight face box, in pixels of the analysed image.
 * - sharpness: variance of the 4-neighbour Laplacian of the grey face crop resized to
 *   SHARPNESS_CROP_PX x SHARPNESS_CROP_PX. Resizing to a fixed size makes the figure comparable
 *   across face sizes (a small face upscaled to the crop size reads as soft, which is wanted).
 */
export interface QualityLimits {
  /** Faces whose smaller box side is below this are ignored. */
  minFaceSizePx: number;
  /** Faces whose sharpness is below this are ignored (skipped when a provider gives none). */
  minSharpness: number;
  /** Faces whose detector score is below this are ignored (0 = no check). */
  minDetectionScore?: number;
}

/** Side of the square grey crop on which sharpness is measured. */
export const SHARPNESS_CROP_PX = 112;

/**
 * Defaults from bench/face-thresholds.bench.ts (bench/results/face-thresholds.json, "suggested.
 * quality"): genuine faces shrunk into a 640x480 frame or Gaussian-blurred kept a similarity to
 * their enrolled photo >= 0.6 (unknownThreshold + 0.1) down to 31 px and to sharpness 7.7;
 * the limits add a 1.3x margin. Real photos measured 64-305 px and sharpness 110-2036;
 * real detector scores 0.55-0.97. Re-check on the site's own camera footage.
 */
export const DEFAULT_QUALITY_LIMITS: Readonly<Required<QualityLimits>> = Object.freeze({
  minFaceSizePx: 40,
  minSharpness: 15,
  minDetectionScore: 0.5,
});

/** The smaller side of a box, rounded down: the faceSizePx convention. */
export function faceSizeOf(box: FaceBox): number {
  return Math.floor(Math.min(box.width, box.height));
}

/**
 * Variance of the 4-neighbour Laplacian (0 1 0 / 1 -4 1 / 0 1 0) over the interior pixels of a
 * grey image, one byte per pixel, row-major. Flat or blurred images score low; crisp edges high.
 */
export function varianceOfLaplacian(grey: ArrayLike<number>, width: number, height: number): number {
  if (width < 3 || height < 3) return 0;
  if (grey.length < width * height) {
    throw new RangeError(`grey buffer holds ${grey.length} pixels, expected ${width * height}`);
  }
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  for (let y = 1; y < height - 1; y++) {
    const row = y * width;
    for (let x = 1; x < width - 1; x++) {
      const i = row + x;
      const lap = grey[i - width] + grey[i + width] + grey[i - 1] + grey[i + 1] - 4 * grey[i];
      sum += lap;
      sumSq += lap * lap;
      count++;
    }
  }
  const mean = sum / count;
  return sumSq / count - mean * mean;
}

export type QualityProblem = 'too_small' | 'too_blurry' | 'low_detection_score';

/**
 * The first quality problem of a face, or null when it passes. Missing facts are not held
 * against a face (a provider that reports no sharpness is not judged on it).
 */
export function qualityProblem(
  face: { score?: number; box?: FaceBox; quality?: { faceSizePx: number; sharpness?: number } },
  limits: QualityLimits,
): QualityProblem | null {
  const minScore = limits.minDetectionScore ?? 0;
  if (minScore > 0 && face.score !== undefined && face.score < minScore) return 'low_detection_score';
  const size = face.quality?.faceSizePx ?? (face.box ? faceSizeOf(face.box) : undefined);
  if (size !== undefined && size < limits.minFaceSizePx) return 'too_small';
  const sharpness = face.quality?.sharpness;
  if (sharpness !== undefined && sharpness < limits.minSharpness) return 'too_blurry';
  return null;
}
