import { Injectable } from '@nestjs/common';
import { RedisService } from '@app/core';

const VERSION_KEY = 'cameras:cache:version';

/**
 * Short-lived Redis cache of camera reads that dashboards poll (list pages, today's summary), shared
 * by every api process. Entries live under the current version: any change to cameras bumps it
 * (`invalidate`), so a changed camera shows on the next read; the TTL bounds what does not bump it
 * (new detections, lastSeen from the sampler). An unreachable Redis means reading the database.
 */
@Injectable()
export class CamerasCache {
  /** Loads in flight in this process, so that a miss under load runs the query once, not per request. */
  private readonly loading = new Map<string, Promise<unknown>>();

  constructor(private readonly redis: RedisService) {}

  async read<T>(name: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
    const version = await this.version();
    if (version === null) return load();
    const key = `cameras:cache:${version}:${name}`;
    const hit = await this.redis.getJson<T>(key);
    if (hit !== undefined) return hit;
    const pending = this.loading.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    const loaded = (async () => {
      const value = await load();
      await this.redis.setJson(key, value, ttlSeconds);
      return value;
    })();
    this.loading.set(key, loaded);
    try {
      return await loaded;
    } finally {
      this.loading.delete(key);
    }
  }

  /** Call after every change to cameras that reads show. */
  async invalidate(): Promise<void> {
    try {
      await this.redis.client.incr(VERSION_KEY);
    } catch {
      // Redis unreachable: nothing was cached under it either (reads fall through to the database).
    }
  }

  private async version(): Promise<string | null> {
    try {
      return (await this.redis.client.get(VERSION_KEY)) ?? '0';
    } catch {
      return null;
    }
  }
}
