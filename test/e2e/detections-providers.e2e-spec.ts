import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { FrameStore } from '@app/detections';
import { CompreFaceEmulator } from '../emulators/compreface.emulator';
import { photoPath, readPhoto } from '../support/photos';
import { makeTestVideo } from '../support/streams';
import { createTestApp, type TestContext } from '../support/test-app';
import { createTestWorker } from '../support/test-worker';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function eventually<T>(what: string, fn: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`${what}: not met within ${timeoutMs} ms; last ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * The pipeline with an external provider (the CompreFace emulator as a real HTTP server): the
 * registry's profiles are enrolled at and erased from its gallery, recognised employees are
 * authorized, recognised non-employees are visitors, strangers unknown; failures are retried and
 * logged; the API key never reaches a log or a payload.
 */
describe('detection pipeline with an external provider (CompreFace emulator)', () => {
  let t: TestContext;
  let worker: INestApplicationContext;
  let admin: string;
  let ds: DataSource;
  let dir: string;
  const key = randomUUID();
  const compreface = new CompreFaceEmulator({ apiKey: key });
  const profiles: Record<string, { id: string; image: Buffer }> = {};

  const auth = () => ({ Authorization: `Bearer ${admin}` });
  const enrol = async (employeeId: string, name: string, photo: string): Promise<void> => {
    const res = await t
      .http()
      .post('/api/v1/faces')
      .set(auth())
      .field('name', name)
      .field('employeeId', employeeId)
      .attach('images', readPhoto(photo), photo);
    expect(res.status).toBe(201);
    const image = Buffer.from(await (await fetch(res.body.data.images[0].url as string)).arrayBuffer());
    profiles[employeeId] = { id: res.body.data.id as string, image };
  };
  /** Runs send-frame on a camera whose latest sampled frame is `frame`; resolves the finished job. */
  const detect = async (cameraId: string, frame: Buffer) => {
    await worker.get(FrameStore).save(cameraId, { jpeg: frame, capturedAt: new Date(), seq: 1 }, 60_000);
    const res = await t.http().post('/api/v1/detections/send-frame').set(auth()).send({ cameraId });
    expect(res.status).toBe(202);
    return eventually(
      'job finished',
      async () =>
        (await t.http().get(`/api/v1/jobs/${res.body.data.jobId}`).set(auth())).body.data as {
          status: string;
          result: Record<string, unknown>;
          attempts: number;
          error: string | null;
        },
      (j) => j.status === 'completed' || j.status === 'failed',
      30_000,
    );
  };

  beforeAll(async () => {
    await compreface.start();
    dir = mkdtempSync(join(tmpdir(), 'det-prov-'));
    const video = await makeTestVideo(dir, { source: photoPath('chelsea.png'), seconds: 2, width: 320, height: 240, fps: 5 });
    t = await createTestApp({ WORKER_SAMPLING_ENABLED: 'false' });
    admin = (await t.login()).accessToken;
    ds = t.app.get(DataSource);
    for (const id of ['CAM-P1', 'CAM-P2', 'CAM-P3', 'CAM-P4']) {
      const res = await t
        .http()
        .post('/api/v1/cameras')
        .set(auth())
        .send({ id, name: id, location: 'Door', streamType: 'Local File', streamUrl: video });
      expect(res.status).toBe(201);
    }
    // Enrolled while the built-in engine is active: the switch to CompreFace must bring them over.
    await enrol('EMP-ACT', 'Nicolas Cage', 'cage2_crop.jpg');
    worker = await createTestWorker();
  }, 90_000);

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await compreface.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('switching to CompreFace enrols every profile there (full sync)', async () => {
    const put = await t
      .http()
      .put('/api/v1/detections/provider/config')
      .set(auth())
      .send({ kind: 'compreface', endpoint: compreface.baseUrl, apiKey: key, providerName: 'CompreFace' });
    expect(put.status).toBe(200);
    await eventually(
      'EMP-ACT enrolled',
      () => compreface.galleryOf('EMP-ACT'),
      (g) => g.length === 1,
      20_000,
    );
    expect(compreface.galleryOf('EMP-ACT')).toEqual([sha256(profiles['EMP-ACT'].image)]);
    // The health probe queued with the change ran too.
    await eventually(
      'provider connected',
      async () => (await t.http().get('/api/v1/detections/provider/config').set(auth())).body.data.status as string,
      (s) => s === 'connected',
      15_000,
    );
  }, 40_000);

  it('follows the registry: a new profile is enrolled, an erased one forgotten', async () => {
    await enrol('EMP-ARCH', 'Grace Hopper', 'grace_hopper.jpg');
    await enrol('EMP-GONE', 'Franck', 'franck_02045.jpg');
    await eventually(
      'enrolled',
      () => [compreface.galleryOf('EMP-ARCH').length, compreface.galleryOf('EMP-GONE').length],
      (n) => n[0] === 1 && n[1] === 1,
      20_000,
    );
    expect((await t.http().delete(`/api/v1/faces/${profiles['EMP-GONE'].id}`).set(auth())).status).toBe(204);
    await eventually(
      'forgotten',
      () => compreface.subjects(),
      (s) => !s.includes('EMP-GONE'),
      20_000,
    );
    // Archived: kept in the provider's gallery (so the person is still known, as a visitor).
    const archived = await t.http().put(`/api/v1/faces/${profiles['EMP-ARCH'].id}`).set(auth()).send({ status: 'archived' });
    expect(archived.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(compreface.galleryOf('EMP-ARCH')).toHaveLength(1);
  }, 60_000);

  it('turns the provider’s answers into authorized, visitor and unknown sightings', async () => {
    const act = await detect('CAM-P1', profiles['EMP-ACT'].image);
    expect(act).toMatchObject({
      status: 'completed',
      result: { outcome: 'done', faces: 1, sightings: [expect.objectContaining({ status: 'authorized', personId: 'EMP-ACT' })] },
    });
    const visitor = await detect('CAM-P2', profiles['EMP-ARCH'].image);
    expect(visitor.result).toMatchObject({ sightings: [expect.objectContaining({ status: 'visitor', personId: 'EMP-ARCH' })] });
    const stranger = await detect('CAM-P3', readPhoto('audrey.jpg'));
    expect(stranger.result).toMatchObject({ sightings: [expect.objectContaining({ status: 'unknown', personId: null })] });

    const rows = (await ds.query(
      `SELECT camera_id, person_id, name, status, confidence::float8 AS confidence FROM detections ORDER BY camera_id`,
    )) as Array<Record<string, unknown>>;
    expect(rows).toEqual([
      { camera_id: 'CAM-P1', person_id: 'EMP-ACT', name: 'Nicolas Cage', status: 'authorized', confidence: 97 },
      { camera_id: 'CAM-P2', person_id: 'EMP-ARCH', name: 'Grace Hopper', status: 'visitor', confidence: 97 },
      { camera_id: 'CAM-P3', person_id: null, name: null, status: 'unknown', confidence: 98 },
    ]);
    // Attendance for the employee only.
    const att = (await ds.query(`SELECT DISTINCT employee_id FROM attendance_logs ORDER BY employee_id`)) as Array<{ employee_id: string }>;
    expect(att.map((a) => a.employee_id)).toEqual(['EMP-ACT']);
    // One Unknown Face alert, for the stranger's camera.
    const alerts = (await ds.query(`SELECT subject FROM alerts WHERE kind = 'unknown_face'`)) as Array<{ subject: string }>;
    expect(alerts).toEqual([{ subject: 'CAM-P3' }]);

    // The event log keeps CompreFace's raw answer, never the key.
    const events = (await ds.query(
      `SELECT status, latency_ms, payload::text AS payload FROM detection_event_logs WHERE camera_id = 'CAM-P1'`,
    )) as Array<{ status: string; latency_ms: number; payload: string }>;
    expect(events).toHaveLength(1);
    expect(events[0].status).toBe('received');
    expect(JSON.parse(events[0].payload)).toMatchObject({
      provider: { kind: 'compreface' },
      raw: { result: [expect.objectContaining({ subjects: [{ subject: 'EMP-ACT', similarity: 0.97 }] })] },
    });
    const all = (await ds.query(`SELECT payload::text AS p, coalesce(error_message, '') AS e FROM detection_event_logs`)) as Array<{
      p: string;
      e: string;
    }>;
    expect(all.map((r) => r.p + r.e).join('\n')).not.toContain(key);
  }, 60_000);

  it('retries a provider outage three times, logging every attempt, and fails the job', async () => {
    compreface.failNext(3, 503);
    const job = await detect('CAM-P4', readPhoto('audrey.jpg'));
    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(3);
    expect(job.error).toMatch(/HTTP 503/);
    const events = (await ds.query(
      `SELECT status, error_message FROM detection_event_logs WHERE camera_id = 'CAM-P4' ORDER BY timestamp`,
    )) as Array<{ status: string; error_message: string }>;
    expect(events.map((e) => e.status)).toEqual(['error', 'error', 'error']);
    expect(events[0].error_message).toMatch(/503/);
  }, 60_000);

  it('does not retry a refused API key', async () => {
    await t.http().put('/api/v1/detections/provider/config').set(auth()).send({ apiKey: randomUUID() });
    const job = await detect('CAM-P4', readPhoto('audrey.jpg'));
    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(1);
    expect(job.error).toMatch(/API key was refused|HTTP 404/);
  }, 40_000);
});
