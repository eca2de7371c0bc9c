import { randomUUID } from 'node:crypto';
import type { FaceBox } from '@app/faces/engine/face-provider';
import type { DetectionStatus } from '../entities/detection.entity';

/**
 * Debounce and voting: turns per-frame face observations of one camera into sightings (one
 * detection row per person per visit), as pure logic over a list of open tracks.
 *
 * - A face is attached to the open track it resembles (embedding similarity, helped by box overlap;
 *   providers without embeddings: same subject or overlapping box); otherwise it opens a track.
 * - A track closes when no face was attached to it for `windowMs`: frames closer than that are
 *   the same sighting.
 * - Identity is voted over the track's frames: a conclusive match (similarity >= matchThreshold)
 *   names the person at once; a track with no conclusive match is written as unknown once it has
 *   `minUnknownFrames` frames (or when it closes, or for a one-off frame), and is relabelled if a
 *   later frame recognises the person. Inconclusive frames (between the two thresholds) never
 *   name anyone by themselves.
 * - An unknown track with at least one conclusive stranger frame asks for an Unknown Face alert;
 *   a recognised employee is handed to attendance when first named and then at most once a window
 *   while the sighting lasts (presence).
 */

export type ObservationVerdict = 'match' | 'visitor' | 'candidate' | 'stranger';

export interface ObservedPerson {
  employeeId: string;
  name: string;
  department: string | null;
}

export interface Observation {
  box: FaceBox;
  /** Detector confidence 0..1. */
  score: number;
  /** L2-normalised embedding (embedding engines), used to follow the face across frames. */
  embedding?: ArrayLike<number>;
  /** The provider's subject (recognising providers). */
  subject?: string;
  /**
   * match: a conclusive match with an active profile; visitor: recognised but not an active
   * employee; candidate: resembles someone without clearing the bar; stranger: conclusively nobody.
   */
  verdict: ObservationVerdict;
  person?: ObservedPerson;
  /** Match similarity 0..1 (match, visitor, candidate). */
  similarity?: number;
}

interface Vote {
  kind: 'match' | 'visitor';
  n: number;
  best: number;
  name: string;
  department: string | null;
}

export interface SightingLabel {
  status: DetectionStatus;
  personId: string | null;
  name: string | null;
  department: string | null;
  /** 0..100 */
  confidence: number;
}

export interface TrackState {
  /** Public track id (detections.track_id). */
  id: string;
  /** Id of the detection row of this sighting (assigned when the track opens). */
  detectionId: string;
  firstSeen: number;
  lastSeen: number;
  frames: number;
  box: FaceBox;
  /** Best detector score seen. */
  score: number;
  /** Last embedding, base64 of Float32 (for association). */
  embedding?: string;
  subject?: string;
  votes: Record<string, Vote>;
  strangers: number;
  candidates: number;
  /** What the detection row says, null before it is written. */
  written: SightingLabel | null;
  /** Capture time of the last attendance hand-off (authorized only). */
  sightingAt: number | null;
  /** An Unknown Face alert was asked for this track. */
  alerted: boolean;
  /** Storage key of the face crop taken when the track opened (set by the pipeline; null when none). */
  thumbnail?: string | null;
}

export type TrackAction =
  /** A track opened on `observation` (store its thumbnail). */
  | { type: 'open'; track: TrackState; observation: Observation }
  /** Insert the detection row. */
  | { type: 'write'; track: TrackState; label: SightingLabel }
  /** The identity of a written sighting changed: update the row. */
  | { type: 'relabel'; track: TrackState; label: SightingLabel; previous: SightingLabel }
  /** Hand a recognised employee to attendance. */
  | { type: 'sighting'; track: TrackState; label: SightingLabel; at: number }
  /** An unknown sighting with a conclusive stranger frame: consider an Unknown Face alert. */
  | { type: 'stranger'; track: TrackState; label: SightingLabel };

export interface TrackerOptions {
  /** Frames of one face closer than this are one sighting. */
  windowMs: number;
  /** A one-off frame (manual send-frame): decide on it, no later frame is coming. */
  oneShot?: boolean;
  /** Frames without a conclusive match after which a track is written as unknown. Default 2. */
  minUnknownFrames?: number;
  /** Embedding similarity that attaches a face to a track on its own. Default 0.6. */
  linkSimilarity?: number;
  /** Lower similarity accepted when the boxes overlap (IoU >= linkOverlap). Default 0.4. */
  linkSimilarityWithOverlap?: number;
  /** Default 0.3. */
  linkOverlap?: number;
  /** Track ids (tests). */
  newId?: () => string;
}

export interface StepResult {
  tracks: TrackState[];
  actions: TrackAction[];
}

/** One frame of one camera: `observations` seen at capture time `now` (ms). */
export function stepTracks(
  previous: readonly TrackState[],
  observations: readonly Observation[],
  now: number,
  opts: TrackerOptions,
): StepResult {
  const minUnknown = opts.minUnknownFrames ?? 2;
  const actions: TrackAction[] = [];
  const open: TrackState[] = [];

  // 1. Close the tracks nobody was seen on for a whole window; an undecided one is decided now.
  for (const t of previous) {
    if (now - t.lastSeen > opts.windowMs) {
      if (!t.written) decide(cloneTrack(t), true, minUnknown, actions, t.lastSeen); // `previous` stays as it was (writeAhead)
    } else {
      open.push(cloneTrack(t));
    }
  }

  // 2. Attach each face to the best-fitting open track (each track takes at most one face per frame).
  const pairs: { o: number; t: number; score: number }[] = [];
  observations.forEach((obs, o) => {
    open.forEach((track, t) => {
      const score = linkScore(obs, track, opts);
      if (score !== null) pairs.push({ o, t, score });
    });
  });
  pairs.sort((a, b) => b.score - a.score);
  const obsTrack = new Map<number, number>();
  const takenTracks = new Set<number>();
  for (const p of pairs) {
    if (obsTrack.has(p.o) || takenTracks.has(p.t)) continue;
    obsTrack.set(p.o, p.t);
    takenTracks.add(p.t);
  }

  const touched: TrackState[] = [];
  observations.forEach((obs, o) => {
    const index = obsTrack.get(o);
    let track: TrackState;
    if (index === undefined) {
      track = newTrack(obs, now, opts.newId);
      open.push(track);
      actions.push({ type: 'open', track, observation: obs });
    } else {
      track = open[index];
      track.frames += 1;
      track.lastSeen = Math.max(track.lastSeen, now);
    }
    absorb(track, obs);
    touched.push(track);
  });

  // 3. Decide or revise the identity of every track seen in this frame.
  for (const track of touched) decide(track, opts.oneShot === true, minUnknown, actions, now, opts.windowMs);

  return { tracks: open, actions };
}

/**
 * What to save of a camera's tracks before a step's actions are carried out, or null when the step
 * opened no track: the previous tracks plus the ones it opened, undecided (no row, hand-off or alert
 * yet), with their row ids. An attempt that dies while carrying the actions out leaves this state:
 * the next step (the job re-run, or the camera's next frame) finds the new tracks and decides them
 * again, so their rows are written once (by id) and nothing the dead attempt owed is lost.
 */
export function writeAhead(previous: readonly TrackState[], step: StepResult): TrackState[] | null {
  const opened = step.actions.flatMap((a) => (a.type === 'open' ? [a.track] : []));
  if (opened.length === 0) return null;
  return [...previous, ...opened.map((t) => ({ ...cloneTrack(t), written: null, sightingAt: null, alerted: false }))];
}

/** The label a track's votes give, or null while undecided. */
export function labelOf(track: TrackState, final: boolean, minUnknownFrames = 2): SightingLabel | null {
  let best: [string, Vote] | null = null;
  for (const entry of Object.entries(track.votes)) {
    const [, v] = entry;
    if (!best || v.n > best[1].n || (v.n === best[1].n && v.best > best[1].best)) best = entry;
  }
  if (best) {
    const [employeeId, v] = best;
    return {
      status: v.kind === 'match' ? 'authorized' : 'visitor',
      personId: employeeId,
      name: v.name,
      department: v.department,
      confidence: round1(v.best * 100),
    };
  }
  if (final || track.frames >= minUnknownFrames) {
    return { status: 'unknown', personId: null, name: null, department: null, confidence: round1(track.score * 100) };
  }
  return null;
}

function decide(track: TrackState, final: boolean, minUnknown: number, actions: TrackAction[], now: number, windowMs = 0): void {
  const label = labelOf(track, final, minUnknown);
  if (!label) return;
  if (!track.written) {
    track.written = label;
    actions.push({ type: 'write', track, label });
  } else if (improves(track.written, label)) {
    const previous = track.written;
    track.written = label;
    actions.push({ type: 'relabel', track, label, previous });
  }
  const current = track.written;
  if (current.status === 'authorized' && current.personId) {
    if (track.sightingAt === null || now - track.sightingAt >= windowMs) {
      track.sightingAt = now;
      actions.push({ type: 'sighting', track, label: current, at: now });
    }
  }
  if (current.status === 'unknown' && track.strangers > 0 && !track.alerted) {
    track.alerted = true;
    actions.push({ type: 'stranger', track, label: current });
  }
}

/** A written label is revised when a person gets named, or the votes now name someone else. */
function improves(written: SightingLabel, next: SightingLabel): boolean {
  if (next.status === 'unknown') return false; // never forget a recognised person
  return written.status === 'unknown' || written.personId !== next.personId || written.status !== next.status;
}

function newTrack(obs: Observation, now: number, newId?: () => string): TrackState {
  const id = newId ? newId() : `TRK-${randomUUID().slice(0, 8)}`;
  return {
    id,
    detectionId: randomUUID(),
    firstSeen: now,
    lastSeen: now,
    frames: 1,
    box: obs.box,
    score: 0,
    votes: {},
    strangers: 0,
    candidates: 0,
    written: null,
    sightingAt: null,
    alerted: false,
  };
}

function absorb(track: TrackState, obs: Observation): void {
  track.box = obs.box;
  track.score = Math.max(track.score, obs.score);
  if (obs.embedding && obs.embedding.length > 0) track.embedding = encodeEmbedding(obs.embedding);
  if (obs.subject) track.subject = obs.subject;
  switch (obs.verdict) {
    case 'match':
    case 'visitor': {
      if (!obs.person) break;
      const v = track.votes[obs.person.employeeId];
      const similarity = obs.similarity ?? 0;
      if (v) {
        v.n += 1;
        v.best = Math.max(v.best, similarity);
        if (obs.verdict === 'match') v.kind = 'match';
      } else {
        track.votes[obs.person.employeeId] = {
          kind: obs.verdict,
          n: 1,
          best: similarity,
          name: obs.person.name,
          department: obs.person.department,
        };
      }
      break;
    }
    case 'candidate':
      track.candidates += 1;
      break;
    case 'stranger':
      track.strangers += 1;
      break;
  }
}

function linkScore(obs: Observation, track: TrackState, opts: TrackerOptions): number | null {
  const overlap = iou(obs.box, track.box);
  const minOverlap = opts.linkOverlap ?? 0.3;
  if (obs.person && track.votes[obs.person.employeeId] && (obs.verdict === 'match' || obs.verdict === 'visitor')) {
    return 2 + overlap; // the same recognised person
  }
  if (obs.embedding && track.embedding) {
    const sim = cosine(obs.embedding, decodeEmbedding(track.embedding));
    const alone = opts.linkSimilarity ?? 0.6;
    const withOverlap = opts.linkSimilarityWithOverlap ?? 0.4;
    if (sim >= alone || (sim >= withOverlap && overlap >= minOverlap)) return sim + 0.2 * overlap;
    return null;
  }
  if (obs.subject && track.subject) return obs.subject === track.subject ? 1 + overlap : null;
  return overlap >= minOverlap ? overlap : null;
}

export function iou(a: FaceBox, b: FaceBox): number {
  const x1 = Math.max(a.left, b.left);
  const y1 = Math.max(a.top, b.top);
  const x2 = Math.min(a.left + a.width, b.left + b.width);
  const y2 = Math.min(a.top + a.height, b.top + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) return -1;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : -1;
}

export function encodeEmbedding(v: ArrayLike<number>): string {
  return Buffer.from(Float32Array.from(v).buffer).toString('base64');
}

export function decodeEmbedding(s: string): Float32Array {
  const buf = Buffer.from(s, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function cloneTrack(t: TrackState): TrackState {
  return {
    ...t,
    box: { ...t.box },
    votes: Object.fromEntries(Object.entries(t.votes).map(([k, v]) => [k, { ...v }])),
    written: t.written ? { ...t.written } : null,
  };
}

function round1(v: number): number {
  return Math.round(Math.min(100, Math.max(0, v)) * 10) / 10;
}
