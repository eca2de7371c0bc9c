import type { FaceBox } from './face-provider';
import { DEFAULT_QUALITY_LIMITS, qualityProblem, type QualityLimits, type QualityProblem } from './face-quality';

/**
 * Turning one detected face (plus its best registry match) into a decision.
 *
 *   ignored     quality too low to judge (too small, too blurry, weak detection)
 *   authorized  similarity >= matchThreshold
 *   unknown     everything else
 *
 * Two similarity thresholds:
 * - matchThreshold: at or above it the face is that person (authorized, conclusive).
 * - unknownThreshold (<= matchThreshold, defaults to it): below it the face is confidently a
 *   stranger (unknown, conclusive). Between the two the face is 'unknown' but NOT conclusive:
 *   it resembles someone without clearing the bar. Callers voting over several frames of one
 *   track should neither raise a stranger alert nor mark attendance on inconclusive frames
 *   alone; they wait for a conclusive frame. With unknownThreshold == matchThreshold every
 *   frame is conclusive.
 */
export interface ClassifyThresholds extends QualityLimits {
  matchThreshold: number;
  unknownThreshold?: number;
}

export type FaceDecision = 'authorized' | 'unknown' | 'ignored';

export type ClassifyReason = 'matched' | 'inconclusive' | 'below_threshold' | 'no_candidates' | 'no_embedding' | QualityProblem;

export interface FaceClassification {
  decision: FaceDecision;
  reason: ClassifyReason;
  /** False only for 'unknown' faces between unknownThreshold and matchThreshold. */
  conclusive: boolean;
  /** The similarity that was judged, when there was one. */
  similarity?: number;
}

/** What classification needs to know about a face: a DetectedFace fits, plus its match. */
export interface ClassifiableFace {
  score?: number;
  box?: FaceBox;
  quality?: { faceSizePx: number; sharpness?: number };
  /** Best match similarity; null/undefined when nothing was compared. */
  similarity?: number | null;
  /** False when the engine produced no embedding for this face (cannot be compared). */
  hasEmbedding?: boolean;
}

/**
 * Defaults for the built-in engine (Human faceres, cosine), from bench/face-thresholds.bench.ts
 * over 49 faces of 20 people (bench/results/face-thresholds.json):
 * - matchThreshold 0.65: worst different-person pair 0.615 (+0.03 margin): no false accept;
 *   same person across photos 0.67-0.69, one hard pair (heavy make-up) 0.53 is missed;
 *   frames of one video 0.69-0.96.
 * - unknownThreshold 0.5: under every same-person pair seen, so a genuine face is at worst
 *   inconclusive; 8 % of different-person pairs land in the inconclusive band.
 * Providers with other similarity scales need their own.
 */
export const DEFAULT_CLASSIFY_THRESHOLDS: Readonly<Required<ClassifyThresholds>> = Object.freeze({
  ...DEFAULT_QUALITY_LIMITS,
  matchThreshold: 0.65,
  unknownThreshold: 0.5,
});

export function classifyFace(face: ClassifiableFace, thresholds: ClassifyThresholds): FaceClassification {
  const match = thresholds.matchThreshold;
  const unknown = thresholds.unknownThreshold ?? match;
  if (unknown > match) {
    throw new RangeError(`unknownThreshold (${unknown}) must not exceed matchThreshold (${match})`);
  }

  const problem = qualityProblem(face, thresholds);
  if (problem) return { decision: 'ignored', reason: problem, conclusive: true };

  if (face.hasEmbedding === false) return { decision: 'ignored', reason: 'no_embedding', conclusive: true };

  const similarity = face.similarity;
  if (similarity === null || similarity === undefined || Number.isNaN(similarity)) {
    return { decision: 'unknown', reason: 'no_candidates', conclusive: true };
  }
  if (similarity >= match) return { decision: 'authorized', reason: 'matched', conclusive: true, similarity };
  if (similarity >= unknown) return { decision: 'unknown', reason: 'inconclusive', conclusive: false, similarity };
  return { decision: 'unknown', reason: 'below_threshold', conclusive: true, similarity };
}
