import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RedisService } from '@app/core';
import { REDIS_KEYS } from '../detections.constants';
import type { TrackState } from './sighting-tracker';

/**
 * The lock of a camera's tracks lives LOCK_MS and is renewed every LOCK_RENEW_MS while its holder
 * works: a worker killed while holding it (SIGKILL, OOM) blocks the camera for at most LOCK_MS, less
 * than the time BullMQ takes to find its job stalled and run it again (detection.processor.ts), so
 * the re-run gets the lock within its LOCK_WAIT_MS.
 */
const LOCK_MS = 8_000;
const LOCK_RENEW_MS = 2_000;
const LOCK_WAIT_MS = 10_000;
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/** Redis is needed to fold frames into sightings; without it a job fails and is retried. */
export class TrackStoreUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrackStoreUnavailableError';
  }
}

/**
 * The open tracks of each camera, in Redis so that any worker can take the next frame of a camera
 * (state in no process). Updates of one camera are serialised by a short Redis lock (a manual
 * frame can run beside a sampled one).
 */
@Injectable()
export class TrackStore {
  constructor(private readonly redis: RedisService) {}

  /**
   * Runs `update` on the camera's tracks under its lock and stores what it returns; the tracks
   * expire from Redis `ttlMs` after the last update. `save` stores an intermediate state while
   * `update` runs (what a crash before its end leaves).
   */
  async update<R>(
    cameraId: string,
    ttlMs: number,
    update: (
      tracks: TrackState[],
      save: (tracks: TrackState[]) => Promise<void>,
    ) => Promise<{ tracks: TrackState[]; result: R }> | { tracks: TrackState[]; result: R },
  ): Promise<R> {
    const token = randomUUID();
    await this.acquire(cameraId, token);
    const renew = setInterval(() => {
      void this.redis.client.eval(RENEW_SCRIPT, 1, REDIS_KEYS.tracksLock(cameraId), token, LOCK_MS).catch(() => undefined);
    }, LOCK_RENEW_MS);
    renew.unref();
    const save = async (next: TrackState[]): Promise<void> => {
      if (next.length)
        await this.redis.client.set(REDIS_KEYS.tracks(cameraId), JSON.stringify(next), 'PX', Math.max(1000, Math.round(ttlMs)));
      else await this.redis.client.del(REDIS_KEYS.tracks(cameraId));
    };
    try {
      const raw = await this.redis.client.get(REDIS_KEYS.tracks(cameraId));
      const tracks = raw ? (JSON.parse(raw) as TrackState[]) : [];
      const { tracks: next, result } = await update(tracks, save);
      await save(next);
      return result;
    } finally {
      clearInterval(renew);
      await this.redis.client.eval(RELEASE_SCRIPT, 1, REDIS_KEYS.tracksLock(cameraId), token).catch(() => undefined);
    }
  }

  /** The open tracks of a camera (diagnostics, tests). */
  async peek(cameraId: string): Promise<TrackState[]> {
    const raw = await this.redis.client.get(REDIS_KEYS.tracks(cameraId));
    return raw ? (JSON.parse(raw) as TrackState[]) : [];
  }

  private async acquire(cameraId: string, token: string): Promise<void> {
    const until = Date.now() + LOCK_WAIT_MS;
    let delay = 10;
    for (;;) {
      let ok: string | null;
      try {
        ok = await this.redis.client.set(REDIS_KEYS.tracksLock(cameraId), token, 'PX', LOCK_MS, 'NX');
      } catch (err) {
        throw new TrackStoreUnavailableError(`Redis unavailable for sighting tracks: ${(err as Error).message}`);
      }
      if (ok === 'OK') return;
      if (Date.now() > until)
        throw new TrackStoreUnavailableError(`Sighting tracks of camera ${cameraId} stayed locked for ${LOCK_WAIT_MS} ms`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(100, delay * 2);
    }
  }
}
