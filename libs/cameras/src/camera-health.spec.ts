import { describe, expect, it } from '@jest/globals';
import { decideHealth, probeMeasures, type HealthState } from './camera-health';

const policy = { alertAfterMs: 300_000, recoveryChecks: 2 };
const t0 = new Date('2025-11-05T10:00:00Z');
const after = (ms: number): Date => new Date(t0.getTime() + ms);

/** Feeds probe outcomes (true = answered) through the state machine, as the watchdog does. */
function run(outcomes: Array<[boolean, number]>, start: HealthState = { status: 'online', offlineSince: null }) {
  let state = start;
  let streak = 0;
  const log: Array<{ status: string; raise: boolean; resolve: boolean; offlineSince: Date | null }> = [];
  for (const [ok, at] of outcomes) {
    const d = decideHealth(state, ok, after(at), streak, policy);
    streak = d.recoveryStreak;
    state = { status: d.status, offlineSince: d.patch.offlineSince !== undefined ? d.patch.offlineSince : state.offlineSince };
    log.push({ status: d.status, raise: d.raiseAlert, resolve: d.resolveAlert, offlineSince: state.offlineSince });
  }
  return log;
}

describe('decideHealth', () => {
  it('starts an episode at the first failure and raises only once it is older than the threshold', () => {
    const log = run([
      [false, 0],
      [false, 120_000],
      [false, 299_999],
      [false, 300_000],
    ]);
    expect(log.map((l) => l.status)).toEqual(['offline', 'offline', 'offline', 'offline']);
    expect(log.map((l) => l.raise)).toEqual([false, false, false, true]);
    expect(log.every((l) => l.offlineSince?.getTime() === t0.getTime())).toBe(true);
  });

  it('needs two good probes in a row to end the episode and resolve', () => {
    const log = run([
      [false, 0],
      [false, 400_000],
      [true, 520_000],
      [true, 640_000],
    ]);
    expect(log.map((l) => [l.status, l.raise, l.resolve])).toEqual([
      ['offline', false, false],
      ['offline', true, false],
      ['online', false, false],
      ['online', false, true],
    ]);
    expect(log[2].offlineSince).toEqual(t0);
    expect(log[3].offlineSince).toBeNull();
  });

  it('keeps a flapping camera in one episode: one resolve at the end, no early resolve', () => {
    // down, up, down, up, ..., down every 2 minutes for 18 minutes, then steadily up.
    const outcomes: Array<[boolean, number]> = [];
    for (let i = 0; i < 9; i++) outcomes.push([i % 2 === 1, i * 120_000]);
    outcomes.push([true, 9 * 120_000], [true, 10 * 120_000]);
    const log = run(outcomes);
    expect(log.filter((l) => l.resolve)).toHaveLength(1);
    expect(log.at(-1)?.resolve).toBe(true);
    // Raised on each down probe past the threshold (de-duplicated into one open alert by AlertsService).
    expect(log.slice(0, 9).every((l) => l.offlineSince?.getTime() === t0.getTime())).toBe(true);
    expect(log.findIndex((l) => l.raise)).toBe(4);
  });

  it('an online camera that answers stays out of any episode; lastSeen follows good probes only', () => {
    const good = decideHealth({ status: 'online', offlineSince: null }, true, t0, 0, policy);
    expect(good).toMatchObject({ statusChanged: false, raiseAlert: false, resolveAlert: false, recoveryStreak: 0 });
    expect(good.patch).toEqual({ status: 'online', lastChecked: t0, lastSeen: t0 });
    const bad = decideHealth({ status: 'online', offlineSince: null }, false, t0, 0, policy);
    expect(bad.patch).toEqual({ status: 'offline', lastChecked: t0, offlineSince: t0 });
    expect(bad.statusChanged).toBe(true);
  });

  it('with recoveryChecks 1 a single good probe ends the episode', () => {
    const d = decideHealth({ status: 'offline', offlineSince: t0 }, true, after(1000), 0, { ...policy, recoveryChecks: 1 });
    expect(d.resolveAlert).toBe(true);
    expect(d.patch.offlineSince).toBeNull();
  });
});

describe('probeMeasures', () => {
  it('rounds fps for the integer column and keeps nothing from a failed probe', () => {
    expect(
      probeMeasures({
        success: true,
        latencyMs: 42,
        bitrate: 6.5,
        codec: 'h264',
        resolution: '1920x1080',
        fps: 29.97,
        message: 'Connection OK',
      }),
    ).toEqual({ fps: 30, latency: 42, bitrate: 6.5, resolution: '1920x1080', codec: 'h264' });
    expect(probeMeasures({ success: false, latencyMs: 5, bitrate: 0, codec: null, resolution: null, fps: 0, message: 'x' })).toEqual({});
  });
});
