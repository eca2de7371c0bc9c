import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RedisService } from '@app/core';
import { StorageService } from '@app/storage';

export interface DependencyCheck {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'not-ready';
  checks: { postgres: DependencyCheck; redis: DependencyCheck; storage: DependencyCheck };
}

const TIMEOUT_MS = 2000;

async function timed(fn: () => Promise<boolean>): Promise<DependencyCheck> {
  const started = performance.now();
  try {
    const ok = await Promise.race([
      fn(),
      new Promise<boolean>((_, reject) => setTimeout(() => reject(new Error('timed out')), TIMEOUT_MS).unref()),
    ]);
    const latencyMs = Math.round(performance.now() - started);
    return ok ? { status: 'up', latencyMs } : { status: 'down', latencyMs, error: 'not reachable' };
  } catch (err) {
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error: (err as Error).message.slice(0, 200) };
  }
}

/** Liveness of this process and readiness of what it depends on (PostgreSQL, Redis, object storage). */
@Injectable()
export class HealthService {
  private readonly startedAt = Date.now();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly redis: RedisService,
    private readonly storage: StorageService,
  ) {}

  live(): { status: 'ok'; uptimeSeconds: number; pid: number } {
    return { status: 'ok', uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000), pid: process.pid };
  }

  async ready(): Promise<ReadinessReport> {
    const [postgres, redis, storage] = await Promise.all([
      timed(async () => {
        await this.dataSource.query('SELECT 1');
        return true;
      }),
      timed(() => this.redis.ping(TIMEOUT_MS)),
      timed(() => this.storage.ping(TIMEOUT_MS)),
    ]);
    const allUp = postgres.status === 'up' && redis.status === 'up' && storage.status === 'up';
    return { status: allUp ? 'ready' : 'not-ready', checks: { postgres, redis, storage } };
  }
}
