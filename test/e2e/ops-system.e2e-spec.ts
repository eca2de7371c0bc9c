import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { RedisService } from '@app/core';
import { JobsProducer } from '@app/queue';
import { SYSTEM_METRICS_CACHE_KEY, siteDate } from '@app/system';
import { createTestApp, TestContext } from '../support/test-app';
import { createTestWorker } from '../support/test-worker';
import { freePort } from '../support/services';
import { eventually } from '../support/ws-client';

const TZ = 'Asia/Kolkata';
const COMMIT = 'abc1234def5678';
const METRICS_TOKEN = 'scrape-secret-for-tests';

interface HealthMetrics {
  source: string;
  collectedAt: string | null;
  stale: boolean;
  metrics: Array<{ category: string; label: string; value: number; unit: string | null; limit: number | null }>;
  queues: Record<string, unknown>;
}

interface Service {
  id: string;
  kind: string;
  status: string;
  restartable: boolean;
  lastRestart: string | null;
  details: Record<string, unknown>;
}

describe('system: health metrics, services and restarts, network, uptime, version, banners, Prometheus', () => {
  let t: TestContext;
  let worker: INestApplicationContext;
  let admin: string;
  let viewer: string;
  let ds: DataSource;
  let metricsPort: number;
  let workerHealthPort: number;
  const workerId = `${hostname()}:${process.pid}`;

  const get = (url: string, token = admin) => t.http().get(url).set('Authorization', `Bearer ${token}`);
  const post = (url: string, body: object = {}, token = admin) => t.http().post(url).set('Authorization', `Bearer ${token}`).send(body);
  const services = async (): Promise<Service[]> => (await get('/api/v1/system/health/services')).body.data as Service[];

  beforeAll(async () => {
    metricsPort = await freePort();
    workerHealthPort = await freePort();
    t = await createTestApp({
      SITE_TIMEZONE: TZ,
      GIT_COMMIT: COMMIT,
      ALERT_DISK_USAGE_PERCENT: '1',
      ALERT_MEMORY_USAGE_PERCENT: '100',
      METRICS_PORT: String(metricsPort),
      METRICS_TOKEN,
      WORKER_HEALTH_PORT: String(workerHealthPort),
      WORKER_SHUTDOWN_TIMEOUT_SECONDS: '5',
    });
    worker = await createTestWorker();
    admin = (await t.login()).accessToken;
    viewer = (await t.userWithRole('ROLE-VIEWER')).token;
    ds = t.app.get(DataSource);
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  it('collects metrics in the worker into system_metrics and Redis, raises disk pressure, and serves cache then database', async () => {
    const producer = t.app.get(JobsProducer);
    const jobId = await producer.enqueue('collect-metrics', { trigger: 'manual' });
    const job = await eventually(
      () => producer.getJob(jobId),
      (j) => j?.status === 'completed' || j?.status === 'failed',
      20000,
    );
    expect(job?.status).toBe('completed');
    const result = job!.result as { handled: boolean; collectedAt: string; samples: number; raised: string[] };
    expect(result.handled).toBe(true);
    expect(result.raised).toContain(`disk_pressure:${hostname()}:/`);
    expect(result.raised.some((r) => r.startsWith('memory_pressure'))).toBe(false);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM system_metrics WHERE timestamp = $1`, [result.collectedAt]);
    expect(n).toBe(result.samples);

    const fromCache = await eventually(
      async () => (await get('/api/v1/system/health/metrics', viewer)).body.data as HealthMetrics,
      (d) => d.source === 'cache' && d.collectedAt !== null && Date.parse(d.collectedAt) >= Date.parse(result.collectedAt),
    );
    expect(fromCache.stale).toBe(false);
    const categories = new Set(fromCache.metrics.map((m) => m.category));
    for (const c of ['cpu', 'memory', 'disk', 'network', 'runtime', 'queue']) expect(categories).toContain(c);
    const cpu = fromCache.metrics.find((m) => m.label === 'CPU usage')!;
    expect(cpu).toMatchObject({ unit: '%', limit: 100 });
    expect(cpu.value).toBeGreaterThanOrEqual(0);
    expect(cpu.value).toBeLessThanOrEqual(100);
    const lag = fromCache.metrics.find((m) => m.label === 'Event loop lag p99 (api, worst process)');
    expect(lag?.unit).toBe('ms');
    expect(Object.keys(fromCache.queues).sort()).toEqual(['detection', 'exports', 'maintenance', 'odoo-sync']);
    expect(fromCache.queues.maintenance).toEqual({
      waiting: expect.any(Number),
      active: expect.any(Number),
      delayed: expect.any(Number),
      failed: expect.any(Number),
    });

    const alerts = await get('/api/v1/alerts?kind=disk_pressure');
    expect(alerts.body.meta.total).toBe(1);
    expect(alerts.body.data[0]).toMatchObject({ subject: `${hostname()}:/`, resolvedAt: null });

    // without the cache: the latest collection from PostgreSQL
    const latestRow = await ds.query(`SELECT max(timestamp) AS at FROM system_metrics`);
    await t.app.get(RedisService).del(SYSTEM_METRICS_CACHE_KEY);
    const fromDb = (await get('/api/v1/system/health/metrics')).body.data;
    expect(fromDb.source).toBe('database');
    expect(fromDb.collectedAt).toBe(new Date(latestRow[0].at).toISOString());
    const [{ rows }] = await ds.query(`SELECT count(*)::int AS rows FROM system_metrics WHERE timestamp = $1`, [latestRow[0].at]);
    expect(fromDb.metrics).toHaveLength(rows);
    expect(Object.keys(fromDb.queues).sort()).toEqual(['detection', 'exports', 'maintenance', 'odoo-sync']);
  });

  it('lists the real state of api processes, workers, dependencies, provider and Odoo', async () => {
    const list = await eventually(
      services,
      (s) => s.some((x) => x.id === `worker:${workerId}`) && s.some((x) => x.id === `api:${workerId}`),
    );
    const byId = new Map(list.map((s) => [s.id, s]));
    const api = byId.get(`api:${workerId}`)!;
    expect(api).toMatchObject({
      kind: 'process',
      version: expect.any(String),
      details: expect.objectContaining({ current: true, commit: COMMIT }),
    });
    // a process whose event loop lags (p99 > 200 ms) is degraded: on a loaded test machine it can be
    expect(api.status).toBe((api.details.eventLoopLagP99Ms as number) > 200 ? 'degraded' : 'running');
    const w = byId.get(`worker:${workerId}`)!;
    expect(w).toMatchObject({ kind: 'worker', status: 'running', restartable: true });
    expect(w.details.queues).toEqual(expect.arrayContaining(['maintenance']));
    for (const id of ['postgres', 'redis', 'object-storage', 'redis-cache']) {
      const dep = byId.get(id)!;
      // up; slower than 1 s to answer counts as degraded
      expect([id, dep.status]).toEqual([id, (dep.details.latencyMs as number) > 1000 ? 'degraded' : 'running']);
      expect(dep.restartable).toBe(id === 'redis-cache');
    }
    expect(byId.get('worker-queues')).toMatchObject({
      status: 'running',
      restartable: true,
      details: expect.objectContaining({ workers: 1 }),
    });

    // provider and Odoo mirror what their domains recorded
    await ds.query(`UPDATE detection_provider_config SET status = 'degraded', enabled = true, last_heartbeat = now() WHERE id = 1`);
    await ds.query(`UPDATE odoo_config SET status = 'connected' WHERE id = 1`);
    let now = new Map((await services()).map((s) => [s.id, s]));
    expect(now.get('detection-provider')).toMatchObject({
      status: 'degraded',
      details: expect.objectContaining({ status: 'degraded', enabled: true }),
    });
    expect(now.get('odoo')).toMatchObject({ status: 'running', restartable: false });
    await ds.query(`UPDATE detection_provider_config SET status = 'connected', enabled = false WHERE id = 1`);
    await ds.query(`UPDATE odoo_config SET status = 'error' WHERE id = 1`);
    now = new Map((await services()).map((s) => [s.id, s]));
    expect(now.get('detection-provider')?.status).toBe('stopped');
    expect(now.get('odoo')?.status).toBe('degraded');
  });

  it('restarts worker queues (observed through the services endpoint), flushes the cache, refuses the rest', async () => {
    expect((await post('/api/v1/system/services/worker-queues/restart', {}, viewer)).status).toBe(403);
    const all = await post('/api/v1/system/services/worker-queues/restart');
    expect(all.status).toBe(202);
    expect(all.body.data).toMatchObject({ id: 'worker-queues', action: 'restart-queues', affected: 1 });
    const afterAll1 = await eventually(services, (s) => (s.find((x) => x.id === `worker:${workerId}`)?.details.restarts as number) === 1);
    const wq = afterAll1.find((x) => x.id === 'worker-queues')!;
    expect(Date.parse(wq.lastRestart!)).toBeGreaterThan(Date.now() - 60_000);

    const one = await post(`/api/v1/system/services/worker:${workerId}/restart`);
    expect(one.status).toBe(202);
    const afterOne = await eventually(services, (s) => (s.find((x) => x.id === `worker:${workerId}`)?.details.restarts as number) === 2);
    const w = afterOne.find((x) => x.id === `worker:${workerId}`)!;
    expect(w.status).toBe('running');
    expect(w.details.pausedQueues).toEqual([]);
    expect(Date.parse(w.lastRestart!)).toBeGreaterThan(Date.now() - 60_000);

    // the worker still consumes after its restarts
    const producer = t.app.get(JobsProducer);
    const jobId = await producer.enqueue('collect-metrics', { trigger: 'manual' });
    await eventually(
      () => producer.getJob(jobId),
      (j) => j?.status === 'completed',
      20000,
    );

    // redis-cache: every cache:* key goes
    const redis = t.app.get(RedisService);
    await get('/api/v1/alerts');
    await redis.client.set('cache:ops-test', '1');
    const flushed = await post('/api/v1/system/services/redis-cache/restart');
    expect(flushed.status).toBe(202);
    expect(flushed.body.data.action).toBe('flush-cache');
    expect(flushed.body.data.affected).toBeGreaterThanOrEqual(2);
    expect(await redis.client.exists('cache:ops-test')).toBe(0);
    expect((await redis.client.keys(`${redis.prefix}cache:*`)).length).toBe(0);

    const probe = await post('/api/v1/system/services/detection-provider/restart');
    expect(probe.status).toBe(202);
    expect(probe.body.data.action).toBe('probe-provider');

    expect((await post('/api/v1/system/services/postgres/restart')).status).toBe(409);
    expect((await post(`/api/v1/system/services/api:${workerId}/restart`)).status).toBe(409);
    expect((await post('/api/v1/system/services/worker:nobody:1/restart')).status).toBe(404);
    expect((await post('/api/v1/system/services/no-such-service/restart')).status).toBe(404);
    expect((await post('/api/v1/system/services/%20bad%20/restart')).status).toBe(400);

    const audit = await get('/api/v1/audit?action=system.service_restarted&pageSize=50');
    expect(audit.body.data.map((r: { resourceId: string }) => r.resourceId).sort()).toEqual(
      ['detection-provider', 'redis-cache', `worker:${workerId}`, 'worker-queues'].sort(),
    );
  });

  it('reports per-camera network metrics from the watchdog’s columns', async () => {
    await ds.query(
      `INSERT INTO cameras (id, name, location, stream_type, status, latency, bitrate, fps, resolution, last_checked, last_seen) VALUES
       ('CAM-N1', 'Gate', 'North', 'RTSP', 'online', 42.5, 4.2, 25, '1920x1080', now(), now()),
       ('CAM-N2', 'Dock', 'South', 'RTSP', 'online', 17.5, 2.1, 15, '1280x720', now(), now()),
       ('CAM-N3', 'Roof', 'Top', 'HTTP', 'offline', 0, 0, 0, NULL, now(), NULL)`,
    );
    await ds.query(`INSERT INTO cameras (id, name, location, stream_type, deleted_at) VALUES ('CAM-N4', 'Gone', 'X', 'RTSP', now())`);
    const res = await get('/api/v1/system/network-metrics', viewer);
    expect(res.status).toBe(200);
    const n = res.body.data;
    expect(n.cameras.map((c: { cameraId: string }) => c.cameraId)).toEqual(['CAM-N1', 'CAM-N2', 'CAM-N3']);
    expect(n.cameras[0]).toMatchObject({
      cameraId: 'CAM-N1',
      status: 'online',
      latencyMs: 42.5,
      bitrateMbps: 4.2,
      fps: 25,
      resolution: '1920x1080',
    });
    expect(n.cameras[2]).toMatchObject({ status: 'offline', lastSeen: null });
    expect(n).toMatchObject({ averageLatencyMs: 30, totalBitrateMbps: 6.3, online: 2, offline: 1, maintenance: 0 });
  });

  it('reports process uptime and each camera’s uptime today in the site time zone', async () => {
    const today = siteDate(new Date(), TZ);
    const yesterday = siteDate(new Date(Date.now() - 86_400_000), TZ);
    await ds.query(
      `INSERT INTO camera_summaries (camera_id, date, uptime_percent, online_checks, total_checks, detections_today, unknown_faces) VALUES
       ('CAM-N1', $1, 95.5, 191, 200, 12, 2), ('CAM-N2', $1, 50, 10, 20, 3, 0), ('CAM-N1', $2, 10, 1, 10, 99, 9)`,
      [today, yesterday],
    );
    const res = await get('/api/v1/system/uptime');
    expect(res.status).toBe(200);
    const u = res.body.data;
    expect(u.date).toBe(today);
    expect(u.timezone).toBe(TZ);
    expect(u.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(u.processes.map((p: { id: string }) => p.id).sort()).toEqual([`api:${workerId}`, `worker:${workerId}`]);
    const cams = new Map(u.cameras.map((c: { cameraId: string }) => [c.cameraId, c]));
    expect(cams.get('CAM-N1')).toMatchObject({ uptimePercent: 95.5, onlineChecks: 191, totalChecks: 200 });
    expect(cams.get('CAM-N2')).toMatchObject({ uptimePercent: 50 });
    expect(cams.get('CAM-N3')).toMatchObject({ uptimePercent: null, totalChecks: 0 });
    expect(u.averageCameraUptimePercent).toBe(72.75);
  });

  it('reports the version of package.json and the build commit', async () => {
    const res = await get('/api/v1/system/version', viewer);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(res.body.data).toMatchObject({ version: pkg.version, commit: COMMIT, node: process.version, apiVersion: 'v1' });
  });

  it('posts, lists, expires and deletes banner messages', async () => {
    expect((await post('/api/v1/services/banner-messages', { message: 'nope' }, viewer)).status).toBe(403);
    const long = await post('/api/v1/services/banner-messages', { message: '  Maintenance at 22:00  ', level: 'warning', ttlMinutes: 60 });
    expect(long.status).toBe(201);
    expect(long.body.data).toMatchObject({ message: 'Maintenance at 22:00', level: 'warning', createdBy: 'admin@example.com' });
    expect(Date.parse(long.body.data.expiresAt) - Date.parse(long.body.data.createdAt)).toBe(3_600_000);
    const short = await post('/api/v1/services/banner-messages', { message: 'Blip', expiresAt: new Date(Date.now() + 1500).toISOString() });
    expect(short.status).toBe(201);
    const dflt = await post('/api/v1/services/banner-messages', { message: 'Default expiry' });
    expect(Date.parse(dflt.body.data.expiresAt) - Date.parse(dflt.body.data.createdAt)).toBe(86_400_000);

    for (const bad of [
      {},
      { message: '' },
      { message: 'x'.repeat(501) },
      { message: 'x', level: 'urgent' },
      { message: 'x', expiresAt: new Date(Date.now() - 1000).toISOString() },
      { message: 'x', expiresAt: new Date(Date.now() + 31 * 86_400_000).toISOString() },
      { message: 'x', ttlMinutes: 0 },
      { message: 'x', ttlMinutes: 10, expiresAt: new Date(Date.now() + 60_000).toISOString() },
      { message: 'x', extra: true },
    ]) {
      const res = await post('/api/v1/services/banner-messages', bad);
      expect([JSON.stringify(bad), res.status]).toEqual([JSON.stringify(bad), 400]);
    }

    const listed = (await get('/api/v1/services/banner-messages', viewer)).body.data.map((b: { id: string }) => b.id);
    expect(listed).toEqual([dflt.body.data.id, short.body.data.id, long.body.data.id]);
    await new Promise((r) => setTimeout(r, 1700));
    const later = (await get('/api/v1/services/banner-messages')).body.data.map((b: { id: string }) => b.id);
    expect(later).toEqual([dflt.body.data.id, long.body.data.id]);

    expect(
      (await t.http().delete(`/api/v1/services/banner-messages/${long.body.data.id}`).set('Authorization', `Bearer ${admin}`)).status,
    ).toBe(204);
    expect(
      (await t.http().delete(`/api/v1/services/banner-messages/${long.body.data.id}`).set('Authorization', `Bearer ${admin}`)).status,
    ).toBe(404);
    expect((await t.http().delete('/api/v1/services/banner-messages/nope').set('Authorization', `Bearer ${admin}`)).status).toBe(400);
  });

  it('exposes Prometheus metrics behind system:read, on the internal port with its token, and the worker’s on its health port', async () => {
    await get('/api/v1/alerts?level=high');
    await get('/api/v1/alerts/muted-kinds');
    expect((await t.http().get('/api/v1/metrics')).status).toBe(401);
    const res = await get('/api/v1/metrics', viewer);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/alerts",status_code="200"\} \d+/);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/api\/v1\/alerts",status_code="200"\}/);
    expect(text).not.toMatch(/route="\/api\/v1\/alerts\?level/);
    expect(text).toMatch(/cctv_queue_jobs\{queue="maintenance",state="waiting"\} \d+/);
    expect(text).toMatch(/cctv_camera_detections_today\{camera="CAM-N1"\} 12/);
    expect(text).toMatch(/cctv_camera_unknown_faces_today\{camera="CAM-N1"\} 2/);
    expect(text).toMatch(/cctv_alerts_open\{level="high"\} [1-9]/);
    expect(text).toMatch(/process_cpu_user_seconds_total/);

    const internal = `http://127.0.0.1:${metricsPort}/metrics`;
    expect((await fetch(internal)).status).toBe(401);
    expect((await fetch(internal, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const scraped = await fetch(internal, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/http_requests_total\{/);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/other`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(
      404,
    );

    const workerMetrics = await fetch(`http://127.0.0.1:${workerHealthPort}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(workerMetrics.status).toBe(200);
    const wtext = await workerMetrics.text();
    expect(wtext).toMatch(/bullmq_jobs_total\{queue="maintenance",job="collect-metrics",status="completed"\} [1-9]/);
    expect(wtext).toMatch(/bullmq_job_duration_seconds_count\{queue="maintenance",job="collect-metrics",status="completed"\} [1-9]/);
    expect((await fetch(`http://127.0.0.1:${workerHealthPort}/metrics`)).status).toBe(401);
  });
});
