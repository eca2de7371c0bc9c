import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { RedisService, resetEnv } from '@app/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { JobsProducer, QUEUES } from '@app/queue';
import { WorkerRegistryService } from '@app/system/workers/worker-registry.service';
import type { WorkerHeartbeat } from '@app/system/workers/worker-heartbeat';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { HealthServerService } from '../../apps/worker/src/health/health-server.service';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const PREFIX = `test-worker-${randomUUID().slice(0, 8)}`;
const WORKER_ID = `${hostname()}:${process.pid}`;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`condition not met; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('worker process plumbing', () => {
  const saved = { ...process.env };
  let worker: INestApplicationContext;
  let registry: WorkerRegistryService;
  let redis: RedisService;
  let producer: JobsProducer;
  let healthPort: number;
  let closed = false;
  let db: TestDatabase;

  const self = async (): Promise<WorkerHeartbeat | undefined> => (await registry.listWorkers()).find((w) => w.id === WORKER_ID);

  beforeAll(async () => {
    healthPort = await freePort();
    // a migrated database of its own (cloned from the run's template), never the installation's
    db = await createTestDatabase();
    Object.assign(process.env, {
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_PREFIX: PREFIX,
      WORKER_HEALTH_PORT: String(healthPort),
      WORKER_SHUTDOWN_TIMEOUT_SECONDS: '5',
      LOG_LEVEL: 'silent',
    });
    resetEnv();
    const moduleRef = await Test.createTestingModule({ imports: [WorkerModule] }).compile();
    worker = await moduleRef.init();
    redis = worker.get(RedisService);
    registry = new WorkerRegistryService(redis);
    producer = worker.get(JobsProducer);
    // the shared client fails fast until it is connected
    await eventually(
      async () => redis.ready,
      (ready) => ready,
    );
  });

  afterAll(async () => {
    if (!closed) await worker?.close();
    const raw = new Redis(REDIS_URL);
    const keys = await raw.keys(`${PREFIX}:*`);
    if (keys.length) await raw.del(...keys);
    raw.disconnect();
    process.env = saved;
    resetEnv();
    await db?.drop();
  });

  it('writes a heartbeat with a TTL that the registry lists', async () => {
    const beat = await eventually(self, (w) => w !== undefined);
    expect(beat).toMatchObject({
      id: WORKER_ID,
      host: hostname(),
      pid: process.pid,
      queues: expect.arrayContaining(['maintenance']),
      pausedQueues: [],
      lastRestartAt: null,
      restarts: 0,
    });
    expect(beat!.version).toMatch(/^\d+\.\d+\.\d+/);
    const ttl = await redis.client.ttl(`worker:heartbeat:${WORKER_ID}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(15);
  });

  /** A job no handler knows, added straight to the queue: exercises the processor without side effects. */
  async function plumbingJob(): Promise<Job> {
    const queue = worker.get<Queue>(getQueueToken(QUEUES.maintenance));
    return queue.add('plumbing-probe', {}, { jobId: `mnt_plumbing-${randomUUID()}`, removeOnComplete: { age: 60 } });
  }

  it('runs maintenance jobs through its processor', async () => {
    const job = await plumbingJob();
    const done = await eventually(
      () => job.getState(),
      (s) => s === 'completed',
    );
    expect(done).toBe('completed');
    const queue = worker.get<Queue>(getQueueToken(QUEUES.maintenance));
    expect((await queue.getJob(job.id!))?.returnvalue).toEqual({ handled: false });
  });

  it('restarts its queue consumers on a control command addressed to it, and records it', async () => {
    expect(await registry.restartQueues('someone-else:1')).toBeGreaterThanOrEqual(1);
    expect(await registry.restartQueues(WORKER_ID, 'admin')).toBeGreaterThanOrEqual(1);
    const beat = await eventually(self, (w) => (w?.restarts ?? 0) >= 1);
    expect(beat?.restarts).toBe(1);
    expect(Date.parse(beat!.lastRestartAt!)).toBeGreaterThan(Date.parse(beat!.startedAt) - 1);

    // still consuming after the restart
    const job = await plumbingJob();
    await eventually(
      () => job.getState(),
      (s) => s === 'completed',
    );
  });

  it('pauses and resumes queues, reporting them in the heartbeat', async () => {
    await registry.sendCommand({ command: 'pause-queues', queues: ['maintenance'] });
    await eventually(self, (w) => w?.pausedQueues.includes('maintenance') === true);
    const id = await producer.enqueue('provider-health', { trigger: 'manual' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await producer.getJob(id))?.status).toBe('queued');

    await registry.sendCommand({ command: 'resume-queues' });
    await eventually(self, (w) => w?.pausedQueues.length === 0);
    await eventually(
      () => producer.getJob(id),
      (j) => j?.status === 'completed',
    );
  });

  it('answers GET /health on the internal port', async () => {
    expect(worker.get(HealthServerService).port).toBe(healthPort);
    const res = await fetch(`http://127.0.0.1:${healthPort}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', id: WORKER_ID, redis: 'up', queues: expect.arrayContaining(['maintenance']) });
    const other = await fetch(`http://127.0.0.1:${healthPort}/`);
    expect(other.status).toBe(404);
    await other.text();
  });

  it('removes its heartbeat when it shuts down', async () => {
    const probe = new Redis(REDIS_URL, { keyPrefix: `${PREFIX}:` });
    try {
      await worker.close();
      closed = true;
      expect(await probe.exists(`worker:heartbeat:${WORKER_ID}`)).toBe(0);
      // the health port is closed too
      await expect(fetch(`http://127.0.0.1:${healthPort}/health`)).rejects.toThrow();
    } finally {
      probe.disconnect();
    }
  });
});
