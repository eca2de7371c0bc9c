import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { hostname } from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { RedisService, rootLogger, serviceUnavailable } from '@app/core';
import { AppVersionService } from '../version/app-version';

/**
 * Api processes announce themselves like workers do: `api:heartbeat:<host>:<pid>` (JSON ApiHeartbeat,
 * TTL 15 s, rewritten every 5 s, removed on shutdown). GET /system/health/services lists them.
 */
export const API_HEARTBEAT_KEY_PREFIX = 'api:heartbeat:';
export const API_HEARTBEAT_INTERVAL_MS = 5000;
export const API_HEARTBEAT_TTL_SECONDS = 15;

export interface ApiHeartbeat {
  /** `<host>:<pid>` */
  id: string;
  host: string;
  pid: number;
  startedAt: string;
  version: string;
  commit: string | null;
  lastBeatAt: string;
  /** Event-loop delay over the last interval (ms): p99 and max. */
  eventLoopLagP99Ms: number;
  eventLoopLagMaxMs: number;
  /** Resident memory (MiB). */
  rssMb: number;
  /** TCP port the process listens on (null before listen). */
  port: number | null;
}

export function apiHeartbeatKey(id: string): string {
  return `${API_HEARTBEAT_KEY_PREFIX}${id}`;
}

const round = (n: number): number => Math.round(n * 100) / 100;

/** Lists live processes from heartbeat keys `<prefix>*` (SCAN + MGET; keyPrefix handled by hand). */
export async function scanHeartbeats<T>(redis: RedisService, prefix: string): Promise<T[]> {
  const client = redis.client;
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${redis.prefix}${prefix}*`, 'COUNT', 200);
    cursor = next;
    keys.push(...batch.map((k) => k.slice(redis.prefix.length)));
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const out: T[] = [];
  for (const raw of await client.mget(...keys)) {
    if (!raw) continue;
    try {
      out.push(JSON.parse(raw) as T);
    } catch {
      /* not ours */
    }
  }
  return out;
}

/** The heartbeat of this api process (event-loop delay sampled continuously, reset every beat). */
@Injectable()
export class ApiHeartbeatService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = rootLogger().child({ context: 'ApiHeartbeat' });
  readonly host = hostname();
  readonly pid = process.pid;
  readonly id = `${this.host}:${this.pid}`;
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private lastLag = { p99: 0, max: 0 };

  constructor(
    private readonly redis: RedisService,
    private readonly version: AppVersionService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    this.histogram.enable();
    if (this.redis.ready) void this.beat();
    else this.redis.client.once('ready', () => void this.beat());
    this.timer = setInterval(() => void this.beat(), API_HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  /** The event-loop delay of the last completed interval (ms). */
  get eventLoopLag(): { p99: number; max: number } {
    return this.lastLag;
  }

  snapshot(): ApiHeartbeat {
    // Histogram values are nanoseconds; an idle histogram reports NaN/huge placeholders.
    if (this.histogram.count > 0) {
      this.lastLag = { p99: round(this.histogram.percentile(99) / 1e6), max: round(this.histogram.max / 1e6) };
    }
    this.histogram.reset();
    const address = this.adapterHost.httpAdapter?.getHttpServer()?.address?.();
    return {
      id: this.id,
      host: this.host,
      pid: this.pid,
      startedAt: this.version.startedAt.toISOString(),
      version: this.version.version,
      commit: this.version.commit,
      lastBeatAt: new Date().toISOString(),
      eventLoopLagP99Ms: this.lastLag.p99,
      eventLoopLagMaxMs: this.lastLag.max,
      rssMb: round(process.memoryUsage.rss() / 1048576),
      port: address && typeof address === 'object' ? address.port : null,
    };
  }

  async beat(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.redis.client.set(apiHeartbeatKey(this.id), JSON.stringify(this.snapshot()), 'EX', API_HEARTBEAT_TTL_SECONDS);
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'api heartbeat not written');
    }
  }

  /** Live api processes (heartbeat younger than its TTL), oldest first. */
  async listApis(): Promise<ApiHeartbeat[]> {
    try {
      const apis = await scanHeartbeats<ApiHeartbeat>(this.redis, API_HEARTBEAT_KEY_PREFIX);
      return apis.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
    } catch (err) {
      throw serviceUnavailable('Redis is unavailable: cannot list api processes', { reason: (err as Error).message });
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.histogram.disable();
    try {
      await this.redis.client.del(apiHeartbeatKey(this.id));
    } catch {
      /* expires on its own */
    }
  }
}
