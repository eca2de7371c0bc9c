import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { RedisService, rootLogger } from '@app/core';

/** Redis key (under REDIS_PREFIX) of the one-sync-at-a-time lock. */
export const ODOO_SYNC_LOCK_KEY = 'odoo:sync:lock';

/** What the lock holder tells others (GET /odoo/status shows it). */
export interface SyncLockInfo {
  /** BullMQ job id of the running sync. */
  jobId: string | null;
  trigger: string;
  startedAt: string;
  /** host:pid of the worker running it. */
  holder: string;
}

interface LockValue extends SyncLockInfo {
  token: string;
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A held lock: renewed in the background every `renewMs` while the run lasts. When a renewal finds
 * the lock gone or taken (the run stalled longer than the TTL), `lost` turns true and the run must
 * stop at its next checkpoint. `release()` deletes it only if it is still ours.
 */
export class HeldSyncLock {
  private lostFlag = false;
  private readonly timer: NodeJS.Timeout;
  private released = false;

  constructor(
    private readonly redis: RedisService,
    private readonly value: string,
    private readonly ttlMs: number,
    renewMs: number,
  ) {
    this.timer = setInterval(() => void this.renew(), renewMs);
    this.timer.unref();
  }

  get lost(): boolean {
    return this.lostFlag;
  }

  /** Extends the TTL; false (and `lost`) when the lock is no longer ours. Redis errors keep trying until the TTL passes. */
  async renew(): Promise<boolean> {
    if (this.released || this.lostFlag) {
      return !this.lostFlag;
    }
    try {
      const extended = await this.redis.client.eval(RENEW, 1, ODOO_SYNC_LOCK_KEY, this.value, String(this.ttlMs));
      if (extended !== 1) {
        this.lostFlag = true;
        rootLogger().warn({ key: ODOO_SYNC_LOCK_KEY }, 'odoo sync lock lost: another run may have started');
      }
    } catch (err) {
      rootLogger().warn({ err: (err as Error).message }, 'odoo sync lock renewal failed; retrying');
    }
    return !this.lostFlag;
  }

  async release(): Promise<void> {
    if (this.released) {
      return;
    }
    this.released = true;
    clearInterval(this.timer);
    try {
      await this.redis.client.eval(RELEASE, 1, ODOO_SYNC_LOCK_KEY, this.value);
    } catch (err) {
      // It expires by itself within the TTL.
      rootLogger().warn({ err: (err as Error).message }, 'odoo sync lock release failed; it expires on its own');
    }
  }
}

/** The lock that keeps two syncs from ever running at once, across every worker process. */
@Injectable()
export class OdooSyncLock {
  constructor(private readonly redis: RedisService) {}

  /** Takes the lock, or returns null when another sync holds it. Throws when Redis is unreachable. */
  async acquire(info: Omit<SyncLockInfo, 'holder' | 'startedAt'>, ttlMs: number, renewMs: number): Promise<HeldSyncLock | null> {
    await this.waitReady();
    const value: LockValue = {
      token: randomUUID(),
      jobId: info.jobId,
      trigger: info.trigger,
      startedAt: new Date().toISOString(),
      holder: `${hostname()}:${process.pid}`,
    };
    const raw = JSON.stringify(value);
    const ok = await this.redis.client.set(ODOO_SYNC_LOCK_KEY, raw, 'PX', ttlMs, 'NX');
    return ok === 'OK' ? new HeldSyncLock(this.redis, raw, ttlMs, renewMs) : null;
  }

  /** The running sync, or null when none holds the lock (or Redis cannot tell). */
  async current(): Promise<SyncLockInfo | null> {
    try {
      const raw = await this.redis.client.get(ODOO_SYNC_LOCK_KEY);
      if (!raw) {
        return null;
      }
      const { token: _token, ...info } = JSON.parse(raw) as LockValue;
      return info;
    } catch {
      return null;
    }
  }

  /** The shared client fails fast while (re)connecting: give it a moment when a job starts early. */
  private async waitReady(timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.redis.ready && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
