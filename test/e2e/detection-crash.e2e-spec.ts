import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type QueryRunner } from 'typeorm';
import { INTERRUPTED_MESSAGE } from '@app/detections';
import { StorageService } from '@app/storage';
import { photoPath, readPhoto } from '../support/photos';
import { makeTestVideo } from '../support/streams';
import { createTestApp, type TestContext } from '../support/test-app';
import { assertFreshBuild, startWorker, stopWorkers, type RunningWorker } from '../support/built-process';

/** What this test exercises in the built worker: dist/ must be newer than each. */
const WORKER_SOURCES = [
  'apps/worker/src/main.ts',
  'libs/detections/src/pipeline/detection-pipeline.service.ts',
  'libs/detections/src/pipeline/sighting-recorder.service.ts',
  'libs/detections/src/pipeline/sighting-tracker.ts',
  'libs/detections/src/pipeline/track-store.ts',
  'libs/detections/src/live/live-detections.service.ts',
  'libs/detections/src/detections.repository.ts',
  'libs/attendance/src/engine/attendance-engine.service.ts',
  'apps/worker/src/processors/detection.processor.ts',
];

/**
 * A TCP proxy in front of the S3 server that can swallow the next face-crop upload (PUT of a
 * thumbnails/ object): the request never reaches the server and the uploader waits for an answer.
 */
class CropHoldingProxy {
  target = 0;
  /** Swallow the next thumbnails/ upload. */
  holdNext = false;
  /** Uploads swallowed so far. */
  held = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server = createServer((client) => this.relay(client));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    const upstream = connect(this.target, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    let swallowing = false;
    client.on('data', (chunk: Buffer) => {
      const head = chunk.toString('latin1', 0, 300);
      if (!swallowing && this.holdNext && head.startsWith('PUT ') && head.split('\r\n')[0].includes('/thumbnails/')) {
        this.holdNext = false;
        this.held += 1;
        swallowing = true;
      }
      if (!swallowing) upstream.write(chunk);
    });
    upstream.pipe(client);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    for (const s of [client, upstream]) {
      s.on('error', close);
      s.on('close', close);
    }
  }
}

interface SightingSummary {
  detectionId: string;
  change: 'new' | 'relabelled';
}

interface JobView {
  id: string;
  status: 'queued' | 'active' | 'completed' | 'failed';
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  result: { cameraId: string; outcome: string; faces: number; eventId: string | null; sightings: SightingSummary[] } | null;
}

interface EventRow {
  id: string;
  camera_id: string;
  status: string;
  job_id: string;
  attempt: number;
  error_message: string | null;
}

/**
 * Release readiness: the worker killed with SIGKILL in the middle of a detection batch, then
 * restarted. Every job completes, none is lost, nothing is doubled (sighting rows, event log,
 * attendance logs, live list, alerts).
 *
 * Real parts only: the api in this process, the built worker as a child process, PostgreSQL, Redis,
 * an S3 server, the built-in face engine on real photographs shown by Local File cameras (sampling
 * off: the only jobs are the send-frame jobs queued here). The kill is placed where a job's work is
 * half done: one job is uploading the face crop of a new sighting (the proxy swallows the upload),
 * the other has written its sighting row and is handing the person's first sighting of the day to
 * attendance (the test holds the attendance engine's advisory lock for that person and day), and
 * seven jobs wait behind them.
 */
describe('a worker killed in the middle of a detection batch: every job completes, nothing is lost or doubled', () => {
  const proxy = new CropHoldingProxy();
  let t: TestContext;
  let ds: DataSource;
  let token: string;
  let dir: string;
  let locker: QueryRunner | undefined;
  const workers: RunningWorker[] = [];

  const auth = () => ({ Authorization: `Bearer ${token}` });
  const getJob = async (id: string): Promise<JobView> => {
    const res = await t.http().get(`/api/v1/jobs/${id}`).set(auth());
    if (res.status !== 200) throw new Error(`GET /jobs/${id}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data as JobView;
  };
  const sendFrame = async (cameraId: string): Promise<{ id: string; cameraId: string }> => {
    const res = await t.http().post('/api/v1/detections/send-frame').set(auth()).send({ cameraId });
    expect(res.status).toBe(202);
    return { id: res.body.data.jobId as string, cameraId };
  };
  const events = async (): Promise<EventRow[]> =>
    ds.query(
      `SELECT id, camera_id, status, payload->>'jobId' AS job_id, (payload->>'attempt')::int AS attempt, error_message
         FROM detection_event_logs ORDER BY created_at, id`,
    );
  const until = async (what: string, ok: () => Promise<boolean>, timeoutMs: number, worker: RunningWorker): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms\n${worker.output()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  beforeAll(async () => {
    assertFreshBuild(WORKER_SOURCES);
    dir = mkdtempSync(join(tmpdir(), 'det-crash-'));
    const video = (photo: string) => makeTestVideo(dir, { source: photoPath(photo), seconds: 2, width: 640, height: 480, fps: 5 });
    const [cage, franck, stranger] = await Promise.all([video('cage.jpg'), video('franck_01829.jpg'), video('grace_hopper.jpg')]);
    const s3 = await proxy.start();
    t = await createTestApp({ S3_ENDPOINT: s3, S3_TIMEOUT_MS: '60000', WORKER_DETECTION_CONCURRENCY: '2' });
    proxy.target = t.s3.port;
    ds = t.app.get(DataSource);
    token = (await t.login()).accessToken;

    // Two employees, each enrolled from another photograph than the one their cameras show.
    for (const [employeeId, name, photo] of [
      ['EMP-CAGE', 'Nicolas Cage', 'cage2_crop.jpg'],
      ['EMP-FRANCK', 'Franck', 'franck_02045.jpg'],
    ]) {
      const res = await t
        .http()
        .post('/api/v1/faces')
        .set(auth())
        .field('name', name)
        .field('employeeId', employeeId)
        .attach('images', readPhoto(photo), photo);
      expect(res.status).toBe(201);
    }
    // Every frame of this test, the re-runs included, falls in one visit per camera.
    const put = await t
      .http()
      .put('/api/v1/detections/provider/config')
      .set(auth())
      .send({ settings: { debounceSeconds: 900, unknownAlertCooldownSeconds: 900 } });
    expect(put.status).toBe(200);
    // Sampling off: the only detection jobs are the ones this test queues.
    for (const [id, streamUrl] of [
      ['CAM-K1', cage],
      ['CAM-K2', cage],
      ['CAM-K3', cage],
      ['CAM-K4', cage],
      ['CAM-F1', franck],
      ['CAM-U1', stranger],
    ]) {
      const res = await t
        .http()
        .post('/api/v1/cameras')
        .set(auth())
        .send({ id, name: id, location: 'Gate', streamType: 'Local File', streamUrl, samplingEnabled: false });
      expect(res.status).toBe(201);
    }
    // The live list exists before the batch, so every sighting is pushed into it.
    expect((await t.http().get('/api/v1/detections/live?limit=100').set(auth())).body.data).toEqual([]);
  }, 90_000);

  afterAll(async () => {
    await stopWorkers(workers);
    if (locker && !locker.isReleased) {
      await locker.query(`SELECT pg_advisory_unlock_all()`).catch(() => undefined);
      await locker.release();
    }
    await t?.close();
    await proxy.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('SIGKILL with one job uploading a new sighting and one in the attendance hand-off: the new worker finishes all 12 jobs, once', async () => {
    const first = startWorker(t.env);
    workers.push(first);

    // 1. Three jobs run to the end.
    const done = [await sendFrame('CAM-K1'), await sendFrame('CAM-K2'), await sendFrame('CAM-U1')];
    await until(
      'first jobs completed',
      async () => (await Promise.all(done.map((j) => getJob(j.id)))).every((v) => v.status === 'completed'),
      60_000,
      first,
    );

    // 2. A new sighting whose face crop is being uploaded.
    proxy.holdNext = true;
    const uploading = await sendFrame('CAM-K3');
    await until(
      'CAM-K3 uploading its crop',
      async () => proxy.held === 1 && (await getJob(uploading.id)).status === 'active',
      30_000,
      first,
    );

    // 3. Franck's first sighting of the day, held in the attendance hand-off (his sighting row and
    //    presence are written; the attendance log waits for the lock the test holds).
    const today = new Date().toISOString().slice(0, 10);
    locker = ds.createQueryRunner();
    await locker.connect();
    await locker.query(`SELECT pg_advisory_lock(hashtext('attendance-log'), hashtext($1))`, [`EMP-FRANCK|d:${today}`]);
    const handingOff = await sendFrame('CAM-F1');
    const franckRows = async (table: string, column: string) =>
      ((await ds.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${column} = 'EMP-FRANCK'`)) as Array<{ n: number }>)[0].n;
    await until(
      'Franck handed to attendance',
      async () => (await franckRows('detections', 'person_id')) === 1 && (await franckRows('attendance_records', 'person_id')) === 1,
      30_000,
      first,
    );

    // 4. The rest of the batch queues behind them: one more camera, then a second round of all six.
    const waiting = [await sendFrame('CAM-K4')];
    for (const cameraId of ['CAM-K1', 'CAM-K2', 'CAM-K3', 'CAM-K4', 'CAM-F1', 'CAM-U1']) waiting.push(await sendFrame(cameraId));
    const interrupted = [uploading, handingOff];
    const jobs = [...done, ...interrupted, ...waiting];
    expect(new Set(jobs.map((j) => j.id)).size).toBe(12);

    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const killedAt = Date.now();
    await locker.query(`SELECT pg_advisory_unlock(hashtext('attendance-log'), hashtext($1))`, [`EMP-FRANCK|d:${today}`]);
    await locker.release();

    // What the dead worker left: the two interrupted jobs still active (locked) in BullMQ, their
    // attempts logged as processing; Franck seen and present, but no attendance log for him.
    const atKill = new Map((await Promise.all(jobs.map((j) => getJob(j.id)))).map((v) => [v.id, v]));
    expect(jobs.map((j) => atKill.get(j.id)!.status)).toEqual([
      ...done.map(() => 'completed'),
      'active',
      'active',
      ...waiting.map(() => 'queued'),
    ]);
    const stuck = (await events()).filter((e) => e.status === 'processing');
    expect(stuck.map((e) => [e.job_id, e.attempt]).sort()).toEqual(interrupted.map((j) => [j.id, 1]).sort());
    const rowsAtKill = (await ds.query(`SELECT id FROM detections`)) as Array<{ id: string }>;
    expect(await ds.query(`SELECT employee_id FROM attendance_logs`)).toEqual([{ employee_id: 'EMP-CAGE' }]);

    // 5. A new worker: it runs the waiting jobs at once, and the interrupted ones again once
    //    BullMQ finds them stalled (their locks expired).
    const second = startWorker(t.env);
    workers.push(second);
    let views: JobView[] = [];
    await until(
      'every job finished after the restart',
      async () => {
        views = await Promise.all(jobs.map((j) => getJob(j.id)));
        return views.every((v) => v.status === 'completed' || v.status === 'failed');
      },
      150_000,
      second,
    );
    const byId = new Map(views.map((v) => [v.id, v]));

    // No job lost, none failed: each analysed one face on its own camera. The only failed attempts
    // (retried): second-round jobs of the two cameras whose track lock the dead worker held, until
    // that lock expired.
    const lockedOut = waiting.filter((j) => j.cameraId === 'CAM-K3' || j.cameraId === 'CAM-F1').map((j) => j.id);
    const lockError = /^Sighting tracks of camera CAM-(K3|F1) stayed locked/;
    for (const j of jobs) {
      const v = byId.get(j.id)!;
      expect({ id: v.id, status: v.status }).toEqual({ id: j.id, status: 'completed' });
      if (v.error !== null) {
        expect(lockedOut).toContain(j.id);
        expect(v.error).toMatch(lockError);
      }
      expect(v.result).toMatchObject({ cameraId: j.cameraId, outcome: 'done', faces: 1, eventId: expect.any(String) });
    }
    // Those done before the kill were not run again; the interrupted ones were, after it.
    for (const j of done) expect(byId.get(j.id)!.finishedAt).toBe(atKill.get(j.id)!.finishedAt);
    for (const j of interrupted) expect(Date.parse(byId.get(j.id)!.startedAt!)).toBeGreaterThan(killedAt);

    // The event log: one finished row per job (the one its result names); the interrupted
    // attempts' rows (attempt 1, still processing) and their re-runs (attempt 2) told apart; the
    // locked-out attempts as errors.
    const rows = await events();
    const received = rows.filter((e) => e.status === 'received');
    expect(received.map((e) => e.job_id).sort()).toEqual(jobs.map((j) => j.id).sort());
    for (const j of jobs) {
      expect(received.find((e) => e.job_id === j.id)).toMatchObject({ id: byId.get(j.id)!.result!.eventId, camera_id: j.cameraId });
    }
    for (const j of done) expect(received.find((e) => e.job_id === j.id)!.attempt).toBe(1);
    for (const j of interrupted) expect(received.find((e) => e.job_id === j.id)!.attempt).toBe(2);
    // the killed attempts' rows were closed when their jobs ran again: nothing stays in flight
    expect(rows.filter((e) => e.status === 'processing')).toEqual([]);
    const closed = rows.filter((e) => stuck.some((s) => s.id === e.id));
    expect(closed.map((e) => [e.status, e.attempt, e.error_message])).toEqual(stuck.map(() => ['error', 1, INTERRUPTED_MESSAGE]));
    expect(closed.map((e) => e.job_id).sort()).toEqual(interrupted.map((j) => j.id).sort());
    for (const e of rows.filter((r) => r.status === 'error' && !stuck.some((s) => s.id === r.id))) {
      expect(lockedOut).toContain(e.job_id);
      expect(e.error_message).toMatch(lockError);
    }

    // Sightings: one row per camera, whatever was interrupted; each names its stored face crop.
    const detections = (await ds.query(`SELECT id, camera_id, person_id, status, thumbnail FROM detections ORDER BY camera_id`)) as Array<{
      id: string;
      camera_id: string;
      person_id: string | null;
      status: string;
      thumbnail: string | null;
    }>;
    expect(detections.map((d) => [d.camera_id, d.person_id, d.status])).toEqual([
      ['CAM-F1', 'EMP-FRANCK', 'authorized'],
      ['CAM-K1', 'EMP-CAGE', 'authorized'],
      ['CAM-K2', 'EMP-CAGE', 'authorized'],
      ['CAM-K3', 'EMP-CAGE', 'authorized'],
      ['CAM-K4', 'EMP-CAGE', 'authorized'],
      ['CAM-U1', null, 'unknown'],
    ]);
    const storage = t.app.get(StorageService);
    for (const d of detections) {
      expect(d.thumbnail).toBe(`thumbnails/${d.id}.jpg`);
      expect(await storage.stat(d.thumbnail!)).not.toBeNull();
      // Of all the jobs of this camera, one reported this row as a new sighting, and none anything else.
      const reported = jobs.filter((j) => j.cameraId === d.camera_id).flatMap((j) => byId.get(j.id)!.result!.sightings);
      expect(reported.map((r) => [r.detectionId, r.change])).toEqual([[d.id, 'new']]);
    }
    for (const r of rowsAtKill) expect(detections.map((d) => d.id)).toContain(r.id);
    // The live list shows each sighting once.
    const live = (await t.http().get('/api/v1/detections/live?limit=100').set(auth())).body.data as Array<{ id: string }>;
    expect(live.map((l) => l.id).sort()).toEqual(detections.map((d) => d.id).sort());

    // Attendance: one log and one presence row per person (Franck's hand-off was redone).
    const logs = (await ds.query(`SELECT employee_id, camera_id, date::text AS date FROM attendance_logs ORDER BY employee_id`)) as Array<{
      employee_id: string;
      camera_id: string;
      date: string;
    }>;
    expect(logs.map((l) => [l.employee_id, l.date])).toEqual([
      ['EMP-CAGE', today],
      ['EMP-FRANCK', today],
    ]);
    expect(logs[1].camera_id).toBe('CAM-F1');
    expect(await ds.query(`SELECT person_id FROM attendance_records ORDER BY person_id`)).toEqual([
      { person_id: 'EMP-CAGE' },
      { person_id: 'EMP-FRANCK' },
    ]);

    // One Unknown Face alert, for the stranger's camera.
    expect(await ds.query(`SELECT camera_id FROM alerts WHERE kind = 'unknown_face'`)).toEqual([{ camera_id: 'CAM-U1' }]);

    if (second.child.exitCode !== null) throw new Error(`worker exited early:\n${second.output()}`);
  }, 200_000);
});
