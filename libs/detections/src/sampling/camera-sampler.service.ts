import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { EnvDto, RedisService, rootLogger } from '@app/core';
import { CamerasService, FrameSampler, type CameraEntity, type SampledFrame } from '@app/cameras';
import { JOBS, JobsProducer } from '@app/queue';
import { REDIS_KEYS, SAMPLER } from '../detections.constants';
import { FrameStore } from '../pipeline/frame-store';
import { ProviderConfigRepository } from '../provider-config.repository';

/** Members of the sampler pool (sorted set: owner id -> last heartbeat, ms). */
const POOL_KEY = 'det:samplers';
const RENEW_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

interface Owned {
  camera: CameraEntity;
  sampler: FrameSampler;
  /** What the sampler was started with; a change restarts it. */
  fingerprint: string;
  lastError: string | null;
}

export interface SamplerStatus {
  owner: string;
  cameras: { cameraId: string; state: string; frames: number; restarts: number; lastError: string | null }[];
}

/** BullMQ job ids allow letters, digits, `_`, `-`, `.`; camera ids already fit (CAMERA_ID_PATTERN). */
const safeId = (cameraId: string): string => cameraId.replace(/[^A-Za-z0-9_.-]/g, '-');

/**
 * Continuous sampling: every enabled camera with sampling on gets one long-lived ffmpeg decoder
 * (FrameSampler, keyframes only, one frame per `sample_interval_ms`) in exactly one worker, and
 * each frame becomes a `detect-frame` job that any worker may run.
 *
 * - Ownership: a Redis lease per camera (SET NX PX, renewed every 5 s, 15 s to live), so one worker
 *   samples a camera and a dead worker's cameras are taken over within the lease time. Workers
 *   take at most their fair share (cameras / live samplers, rounded up) and give up the excess
 *   when another worker joins.
 * - Frames go to Redis (FrameStore) for whichever worker runs the job.
 * - No overlap: a camera has at most one sampled job in flight (`det:busy:<camera>`, cleared by the
 *   job, bounded by 35 s); frames arriving meanwhile are dropped (the next one is fresher).
 *   Job ids `det_<camera>_<half-interval slot>` de-duplicate frames two samplers might both send
 *   during a lease hand-over.
 */
@Injectable()
export class CameraSamplerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = rootLogger().child({ context: 'CameraSampler' });
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly owned = new Map<string, Owned>();
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly env: EnvDto,
    private readonly redis: RedisService,
    private readonly cameras: CamerasService,
    private readonly config: ProviderConfigRepository,
    private readonly frames: FrameStore,
    private readonly jobs: JobsProducer,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.env.WORKER_SAMPLING_ENABLED) {
      this.log.info('camera sampling disabled in this worker (WORKER_SAMPLING_ENABLED=false)');
      return;
    }
    this.timer = setInterval(() => void this.reconcile(), SAMPLER.reconcileMs);
    this.timer.unref();
    void this.reconcile();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    await Promise.all([...this.owned.keys()].map((id) => this.release(id)));
    await this.redis.client.zrem(POOL_KEY, this.owner).catch(() => undefined);
  }

  status(): SamplerStatus {
    return {
      owner: this.owner,
      cameras: [...this.owned.entries()].map(([cameraId, o]) => {
        const s = o.sampler.stats();
        return { cameraId, state: s.state, frames: s.frames, restarts: s.restarts, lastError: o.lastError };
      }),
    };
  }

  /** One pass: renew, release and claim leases; start and stop decoders. Never throws. */
  reconcile(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.pass()
      .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'sampler reconcile failed'))
      .finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<void> {
    const provider = await this.config.get();
    const wanted = provider.enabled ? await this.cameras.listSamplingCameras() : [];
    const byId = new Map(wanted.filter((c) => c.streamUrl).map((c) => [c.id, c]));

    // Cameras no longer to sample (disabled, deleted, maintenance, provider off), or changed.
    for (const [id, o] of this.owned) {
      const cam = byId.get(id);
      if (!cam) await this.release(id);
      else if (fingerprintOf(cam) !== o.fingerprint) {
        await this.stopSampler(id);
        this.start(cam);
      }
    }
    if (this.stopped) return;

    // Keep the leases we hold; a lease lost (e.g. after a long pause) stops the decoder.
    for (const id of [...this.owned.keys()]) {
      const kept = await this.redis.client.eval(RENEW_SCRIPT, 1, REDIS_KEYS.samplerLease(id), this.owner, SAMPLER.leaseMs);
      if (kept !== 1) {
        this.log.warn({ cameraId: id }, 'sampler lease lost: stopping');
        await this.stopSampler(id);
      }
    }

    // Fair share among the live samplers.
    const now = Date.now();
    await this.redis.client
      .multi()
      .zadd(POOL_KEY, now, this.owner)
      .zremrangebyscore(POOL_KEY, 0, now - SAMPLER.leaseMs)
      .exec();
    const pool = Math.max(1, await this.redis.client.zcard(POOL_KEY));
    const share = Math.ceil(byId.size / pool);
    for (const id of [...this.owned.keys()].slice(share)) await this.release(id);

    for (const cam of byId.values()) {
      if (this.stopped || this.owned.size >= share) break;
      if (this.owned.has(cam.id)) continue;
      const got = await this.redis.client.set(REDIS_KEYS.samplerLease(cam.id), this.owner, 'PX', SAMPLER.leaseMs, 'NX');
      if (got === 'OK') this.start(cam);
    }
  }

  private start(camera: CameraEntity): void {
    let source;
    try {
      source = this.cameras.streamSourceOf(camera);
    } catch (err) {
      this.log.warn({ cameraId: camera.id, err: (err as Error).message }, 'camera cannot be sampled');
      return;
    }
    const owned: Owned = {
      camera,
      fingerprint: fingerprintOf(camera),
      lastError: null,
      sampler: new FrameSampler({
        source,
        ffmpegPath: this.env.FFMPEG_PATH,
        intervalMs: camera.sampleIntervalMs,
        keyframesOnly: true,
        maxWidth: SAMPLER.maxWidth,
        socketTimeoutMs: this.env.CAMERA_SOCKET_TIMEOUT_MS,
        onFrame: (frame) => void this.onFrame(camera, frame),
        onError: (message) => {
          owned.lastError = message;
          this.log.warn({ cameraId: camera.id, err: message }, 'camera decoder stopped; restarting with back-off');
        },
      }),
    };
    this.owned.set(camera.id, owned);
    owned.sampler.start();
    this.log.info({ cameraId: camera.id, intervalMs: camera.sampleIntervalMs }, 'sampling camera');
  }

  private async onFrame(camera: CameraEntity, frame: SampledFrame): Promise<void> {
    if (this.stopped || !this.owned.has(camera.id)) return;
    const interval = camera.sampleIntervalMs;
    try {
      await this.frames.save(camera.id, frame, Math.max(10_000, SAMPLER.frameMaxAgeIntervals * interval));
      void this.markSeen(camera.id, frame.capturedAt);
      const slot = Math.floor(frame.capturedAt.getTime() / Math.max(1, Math.floor(interval / 2)));
      const jobKey = `${safeId(camera.id)}_${slot}`;
      // One sampled job in flight per camera: the marker is the public job id, cleared by the job.
      const busy = await this.redis.client.set(REDIS_KEYS.busy(camera.id), `det_${jobKey}`, 'PX', SAMPLER.busyMs, 'NX');
      if (busy !== 'OK') return;
      try {
        await this.jobs.enqueue(JOBS.detectFrame, { cameraId: camera.id, trigger: 'sampler' }, { jobId: jobKey, attempts: 1 });
      } catch (err) {
        await this.redis.client.del(REDIS_KEYS.busy(camera.id)).catch(() => undefined);
        throw err;
      }
    } catch (err) {
      this.log.warn({ cameraId: camera.id, err: (err as Error).message }, 'sampled frame not queued');
    }
  }

  /** cameras.last_seen at most every 10 s per camera (across workers). */
  private async markSeen(cameraId: string, at: Date): Promise<void> {
    try {
      const gate = await this.redis.client.set(REDIS_KEYS.seenGate(cameraId), '1', 'PX', 10_000, 'NX');
      if (gate === 'OK') await this.cameras.markSeen(cameraId, at);
    } catch {
      /* the watchdog keeps status anyway */
    }
  }

  private async stopSampler(cameraId: string): Promise<void> {
    const o = this.owned.get(cameraId);
    if (!o) return;
    this.owned.delete(cameraId);
    await o.sampler.stop();
  }

  private async release(cameraId: string): Promise<void> {
    await this.stopSampler(cameraId);
    await this.redis.client.eval(RELEASE_SCRIPT, 1, REDIS_KEYS.samplerLease(cameraId), this.owner).catch(() => undefined);
    this.log.info({ cameraId }, 'stopped sampling camera');
  }
}

function fingerprintOf(c: CameraEntity): string {
  return JSON.stringify([c.streamType, c.streamUrl, c.rtspTransport, c.sampleIntervalMs]);
}

/** Clears a camera's in-flight marker when its sampled job ends (only if it is still this job's). */
export const CLEAR_BUSY_SCRIPT = RELEASE_SCRIPT;
