import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { CameraWatchdogService, liveChildPids, type WatchdogPassResult } from '@app/cameras';
import { JobsProducer, QUEUES } from '@app/queue';
import { CAMERA_WATCHDOG_SCHEDULER } from '../../apps/worker/src/processors/cameras.processor';
import { createTestApp, TestContext } from '../support/test-app';
import { createTestWorker } from '../support/test-worker';
import { makeTestVideo, refusedPort, sleep, stopAllTestStreams, waitUntil } from '../support/streams';

/**
 * The camera watchdog as the worker runs it (camera-watchdog jobs on the maintenance queue): status
 * and uptime samples, `camera-status` events delivered over the api's WebSocket, a `Camera Offline`
 * alert after the (shortened) threshold, resolved after two good probes, one alert for a flapping
 * camera. A camera "dies" by its video file being moved away and "comes back" by moving it back.
 */
const ALERT_AFTER_SECONDS = 3;
jest.setTimeout(60_000);

type Msg = {
  type: string;
  channel?: string;
  cameraId?: string;
  status?: string;
  alert?: { title: string; cameraId: string; level: string };
};

describe('camera watchdog', () => {
  let t: TestContext;
  let worker: INestApplicationContext;
  let admin: string;
  let ds: DataSource;
  let dir: string;
  let video: string;
  let ws: WebSocket;
  const messages: Msg[] = [];

  const auth = () => ({ Authorization: `Bearer ${admin}` });
  const register = async (body: Record<string, unknown>) => {
    // Sampling off: the detection sampler of the worker leaves these cameras to the watchdog.
    const res = await t
      .http()
      .post('/api/v1/cameras')
      .set(auth())
      .send({ location: 'Yard', samplingEnabled: false, ...body });
    expect(res.status).toBe(201);
  };
  const kill = () => renameSync(video, `${video}.away`);
  const revive = () => renameSync(`${video}.away`, video);

  /** Runs one pass through the queue, as the scheduler would, and returns its result. */
  const pass = async () => {
    const jobs = t.app.get(JobsProducer);
    const id = await jobs.enqueue('camera-watchdog', { trigger: 'manual' });
    let view = await jobs.getJob(id);
    await waitUntil(
      'watchdog job',
      async () => {
        view = await jobs.getJob(id);
        return view?.status === 'completed' || view?.status === 'failed';
      },
      30_000,
    );
    expect(view?.status).toBe('completed');
    const result = view!.result as WatchdogPassResult;
    expect(result.ran).toBe(true);
    return result;
  };
  const camera = async (id: string) =>
    (await ds.query(`SELECT status, offline_since, last_seen, last_checked FROM cameras WHERE id = $1`, [id]))[0];
  const alerts = async (id: string) =>
    ds.query(`SELECT title, level, camera_id, resolved_at FROM alerts WHERE kind = 'camera_offline' AND subject = $1 ORDER BY created_at`, [
      id,
    ]);
  const statusEvents = (id: string) => messages.filter((m) => m.type === 'camera-status' && m.cameraId === id).map((m) => m.status);
  const settle = () => sleep(300);
  const untilEpisodeOlderThanThreshold = async (id: string) => {
    const since = ((await camera(id)).offline_since as Date).getTime();
    await sleep(Math.max(0, since + ALERT_AFTER_SECONDS * 1000 + 100 - Date.now()));
  }; // events travel worker -> Redis -> api gateway -> socket

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'watchdog-e2e-'));
    video = await makeTestVideo(dir, { seconds: 2, width: 320, height: 180, fps: 5, name: 'yard.mp4' });
    t = await createTestApp({
      CAMERA_OFFLINE_ALERT_SECONDS: String(ALERT_AFTER_SECONDS),
      CAMERA_RECOVERY_CHECKS: '2',
      // Passes are run by hand; the scheduled one is registered but far away.
      CAMERA_WATCHDOG_INTERVAL_SECONDS: '3600',
      CAMERA_SOCKET_TIMEOUT_MS: '2000',
      CAMERA_PROBE_TIMEOUT_MS: '6000',
      SITE_TIMEZONE: 'America/New_York',
    });
    admin = (await t.login()).accessToken;
    ds = t.app.get(DataSource);
    await register({ id: 'WD-FILE', name: 'Yard file', streamType: 'Local File', streamUrl: video });
    await register({ id: 'WD-OFF', name: 'Disabled', streamType: 'Local File', streamUrl: video, enabled: false });
    await register({ id: 'WD-MAINT', name: 'Maintenance', streamType: 'Local File', streamUrl: video, status: 'maintenance' });

    ws = new WebSocket(`${t.baseUrl.replace('http', 'ws')}/ws?token=${admin}`);
    ws.on('message', (data) => messages.push(JSON.parse(String(data)) as Msg));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ action: 'subscribe', channel: 'camera-status' }));
    ws.send(JSON.stringify({ action: 'subscribe', channel: 'alerts' }));
    await waitUntil('subscriptions', async () => messages.filter((m) => m.type === 'subscribed').length === 2, 5000);
    // The worker registers the scheduler on start; an interval scheduler's first pass runs at once.
    worker = await createTestWorker();
  }, 60_000);

  afterAll(async () => {
    ws?.close();
    await worker?.close();
    await t?.close();
    await stopAllTestStreams();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers one job scheduler at the configured interval; its first pass runs at start', async () => {
    const queue = worker.get<Queue>(getQueueToken(QUEUES.maintenance), { strict: false });
    const scheduler = await queue.getJobScheduler(CAMERA_WATCHDOG_SCHEDULER);
    expect(scheduler).toMatchObject({ name: 'camera-watchdog', every: 3_600_000 });
    await waitUntil(
      'first scheduled pass',
      async () => (await queue.getJobs(['completed'])).some((j) => j.name === 'camera-watchdog'),
      30_000,
    );
    const [job] = (await queue.getJobs(['completed'])).filter((j) => j.name === 'camera-watchdog');
    expect(job.data).toEqual({ trigger: 'scheduled' });
    expect(job.returnvalue).toMatchObject({ handled: true, ran: true, checked: 1, online: 1, offline: 0 });
  });

  it('probes watched cameras, publishes status changes and counts uptime samples', async () => {
    expect(await camera('WD-FILE')).toMatchObject({ status: 'online', offline_since: null });
    // Registered now, so that its offline episode starts with the next pass (not the scheduled one).
    await register({
      id: 'WD-DEAD',
      name: 'Dead gate',
      streamType: 'RTSP',
      streamUrl: `rtsp://admin:pw-123@127.0.0.1:${await refusedPort()}/s`,
    });
    // Straight through the service (no queue wait): far within the alert threshold.
    const result = await worker.get(CameraWatchdogService).runPass();
    expect(result).toMatchObject({ ran: true, checked: 2, online: 1, offline: 1, alertsRaised: 0 });
    const dead = await camera('WD-DEAD');
    expect(dead.status).toBe('offline');
    expect(Date.now() - (dead.offline_since as Date).getTime()).toBeLessThan(ALERT_AFTER_SECONDS * 1000);
    expect((await camera('WD-OFF')).last_checked).toBeNull();
    expect((await camera('WD-MAINT')).status).toBe('maintenance');
    await settle();
    expect(statusEvents('WD-FILE')).toEqual(['online']);
    expect(statusEvents('WD-DEAD')).toEqual([]); // offline -> offline is no change

    const rows = await ds.query(`SELECT camera_id, online_checks, total_checks, date::text FROM camera_summaries ORDER BY camera_id`);
    const [{ today }] = await ds.query(`SELECT (now() AT TIME ZONE 'America/New_York')::date::text AS today`);
    expect(rows).toEqual([
      { camera_id: 'WD-DEAD', online_checks: 0, total_checks: 1, date: today },
      { camera_id: 'WD-FILE', online_checks: 2, total_checks: 2, date: today },
    ]);
    expect(liveChildPids()).toEqual([]);
  });

  it('raises one Camera Offline alert once the camera has been down past the threshold', async () => {
    await untilEpisodeOlderThanThreshold('WD-DEAD');
    expect((await pass()).alertsRaised).toBe(1);
    const [alert] = await alerts('WD-DEAD');
    expect(alert).toMatchObject({ title: 'Camera Offline', level: 'high', camera_id: 'WD-DEAD', resolved_at: null });
    await pass(); // still down: refreshed, not duplicated
    expect(await alerts('WD-DEAD')).toHaveLength(1);
    await settle();
    const pushed = messages.filter((m) => m.type === 'alert' && m.alert?.cameraId === 'WD-DEAD');
    expect(pushed).toHaveLength(1);
    expect(pushed[0].alert).toMatchObject({ title: 'Camera Offline', level: 'high' });
  });

  it('a flapping camera stays in one episode: one alert, resolved after two good probes in a row', async () => {
    kill();
    await pass(); // down: the episode starts
    const down = await camera('WD-FILE');
    expect(down.status).toBe('offline');
    expect(down.offline_since).not.toBeNull();
    revive();
    await pass(); // up once: status follows, the episode stays open
    expect(await camera('WD-FILE')).toMatchObject({ status: 'online', offline_since: down.offline_since });
    kill();
    await untilEpisodeOlderThanThreshold('WD-FILE');
    expect((await pass()).alertsRaised).toBe(1); // down again, episode older than the threshold
    revive();
    await pass(); // up 1/2
    expect((await alerts('WD-FILE'))[0].resolved_at).toBeNull();
    const recovered = await pass(); // up 2/2
    expect(recovered.alertsResolved).toBe(1);
    expect(await camera('WD-FILE')).toMatchObject({ status: 'online', offline_since: null });
    const all = await alerts('WD-FILE');
    expect(all).toHaveLength(1);
    expect(all[0].resolved_at).not.toBeNull();
    await settle();
    expect(statusEvents('WD-FILE')).toEqual(['online', 'offline', 'online', 'offline', 'online']);
  });

  it('summary uptime comes from the samples; disabling resolves the open alert', async () => {
    const res = await t.http().get('/api/v1/cameras/summary').set(auth());
    const byId = Object.fromEntries((res.body.data as Array<{ id: string }>).map((s) => [s.id, s]));
    // WD-FILE: 9 passes (the scheduled one and 8 by hand), down in two of them.
    expect(byId['WD-FILE']).toMatchObject({ uptimePercent: 77.78, uptimeSamples: 9 });
    expect(byId['WD-DEAD']).toMatchObject({ uptimePercent: 0, uptimeSamples: 8 });
    expect(byId['WD-OFF']).toMatchObject({ uptimePercent: 0, uptimeSamples: 0 });

    expect((await t.http().patch('/api/v1/cameras/WD-DEAD/state').set(auth()).send({ enabled: false })).status).toBe(200);
    expect((await alerts('WD-DEAD'))[0].resolved_at).not.toBeNull();
    expect((await camera('WD-DEAD')).offline_since).toBeNull();
    expect((await pass()).checked).toBe(1);
  });

  it('never runs two passes at once', async () => {
    const service = worker.get(CameraWatchdogService);
    const [a, b] = await Promise.all([service.runPass(), service.runPass()]);
    expect([a.ran, b.ran].sort()).toEqual([false, true]);
  });
});
