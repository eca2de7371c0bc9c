import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { RedisService } from '@app/core';
import { CameraSamplerService, REDIS_KEYS } from '@app/detections';
import { photoPath } from '../support/photos';
import { makeTestVideo } from '../support/streams';
import { createTestApp, type TestContext } from '../support/test-app';
import { createTestWorker } from '../support/test-worker';

async function eventually<T>(what: string, fn: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`${what}: not met within ${timeoutMs} ms; last ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Continuous sampling with several workers: one decoder per camera across all workers (a Redis
 * lease), shares rebalanced, cameras of a stopped or dead worker taken over, no overlapping
 * sampled jobs for one camera.
 */
describe('camera sampling across workers', () => {
  let t: TestContext;
  let admin: string;
  let ds: DataSource;
  let redis: RedisService;
  let dir: string;
  let video: string;
  const workers: INestApplicationContext[] = [];

  const sampled = (): Array<{ owner: string; cameraId: string; state: string }> =>
    workers.flatMap((w) => {
      const s = w.get(CameraSamplerService).status();
      return s.cameras.map((c) => ({ owner: s.owner, cameraId: c.cameraId, state: c.state }));
    });
  const addCamera = async (id: string): Promise<void> => {
    const res = await t
      .http()
      .post('/api/v1/cameras')
      .set({ Authorization: `Bearer ${admin}` })
      .send({ id, name: id, location: 'Gate', streamType: 'Local File', streamUrl: video, sampleIntervalMs: 1000 });
    expect(res.status).toBe(201);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'det-sampler-'));
    video = await makeTestVideo(dir, { source: photoPath('grace_hopper.jpg'), seconds: 3, width: 480, height: 360, fps: 5, gopSeconds: 1 });
    t = await createTestApp();
    admin = (await t.login()).accessToken;
    ds = t.app.get(DataSource);
    redis = t.app.get(RedisService);
    await addCamera('CAM-S1');
    await addCamera('CAM-S2');
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) await w.close().catch(() => undefined);
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('gives each camera to exactly one worker, one camera each', async () => {
    workers.push(await createTestWorker());
    workers.push(await createTestWorker());
    const owners = workers.map((w) => w.get(CameraSamplerService).owner);
    expect(new Set(owners).size).toBe(2);
    const settled = await eventually(
      'fair share',
      sampled,
      (s) => s.length === 2 && new Set(s.map((x) => x.owner)).size === 2 && new Set(s.map((x) => x.cameraId)).size === 2,
      25_000,
    );
    for (const { cameraId, owner } of settled) expect(await redis.client.get(REDIS_KEYS.samplerLease(cameraId))).toBe(owner);
    // Frames flow: both cameras get analysed.
    await eventually(
      'frames from both cameras',
      async () =>
        (await ds.query(`SELECT DISTINCT camera_id FROM detection_event_logs WHERE status = 'received' ORDER BY camera_id`)) as Array<{
          camera_id: string;
        }>,
      (rows) => rows.length === 2,
      30_000,
    );
  }, 70_000);

  it('never runs two sampled jobs of one camera at the same time', async () => {
    await new Promise((r) => setTimeout(r, 4000));
    const events = (await ds.query(
      `SELECT camera_id, timestamp, (payload->>'totalMs')::int AS total_ms FROM detection_event_logs
        WHERE status = 'received' AND payload->>'trigger' = 'sampler' ORDER BY camera_id, timestamp`,
    )) as Array<{ camera_id: string; timestamp: Date; total_ms: number }>;
    expect(events.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < events.length; i++) {
      const prev = events[i - 1];
      const cur = events[i];
      if (prev.camera_id !== cur.camera_id) continue;
      expect(cur.timestamp.getTime()).toBeGreaterThanOrEqual(prev.timestamp.getTime() + prev.total_ms - 5);
    }
  }, 30_000);

  it('hands a stopped worker’s camera to the other one, and takes over a dead worker’s lease once it expires', async () => {
    const stopping = workers.shift()!;
    await stopping.close();
    const survivor = workers[0].get(CameraSamplerService);
    await eventually('take-over', sampled, (s) => s.length === 2 && s.every((x) => x.owner === survivor.owner), 20_000);

    // A camera whose lease a crashed worker still holds (it never released it): untouched until
    // the lease expires, then taken over.
    await redis.client.set(REDIS_KEYS.samplerLease('CAM-S3'), 'crashed-worker', 'PX', 6000);
    const leasedAt = Date.now();
    await addCamera('CAM-S3');
    await new Promise((r) => setTimeout(r, 3000));
    expect(sampled().map((s) => s.cameraId)).not.toContain('CAM-S3');
    await eventually('dead lease taken over', sampled, (s) => s.some((x) => x.cameraId === 'CAM-S3'), 20_000);
    expect(Date.now() - leasedAt).toBeGreaterThanOrEqual(5500);
    expect(await redis.client.get(REDIS_KEYS.samplerLease('CAM-S3'))).toBe(survivor.owner);
  }, 60_000);

  it('stops sampling a camera that is disabled', async () => {
    const res = await t
      .http()
      .put('/api/v1/cameras/CAM-S1')
      .set({ Authorization: `Bearer ${admin}` })
      .send({ samplingEnabled: false });
    expect(res.status).toBe(200);
    await eventually('sampler stopped', sampled, (s) => !s.some((x) => x.cameraId === 'CAM-S1'), 15_000);
    // The decoder stops first, then the lease is given back.
    await eventually(
      'lease released',
      () => redis.client.get(REDIS_KEYS.samplerLease('CAM-S1')),
      (v) => v === null,
      5000,
    );
  }, 30_000);
});
