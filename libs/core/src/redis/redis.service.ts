import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Redis, RedisOptions } from 'ioredis';
import { EnvDto } from '../config/env.dto';
import { rootLogger } from '../logging/logger';

/**
 * The shared Redis connection for caches, rate limits, locks and heartbeats.
 * Commands fail fast while Redis is unreachable (no offline queue), so callers can fall back
 * (live detections read PostgreSQL, rate limiting fails open) instead of hanging requests.
 * Every key carries REDIS_PREFIX.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  readonly client: Redis;
  readonly prefix: string;
  private subscriberConn?: Redis;

  constructor(private readonly env: EnvDto) {
    this.prefix = `${env.REDIS_PREFIX}:`;
    this.client = new Redis(env.REDIS_URL, this.options({ keyPrefix: this.prefix }));
    this.client.on('error', (err: Error) => rootLogger().debug({ err: err.message }, 'redis error'));
  }

  options(extra: RedisOptions = {}): RedisOptions {
    return {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: (times: number) => Math.min(times * 200, 2000),
      ...extra,
    };
  }

  /** A dedicated connection for SUBSCRIBE (a subscribed connection cannot run other commands). */
  subscriber(): Redis {
    if (!this.subscriberConn) {
      this.subscriberConn = new Redis(this.env.REDIS_URL, {
        ...this.options(),
        enableOfflineQueue: true,
        maxRetriesPerRequest: null,
      });
      this.subscriberConn.on('error', (err: Error) => rootLogger().debug({ err: err.message }, 'redis sub error'));
    }
    return this.subscriberConn;
  }

  /** Channel names are prefixed like keys (PUBLISH is not affected by ioredis keyPrefix). */
  channel(name: string): string {
    return `${this.prefix}${name}`;
  }

  get ready(): boolean {
    return this.client.status === 'ready';
  }

  async ping(timeoutMs = 1000): Promise<boolean> {
    if (!this.ready) return false;
    try {
      const pong = await Promise.race([
        this.client.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
      ]);
      return pong === 'PONG';
    } catch {
      return false;
    }
  }

  /** JSON get that treats an unreachable Redis as a miss. */
  async getJson<T>(key: string): Promise<T | undefined> {
    try {
      const raw = await this.client.get(key);
      return raw === null ? undefined : (JSON.parse(raw) as T);
    } catch {
      return undefined;
    }
  }

  /** JSON set that ignores an unreachable Redis. */
  async setJson(key: string, value: unknown, ttlSeconds?: number): Promise<void> {
    try {
      const raw = JSON.stringify(value);
      if (ttlSeconds) await this.client.set(key, raw, 'EX', ttlSeconds);
      else await this.client.set(key, raw);
    } catch {
      /* cache only */
    }
  }

  async del(...keys: string[]): Promise<void> {
    try {
      if (keys.length) await this.client.del(...keys);
    } catch {
      /* cache only */
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.client.disconnect();
    this.subscriberConn?.disconnect();
  }
}
