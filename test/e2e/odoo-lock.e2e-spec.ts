import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { EnvDto, RedisService } from '@app/core';
import { ODOO_SYNC_LOCK_KEY, OdooSyncLock } from '@app/odoo';
import { deleteRedisPrefix } from '../support/test-app';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';

describe('the one-sync-at-a-time lock (real Redis)', () => {
  const prefix = `tlock${randomUUID().slice(0, 8)}`;
  let redis: RedisService;
  let raw: Redis;
  let lock: OdooSyncLock;

  beforeAll(async () => {
    redis = new RedisService(Object.assign(new EnvDto(), { REDIS_URL, REDIS_PREFIX: prefix }));
    raw = new Redis(REDIS_URL);
    lock = new OdooSyncLock(redis);
  });

  afterAll(async () => {
    await redis.onApplicationShutdown();
    raw.disconnect();
    await deleteRedisPrefix(prefix);
  });

  it('is held by one run at a time, shows who holds it, and is released only by its holder', async () => {
    const first = await lock.acquire({ jobId: 'sync_a', trigger: 'manual' }, 2000, 500);
    expect(first).not.toBeNull();
    expect(await lock.acquire({ jobId: 'sync_b', trigger: 'scheduled' }, 2000, 500)).toBeNull();
    const info = await lock.current();
    expect(info).toMatchObject({ jobId: 'sync_a', trigger: 'manual', holder: expect.stringMatching(/:\d+$/) });
    expect(JSON.stringify(info)).not.toContain('token');
    // stored under REDIS_PREFIX, with a TTL
    expect(await raw.pttl(`${prefix}:${ODOO_SYNC_LOCK_KEY}`)).toBeGreaterThan(0);

    await first!.release();
    expect(await lock.current()).toBeNull();
    const second = await lock.acquire({ jobId: 'sync_b', trigger: 'manual' }, 2000, 500);
    expect(second).not.toBeNull();
    await first!.release(); // a second release by the old holder does nothing
    expect((await lock.current())?.jobId).toBe('sync_b');
    await second!.release();
  });

  it('is renewed while the run lasts and expires by itself when the holder dies', async () => {
    const held = await lock.acquire({ jobId: 'sync_long', trigger: 'manual' }, 600, 150);
    await new Promise((r) => setTimeout(r, 1500));
    // still held 2.5 TTLs later: renewed in the background
    expect((await lock.current())?.jobId).toBe('sync_long');
    expect(held!.lost).toBe(false);
    await held!.release();

    // a holder that stops renewing (killed) frees it within the TTL
    await raw.set(
      `${prefix}:${ODOO_SYNC_LOCK_KEY}`,
      JSON.stringify({ token: 'dead', jobId: 'sync_dead', trigger: 'manual', startedAt: '', holder: 'x:1' }),
      'PX',
      300,
    );
    expect(await lock.acquire({ jobId: 'sync_next', trigger: 'manual' }, 1000, 300)).toBeNull();
    await new Promise((r) => setTimeout(r, 400));
    const next = await lock.acquire({ jobId: 'sync_next', trigger: 'manual' }, 1000, 300);
    expect(next).not.toBeNull();
    await next!.release();
  });

  it("tells a stalled holder that it lost the lock, and never lets it renew or release the new holder's lock", async () => {
    const stalled = await lock.acquire({ jobId: 'sync_stalled', trigger: 'manual' }, 60_000, 60_000);
    // the TTL passed (the holder froze) and another run took over
    await raw.del(`${prefix}:${ODOO_SYNC_LOCK_KEY}`);
    const other = await lock.acquire({ jobId: 'sync_other', trigger: 'manual' }, 60_000, 60_000);
    expect(await stalled!.renew()).toBe(false);
    expect(stalled!.lost).toBe(true);
    await stalled!.release();
    expect((await lock.current())?.jobId).toBe('sync_other');
    await other!.release();
  });
});
