import { createDotKernel, type DotKernel } from './dot-kernel';

/** One stored face embedding of one enrolled profile. */
export interface EmbeddingRecord {
  embeddingId: string;
  profileId: string;
  employeeId: string;
  name: string;
  /** Any length-`dimension` vector; it is L2-normalised on the way in. */
  vector: ArrayLike<number>;
}

export interface FaceMatch {
  profileId: string;
  employeeId: string;
  name: string;
  /** The profile's embedding that scored best. */
  embeddingId: string;
  /** Cosine similarity -1..1 (profile score = max over its embeddings). */
  similarity: number;
}

export interface FaceMatcherOptions {
  /** Fix the dimension up front; otherwise the first vector sets it. */
  dimension?: number;
  /** 'auto' uses WebAssembly SIMD when available; 'js' forces the plain-JS kernel. */
  kernel?: 'auto' | 'js';
}

interface ProfileEntry {
  profileId: string;
  employeeId: string;
  name: string;
  embeddingIds: Set<string>;
}

interface RowMeta {
  embeddingId: string;
  profile: ProfileEntry;
}

/**
 * In-memory nearest-profile index over L2-normalised embeddings.
 *
 * Vectors sit in one contiguous Float32 matrix (inside the dot kernel's memory) and a match is
 * one batched dot-product pass plus a scan for the best profiles: nothing big is allocated per
 * call. Removal swaps the last row into the hole, so rows stay dense. Not thread-safe; callers
 * in one Node process never need it to be.
 */
export class FaceMatcher {
  private kernel: DotKernel | null = null;
  private dim: number | null;
  private readonly kernelPref: 'auto' | 'js';
  private meta: RowMeta[] = [];
  private rowOf = new Map<string, number>();
  private profiles = new Map<string, ProfileEntry>();

  constructor(options: FaceMatcherOptions = {}) {
    this.kernelPref = options.kernel ?? 'auto';
    this.dim = options.dimension ?? null;
    if (this.dim !== null) assertDimension(this.dim);
  }

  /** Vector length, or null before the first vector when none was given. */
  get dimension(): number | null {
    return this.dim;
  }

  /** Number of embeddings held. */
  get size(): number {
    return this.meta.length;
  }

  get profileCount(): number {
    return this.profiles.size;
  }

  /** 'wasm-simd' or 'js' once a vector is held, else null. */
  get kernelKind(): DotKernel['kind'] | null {
    return this.kernel?.kind ?? null;
  }

  has(embeddingId: string): boolean {
    return this.rowOf.has(embeddingId);
  }

  /** Insert or replace one embedding (same embeddingId = replace vector and owner). */
  upsert(record: EmbeddingRecord): void {
    const kernel = this.kernelFor(record.vector.length);
    // Normalise first: a bad vector must leave the index untouched.
    const normalised = scratchFor(kernel);
    writeNormalised(record.vector, normalised, record.embeddingId);
    let row = this.rowOf.get(record.embeddingId);
    if (row === undefined) {
      row = this.meta.length;
      kernel.reserve(row + 1, row);
      this.rowOf.set(record.embeddingId, row);
      this.meta.push({ embeddingId: record.embeddingId, profile: this.attachToProfile(record) });
    } else {
      this.detachFromProfile(this.meta[row]);
      this.meta[row] = { embeddingId: record.embeddingId, profile: this.attachToProfile(record) };
    }
    kernel.rows().set(normalised, row * kernel.stride);
  }

  upsertMany(records: Iterable<EmbeddingRecord>): void {
    for (const r of records) this.upsert(r);
  }

  /** Remove one embedding; true when it was there. */
  removeEmbedding(embeddingId: string): boolean {
    const row = this.rowOf.get(embeddingId);
    if (row === undefined || !this.kernel) return false;
    const last = this.meta.length - 1;
    const stride = this.kernel.stride;
    const removed = this.meta[row];
    if (row !== last) {
      const rows = this.kernel.rows();
      rows.copyWithin(row * stride, last * stride, (last + 1) * stride);
      const moved = this.meta[last];
      this.meta[row] = moved;
      this.rowOf.set(moved.embeddingId, row);
    }
    this.meta.pop();
    this.rowOf.delete(embeddingId);
    this.detachFromProfile(removed);
    return true;
  }

  /** Remove every embedding of a profile; returns how many were removed. */
  removeProfile(profileId: string): number {
    const profile = this.profiles.get(profileId);
    if (!profile) return 0;
    const ids = [...profile.embeddingIds];
    for (const id of ids) this.removeEmbedding(id);
    return ids.length;
  }

  /**
   * Replace the whole index (e.g. a reload from the database). Validates every vector before
   * touching the current index; a different dimension is accepted (model change).
   */
  replaceAll(records: Iterable<EmbeddingRecord>): void {
    const list = [...records];
    const dim = list.length > 0 ? list[0].vector.length : this.dim;
    const next = new FaceMatcher({ dimension: dim ?? undefined, kernel: this.kernelPref });
    next.upsertMany(list);
    this.kernel = next.kernel;
    this.dim = next.dim;
    this.meta = next.meta;
    this.rowOf = next.rowOf;
    this.profiles = next.profiles;
  }

  clear(): void {
    this.meta = [];
    this.rowOf = new Map();
    this.profiles = new Map();
  }

  /**
   * The `k` best distinct profiles for a face embedding, best first. A profile's score is the
   * max cosine similarity over its embeddings. Empty when the index is empty.
   */
  match(vector: ArrayLike<number>, k = 1): FaceMatch[] {
    const n = this.meta.length;
    if (n === 0 || !this.kernel) return [];
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
    if (vector.length !== this.dim) {
      throw new RangeError(`query has ${vector.length} dimensions, index has ${this.dim}`);
    }
    const kernel = this.kernel;
    writeNormalised(vector, kernel.query(), 'query');
    const scores = kernel.score(n);

    if (k === 1) {
      let best = 0;
      let bestScore = scores[0];
      for (let r = 1; r < n; r++) {
        if (scores[r] > bestScore) {
          bestScore = scores[r];
          best = r;
        }
      }
      return [this.toMatch(best, bestScore)];
    }

    // Top-k distinct profiles: a small list, updated in place.
    const topRow: number[] = [];
    const topScore: number[] = [];
    let minIdx = -1;
    for (let r = 0; r < n; r++) {
      const s = scores[r];
      if (topRow.length === k && s <= topScore[minIdx]) continue;
      const profile = this.meta[r].profile;
      let same = -1;
      for (let i = 0; i < topRow.length; i++) {
        if (this.meta[topRow[i]].profile === profile) {
          same = i;
          break;
        }
      }
      if (same >= 0) {
        if (s <= topScore[same]) continue;
        topRow[same] = r;
        topScore[same] = s;
      } else if (topRow.length < k) {
        topRow.push(r);
        topScore.push(s);
      } else {
        topRow[minIdx] = r;
        topScore[minIdx] = s;
      }
      minIdx = 0;
      for (let i = 1; i < topScore.length; i++) if (topScore[i] < topScore[minIdx]) minIdx = i;
    }
    const order = topRow.map((_, i) => i).sort((a, b) => topScore[b] - topScore[a]);
    return order.map((i) => this.toMatch(topRow[i], topScore[i]));
  }

  /** The best profile, or null when the index is empty. */
  best(vector: ArrayLike<number>): FaceMatch | null {
    return this.match(vector, 1)[0] ?? null;
  }

  private toMatch(row: number, score: number): FaceMatch {
    const m = this.meta[row];
    return {
      profileId: m.profile.profileId,
      employeeId: m.profile.employeeId,
      name: m.profile.name,
      embeddingId: m.embeddingId,
      // Float32 rounding can nudge a self-match just above 1.
      similarity: Math.max(-1, Math.min(1, score)),
    };
  }

  private kernelFor(length: number): DotKernel {
    if (this.dim === null) {
      assertDimension(length);
      this.dim = length;
    } else if (length !== this.dim) {
      throw new RangeError(`vector has ${length} dimensions, index has ${this.dim}`);
    }
    if (!this.kernel) this.kernel = createDotKernel(this.dim, this.kernelPref);
    return this.kernel;
  }

  private attachToProfile(record: EmbeddingRecord): ProfileEntry {
    let profile = this.profiles.get(record.profileId);
    if (!profile) {
      profile = {
        profileId: record.profileId,
        employeeId: record.employeeId,
        name: record.name,
        embeddingIds: new Set(),
      };
      this.profiles.set(record.profileId, profile);
    } else {
      profile.employeeId = record.employeeId;
      profile.name = record.name;
    }
    profile.embeddingIds.add(record.embeddingId);
    return profile;
  }

  private detachFromProfile(meta: RowMeta): void {
    const profile = meta.profile;
    profile.embeddingIds.delete(meta.embeddingId);
    if (profile.embeddingIds.size === 0) this.profiles.delete(profile.profileId);
  }
}

const scratch = new WeakMap<DotKernel, Float32Array>();

function scratchFor(kernel: DotKernel): Float32Array {
  let s = scratch.get(kernel);
  if (!s) {
    s = new Float32Array(kernel.stride);
    scratch.set(kernel, s);
  }
  return s;
}

function assertDimension(dim: number): void {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`invalid embedding dimension ${dim}`);
}

/** L2-normalise `src` into the first src.length slots of `dst` (the padding is left at 0). */
function writeNormalised(src: ArrayLike<number>, dst: Float32Array, label: string): void {
  // Hot loop without global lookups: a NaN or Infinity anywhere makes the sum non-finite.
  let sum = 0;
  const n = src.length;
  for (let i = 0; i < n; i++) {
    const v = src[i];
    sum += v * v;
  }
  if (!Number.isFinite(sum)) throw new RangeError(`${label}: vector holds a non-finite value`);
  if (sum === 0) throw new RangeError(`${label}: zero vector cannot be normalised`);
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < n; i++) dst[i] = src[i] * inv;
}
