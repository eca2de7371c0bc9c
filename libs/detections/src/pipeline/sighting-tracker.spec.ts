import { describe, expect, it } from '@jest/globals';
import {
  cosine,
  decodeEmbedding,
  encodeEmbedding,
  iou,
  labelOf,
  stepTracks,
  type Observation,
  type ObservedPerson,
  type TrackAction,
  type TrackState,
  writeAhead,
} from './sighting-tracker';

const box = (left: number, top = 100, size = 120) => ({ left, top, width: size, height: size });
/** A unit vector mostly along axis `i` (8 dimensions), tilted by `tilt` towards axis i+1. */
const vec = (i: number, tilt = 0): number[] => {
  const v = new Array<number>(8).fill(0);
  v[i] = 1;
  v[(i + 1) % 8] = tilt;
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const cage: ObservedPerson = { employeeId: 'EMP-CAGE', name: 'Nicolas Cage', department: 'Film' };
const grace: ObservedPerson = { employeeId: 'EMP-GRACE', name: 'Grace Hopper', department: null };

const match = (left: number, emb: number[], person = cage, similarity = 0.8): Observation => ({
  box: box(left),
  score: 0.9,
  embedding: emb,
  verdict: 'match',
  person,
  similarity,
});
const stranger = (left: number, emb: number[]): Observation => ({
  box: box(left),
  score: 0.85,
  embedding: emb,
  verdict: 'stranger',
  similarity: 0.2,
});
const candidate = (left: number, emb: number[]): Observation => ({
  box: box(left),
  score: 0.8,
  embedding: emb,
  verdict: 'candidate',
  person: cage,
  similarity: 0.58,
});

const types = (actions: TrackAction[]) => actions.map((a) => a.type);
let n = 0;
const opts = { windowMs: 10_000, newId: () => `TRK-${++n}` };

/** Runs frames through the tracker like the pipeline does; returns every action per frame. */
function run(frames: Array<{ at: number; obs: Observation[] }>, extra: Partial<typeof opts> & { oneShot?: boolean } = {}) {
  let tracks: TrackState[] = [];
  const perFrame: TrackAction[][] = [];
  for (const f of frames) {
    const r = stepTracks(tracks, f.obs, f.at, { ...opts, ...extra });
    tracks = JSON.parse(JSON.stringify(r.tracks)) as TrackState[]; // stored in Redis between frames
    perFrame.push(r.actions);
  }
  return { tracks, perFrame };
}

describe('sighting tracker', () => {
  it('writes one row for a recognised person seen over consecutive frames, and hands them to attendance once a window', () => {
    const { tracks, perFrame } = run([
      { at: 0, obs: [match(100, vec(0))] },
      { at: 2000, obs: [match(104, vec(0, 0.05))] },
      { at: 4000, obs: [match(98, vec(0, 0.02))] },
      { at: 11_000, obs: [match(101, vec(0))] },
    ]);
    expect(types(perFrame[0])).toEqual(['open', 'write', 'sighting']);
    expect(perFrame[0][1]).toMatchObject({
      label: { status: 'authorized', personId: 'EMP-CAGE', name: 'Nicolas Cage', department: 'Film', confidence: 80 },
    });
    expect(perFrame[1]).toEqual([]);
    expect(perFrame[2]).toEqual([]);
    // Still the same sighting (frames 7 s apart), but presence is refreshed after a window.
    expect(types(perFrame[3])).toEqual(['sighting']);
    expect(tracks).toHaveLength(1);
    expect(tracks[0].frames).toBe(4);
  });

  it('opens a new sighting once the person was not seen for a whole window', () => {
    const { perFrame } = run([
      { at: 0, obs: [match(100, vec(0))] },
      { at: 2000, obs: [] },
      { at: 12_500, obs: [match(100, vec(0))] },
    ]);
    expect(types(perFrame[2])).toEqual(['open', 'write', 'sighting']);
    const first = perFrame[0].find((a) => a.type === 'write')!;
    const second = perFrame[2].find((a) => a.type === 'write')!;
    expect(second.track.detectionId).not.toBe(first.track.detectionId);
  });

  it('keeps two people apart in one frame, whatever order the engine lists them in', () => {
    const { tracks, perFrame } = run([
      { at: 0, obs: [match(100, vec(0)), match(400, vec(3), grace)] },
      { at: 2000, obs: [match(402, vec(3, 0.03), grace), match(99, vec(0, 0.03))] },
    ]);
    expect(perFrame[0].filter((a) => a.type === 'write')).toHaveLength(2);
    expect(perFrame[1].filter((a) => a.type === 'write' || a.type === 'open')).toEqual([]);
    expect(tracks.map((t) => t.written?.personId).sort()).toEqual(['EMP-CAGE', 'EMP-GRACE']);
  });

  it('waits for a second frame before calling a face unknown, then asks for one alert', () => {
    const { perFrame, tracks } = run([
      { at: 0, obs: [stranger(100, vec(5))] },
      { at: 2000, obs: [stranger(102, vec(5, 0.04))] },
      { at: 4000, obs: [stranger(101, vec(5, 0.02))] },
    ]);
    expect(types(perFrame[0])).toEqual(['open']);
    expect(types(perFrame[1])).toEqual(['write', 'stranger']);
    expect(perFrame[1][0]).toMatchObject({ label: { status: 'unknown', personId: null, confidence: 85 } });
    expect(perFrame[2]).toEqual([]);
    expect(tracks[0].alerted).toBe(true);
  });

  it('decides a one-off frame at once', () => {
    const { perFrame } = run([{ at: 0, obs: [stranger(100, vec(5))] }], { oneShot: true });
    expect(types(perFrame[0])).toEqual(['open', 'write', 'stranger']);
  });

  it('never names a person from inconclusive frames alone, and raises no stranger alert for them', () => {
    const { perFrame } = run([
      { at: 0, obs: [candidate(100, vec(2))] },
      { at: 2000, obs: [candidate(100, vec(2, 0.02))] },
      { at: 4000, obs: [candidate(100, vec(2, 0.01))] },
    ]);
    const all = perFrame.flat();
    expect(types(all)).toEqual(['open', 'write']);
    expect(all[1]).toMatchObject({ label: { status: 'unknown', personId: null } });
  });

  it('relabels an unknown sighting when a later frame recognises the person (and hands them over then)', () => {
    const { perFrame } = run([
      { at: 0, obs: [candidate(100, vec(2))] },
      { at: 2000, obs: [stranger(100, vec(2, 0.02))] },
      { at: 4000, obs: [match(100, vec(2, 0.01))] },
    ]);
    expect(types(perFrame[1])).toEqual(['write', 'stranger']);
    expect(types(perFrame[2])).toEqual(['relabel', 'sighting']);
    expect(perFrame[2][0]).toMatchObject({ label: { status: 'authorized', personId: 'EMP-CAGE' }, previous: { status: 'unknown' } });
    // Same row.
    expect(perFrame[2][0].track.detectionId).toBe(perFrame[1][0].track.detectionId);
  });

  it('does not forget a recognised person when later frames are not conclusive', () => {
    const { perFrame } = run([
      { at: 0, obs: [match(100, vec(0))] },
      { at: 2000, obs: [stranger(100, vec(0, 0.1))] },
      { at: 4000, obs: [stranger(100, vec(0, 0.1))] },
    ]);
    expect(perFrame.flat().filter((a) => a.type === 'relabel' || a.type === 'stranger')).toEqual([]);
  });

  it('writes an undecided track when it closes (one frame, then gone)', () => {
    const { perFrame } = run([
      { at: 0, obs: [candidate(100, vec(2))] },
      { at: 11_000, obs: [] },
    ]);
    expect(types(perFrame[1])).toEqual(['write']);
    expect(perFrame[1][0]).toMatchObject({ label: { status: 'unknown' } });
    expect(perFrame[1][0].track.firstSeen).toBe(0);
  });

  it('follows recognising providers (no embeddings) by subject and by box overlap', () => {
    const visitor: Observation = {
      box: box(100),
      score: 0.95,
      subject: 'EMP-OLD',
      verdict: 'visitor',
      person: { employeeId: 'EMP-OLD', name: 'Former', department: null },
      similarity: 0.93,
    };
    const unknownAt = (left: number): Observation => ({ box: box(left), score: 0.9, verdict: 'stranger' });
    const { perFrame, tracks } = run([
      { at: 0, obs: [visitor, unknownAt(400)] },
      { at: 2000, obs: [{ ...visitor, box: box(130) }, unknownAt(410)] },
    ]);
    expect(perFrame[0].filter((a) => a.type === 'write').map((a) => (a as { label: { status: string } }).label.status)).toEqual([
      'visitor',
    ]);
    expect(perFrame[1].filter((a) => a.type === 'open')).toEqual([]);
    expect(types(perFrame[1])).toEqual(['write', 'stranger']);
    expect(tracks).toHaveLength(2);
  });

  it('write-ahead: a step that dies after opening tracks leaves them undecided, and the next frame writes them once, with the same row id', () => {
    const first = stepTracks([], [match(100, vec(0)), stranger(400, vec(5))], 0, { ...opts, oneShot: true });
    expect(types(first.actions)).toEqual(['open', 'open', 'write', 'sighting', 'write', 'stranger']);
    const opened = first.actions.filter((a) => a.type === 'open').map((a) => a.track);
    const ahead = JSON.parse(JSON.stringify(writeAhead([], first))) as TrackState[];
    expect(ahead.map((t) => [t.detectionId, t.written, t.sightingAt, t.alerted])).toEqual(
      opened.map((t) => [t.detectionId, null, null, false]),
    );
    // The frame's step was carried out in full: the state had been updated in place, not the write-ahead copy.
    expect(first.tracks.every((t) => t.written !== null)).toBe(true);

    // The job re-run (or the next frame) from the write-ahead state: same rows, hand-off and alert asked again.
    const again = stepTracks(ahead, [match(102, vec(0, 0.02)), stranger(401, vec(5, 0.02))], 1500, { ...opts, oneShot: true });
    expect(types(again.actions)).toEqual(['write', 'sighting', 'write', 'stranger']);
    expect(again.actions.filter((a) => a.type === 'write').map((a) => a.track.detectionId)).toEqual(opened.map((t) => t.detectionId));

    // Nothing opened: nothing to write ahead; previous tracks are kept as they were.
    expect(writeAhead(again.tracks, stepTracks(again.tracks, [match(103, vec(0))], 2000, opts))).toBeNull();
    const more = stepTracks(first.tracks, [match(100, vec(0)), match(700, vec(3), grace)], 2000, opts);
    expect(writeAhead(first.tracks, more)?.map((t) => t.written?.personId ?? null)).toEqual(['EMP-CAGE', null, null]);

    // A track decided as it closes, in a step that also opens one: the write-ahead state keeps it undecided.
    const undecided = stepTracks([], [stranger(100, vec(5))], 0, opts);
    expect(types(undecided.actions)).toEqual(['open']);
    const previous = JSON.parse(JSON.stringify(undecided.tracks)) as TrackState[];
    const later = stepTracks(previous, [match(400, vec(0))], 20_000, opts);
    expect(types(later.actions)).toEqual(['write', 'stranger', 'open', 'write', 'sighting']);
    expect(writeAhead(previous, later)?.map((t) => [t.detectionId, t.written])).toEqual([
      [previous[0].detectionId, null],
      [later.tracks[0].detectionId, null],
    ]);
  });

  it('labels by majority of conclusive votes', () => {
    const track = {
      frames: 3,
      score: 0.9,
      votes: {
        'EMP-A': { kind: 'match', n: 1, best: 0.9, name: 'A', department: null },
        'EMP-B': { kind: 'match', n: 2, best: 0.7, name: 'B', department: null },
      },
    } as unknown as TrackState;
    expect(labelOf(track, false)?.personId).toBe('EMP-B');
  });

  it('has sound geometry and embedding helpers', () => {
    expect(iou(box(0), box(0))).toBe(1);
    expect(iou(box(0), box(1000))).toBe(0);
    expect(iou(box(0, 0, 100), box(50, 0, 100))).toBeCloseTo(1 / 3);
    const v = vec(1, 0.3);
    expect(cosine(v, Array.from(decodeEmbedding(encodeEmbedding(v))))).toBeCloseTo(1, 5);
    expect(cosine(vec(0), vec(4))).toBeCloseTo(0);
  });
});
