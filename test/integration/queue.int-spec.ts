import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { ConfigModule, resetEnv } from '@app/core';
import { bullPrefix, JobsProducer, JobView, QUEUES, QueueModule } from '@app/queue';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const PREFIX = `test-queue-${randomUUID().slice(0, 8)}`;

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

describe('JobsProducer against real Redis', () => {
  let app: INestApplicationContext;
  let producer: JobsProducer;
  let redis: Redis;
  const workers: Worker[] = [];
  const savedEnv = { REDIS_PREFIX: process.env.REDIS_PREFIX, REDIS_URL: process.env.REDIS_URL };

  function startWorker(queue: string, fn: (job: Job) => Promise<unknown>): Worker {
    const worker = new Worker(queue, fn, {
      connection: { url: REDIS_URL, maxRetriesPerRequest: null },
      prefix: bullPrefix(PREFIX),
    });
    workers.push(worker);
    return worker;
  }

  async function statusOf(id: string): Promise<JobView | null> {
    return producer.getJob(id);
  }

  beforeAll(async () => {
    process.env.REDIS_PREFIX = PREFIX;
    process.env.REDIS_URL = REDIS_URL;
    resetEnv();
    redis = new Redis(REDIS_URL);
    const moduleRef = await Test.createTestingModule({ imports: [ConfigModule, QueueModule.forRoot()] }).compile();
    app = await moduleRef.init();
    producer = app.get(JobsProducer);
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await app?.close();
    await deleteKeys(redis, `${PREFIX}:*`);
    redis.disconnect();
    process.env.REDIS_PREFIX = savedEnv.REDIS_PREFIX;
    process.env.REDIS_URL = savedEnv.REDIS_URL;
    if (savedEnv.REDIS_PREFIX === undefined) delete process.env.REDIS_PREFIX;
    if (savedEnv.REDIS_URL === undefined) delete process.env.REDIS_URL;
    resetEnv();
  });

  it('keeps BullMQ keys under <REDIS_PREFIX>:bull', async () => {
    const id = await producer.enqueue('camera-watchdog', { trigger: 'manual' }, { delay: 60000 });
    expect(id).toMatch(/^mnt_[0-9a-f-]{36}$/);
    const keys = await redis.keys(`${PREFIX}:bull:maintenance:*`);
    expect(keys.length).toBeGreaterThan(0);
    // a delayed job is reported as queued
    expect(await statusOf(id)).toMatchObject({ id, name: 'camera-watchdog', queue: 'maintenance', status: 'queued' });
  });

  it('enqueues a job that a worker completes; getJob reports the result', async () => {
    startWorker(QUEUES.detection, async (job) => {
      await job.updateProgress(100);
      return { faces: 1, cameraId: (job.data as { cameraId: string }).cameraId };
    });
    const id = await producer.enqueue('detect-frame', { cameraId: 'CAM-01', trigger: 'manual', requestedBy: 'u1' });
    expect(id).toMatch(/^det_/);

    await waitFor(async () => (await statusOf(id))?.status === 'completed');
    const view = await statusOf(id);
    expect(view).toMatchObject({
      id,
      name: 'detect-frame',
      queue: 'detection',
      status: 'completed',
      progress: 100,
      result: { faces: 1, cameraId: 'CAM-01' },
      error: null,
      attempts: 1,
      maxAttempts: 3,
    });
    expect(Date.parse(view!.createdAt)).toBeLessThanOrEqual(Date.parse(view!.finishedAt!));
  });

  it('reports a job that fails every attempt as failed, with the error and the attempts made', async () => {
    startWorker(QUEUES.exports, async () => {
      throw new Error('chromium crashed');
    });
    const id = await producer.enqueue('export-attendance', { exportId: 'e-1' }, { backoff: { type: 'fixed', delay: 10 } });
    expect(id).toMatch(/^exp_/);
    await waitFor(async () => (await statusOf(id))?.status === 'failed');
    expect(await statusOf(id)).toMatchObject({
      status: 'failed',
      error: 'chromium crashed',
      attempts: 2,
      maxAttempts: 2,
      result: null,
    });
  });

  it('de-duplicates by jobId', async () => {
    const a = await producer.enqueue('odoo-sync', { trigger: 'scheduled' }, { jobId: 'slot-202511051030', delay: 60000 });
    const b = await producer.enqueue('odoo-sync', { trigger: 'scheduled' }, { jobId: 'slot-202511051030', delay: 60000 });
    expect(a).toBe('sync_slot-202511051030');
    expect(b).toBe(a);
    const depths = await producer.queueDepths();
    expect(depths['odoo-sync']).toEqual({ waiting: 0, active: 0, delayed: 1, failed: 0 });
    expect(depths.exports.failed).toBe(1);
    expect(Object.keys(depths).sort()).toEqual(['detection', 'exports', 'maintenance', 'odoo-sync']);
  });

  it('rejects invalid payloads and job ids before touching Redis', async () => {
    await expect(producer.enqueue('detect-frame', { cameraId: '', trigger: 'manual' })).rejects.toThrow(/cameraId/);
    await expect(producer.enqueue('cleanup', { trigger: 'manual' }, { jobId: 'a:b' })).rejects.toThrow(/jobId/);
  });

  it('returns null for unknown or malformed ids', async () => {
    expect(await producer.getJob(`det_${randomUUID()}`)).toBeNull();
    expect(await producer.getJob('nope')).toBeNull();
    expect(await producer.getJob('det_')).toBeNull();
  });
});
