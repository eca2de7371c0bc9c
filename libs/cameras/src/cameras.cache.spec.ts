import { describe, expect, it } from '@jest/globals';
import type { RedisService } from '@app/core';
import { CamerasCache } from './cameras.cache';

/** An in-memory stand-in for RedisService (get/set/incr and the JSON helpers the cache uses). */
function fakeRedis(down = false) {
  const store = new Map<string, string>();
  const fail = (): never => {
    throw new Error('redis down');
  };
  const client = {
    get: async (k: string) => (down ? fail() : (store.get(k) ?? null)),
    incr: async (k: string) => {
      if (down) fail();
      const n = Number(store.get(k) ?? 0) + 1;
      store.set(k, String(n));
      return n;
    },
  };
  const redis = {
    client,
    getJson: async <T>(k: string): Promise<T | undefined> =>
      down || !store.has(k) ? undefined : (JSON.parse(store.get(k) as string) as T),
    setJson: async (k: string, v: unknown) => {
      if (!down) store.set(k, JSON.stringify(v));
    },
  };
  return { redis: redis as unknown as RedisService, store };
}

describe('CamerasCache', () => {
  it('serves a hit, runs one load for concurrent misses, and misses after invalidate', async () => {
    const { redis } = fakeRedis();
    const cache = new CamerasCache(redis);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 20));
      return { n: loads };
    };
    const first = await Promise.all([cache.read('x', 10, load), cache.read('x', 10, load), cache.read('x', 10, load)]);
    expect(first).toEqual([{ n: 1 }, { n: 1 }, { n: 1 }]);
    expect(await cache.read('x', 10, load)).toEqual({ n: 1 });
    await cache.invalidate();
    expect(await cache.read('x', 10, load)).toEqual({ n: 2 });
    expect(loads).toBe(2);
  });

  it('reads through to the loader when Redis is down', async () => {
    const { redis } = fakeRedis(true);
    const cache = new CamerasCache(redis);
    let loads = 0;
    await cache.read('x', 10, async () => ++loads);
    await cache.read('x', 10, async () => ++loads);
    await cache.invalidate();
    expect(loads).toBe(2);
  });
});
