import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { EnvDto, RedisService, rootLogger } from '@app/core';
import { JOB_CATALOGUE, JOBS, QUEUES, validateJobPayload } from '@app/queue';
import {
  CLEAR_BUSY_SCRIPT,
  DETECTION_JOB_TIMEOUT_MS,
  DetectionPipelineService,
  ProviderConfigService,
  ProviderGallerySyncService,
  REDIS_KEYS,
  type DetectFrameResult,
  type GallerySyncResult,
} from '@app/detections';

/** Job scheduler id of the provider health probe. */
export const PROVIDER_HEALTH_SCHEDULER = 'provider-health-5min';
/** Spec: test_detection_provider every 5 minutes. */
const PROVIDER_HEALTH_EVERY_MS = 5 * 60_000;

/**
 * The `detection` queue: detect-frame (manual and sampled frames) and provider-gallery-sync.
 * Concurrency per process: WORKER_DETECTION_CONCURRENCY (the built-in engine runs one inference at
 * a time per process; a second job overlaps its frame reading and writes with that inference).
 * Each detect-frame job is bounded to 30 s. A job whose worker died is found stalled within
 * about 25 s (lock 15 s, renewed every 7.5 s; checked every 10 s) and run again, not the 60 s of
 * BullMQ's defaults: a camera's sightings should not wait a minute for a crashed worker. A second
 * stall (an event loop blocked past the lock) is tolerated once more before the job fails.
 */
@Processor(QUEUES.detection, { lockDuration: 15_000, stalledInterval: 10_000, maxStalledCount: 2 })
export class DetectionProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly log = rootLogger().child({ context: 'DetectionProcessor' });

  constructor(
    private readonly pipeline: DetectionPipelineService,
    private readonly gallery: ProviderGallerySyncService,
    private readonly redis: RedisService,
    private readonly env: EnvDto,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.env.WORKER_DETECTION_CONCURRENCY;
  }

  async process(job: Job): Promise<DetectFrameResult | GallerySyncResult | { handled: false }> {
    switch (job.name) {
      case JOBS.detectFrame:
        return this.detectFrame(job);
      case JOBS.providerGallerySync:
        return this.gallery.sync(validateJobPayload(JOBS.providerGallerySync, job.data));
      default:
        this.log.warn({ jobId: job.id, name: job.name }, 'no handler for detection job');
        return { handled: false };
    }
  }

  private async detectFrame(job: Job): Promise<DetectFrameResult> {
    const payload = validateJobPayload(JOBS.detectFrame, job.data);
    const jobId = job.id ?? '';
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(`Detection of camera ${payload.cameraId} exceeded its ${DETECTION_JOB_TIMEOUT_MS / 1000} s bound`);
        controller.abort(error);
        reject(error);
      }, DETECTION_JOB_TIMEOUT_MS);
    });
    try {
      return await Promise.race([
        // attemptsStarted counts a start that a dead worker never finished (attemptsMade does not).
        this.pipeline.detect(payload, { jobId, attempt: Math.max(job.attemptsStarted, job.attemptsMade + 1), signal: controller.signal }),
        bound,
      ]);
    } finally {
      clearTimeout(timer);
      // A sampled frame's job ends here whatever happened (sampled jobs have one attempt): let the
      // camera's next frame in.
      if (payload.trigger === 'sampler') {
        await this.redis.client.eval(CLEAR_BUSY_SCRIPT, 1, REDIS_KEYS.busy(payload.cameraId), jobId).catch(() => undefined);
      }
    }
  }
}

/** The provider-health job of the `maintenance` queue, called by MaintenanceProcessor. */
@Injectable()
export class DetectionMaintenanceJobs {
  constructor(private readonly config: ProviderConfigService) {}

  async providerHealth(job: Job): Promise<{ handled: true; status: string; latencyMs: number; message: string }> {
    const payload = validateJobPayload(JOBS.providerHealth, job.data);
    const health = await this.config.checkHealth(payload.trigger);
    return { handled: true, status: health.status, latencyMs: Math.round(health.latencyMs), message: health.message };
  }
}

/** Registers the 5-minute provider health probe (idempotent upsert: one per interval across workers). */
@Injectable()
export class ProviderHealthScheduler implements OnApplicationBootstrap {
  private readonly log = rootLogger().child({ context: 'ProviderHealthScheduler' });

  constructor(@InjectQueue(QUEUES.maintenance) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    const def = JOB_CATALOGUE[JOBS.providerHealth];
    try {
      await this.queue.upsertJobScheduler(
        PROVIDER_HEALTH_SCHEDULER,
        { every: PROVIDER_HEALTH_EVERY_MS },
        {
          name: JOBS.providerHealth,
          data: { trigger: 'scheduled' },
          opts: { attempts: def.attempts, removeOnComplete: def.removeOnComplete, removeOnFail: def.removeOnFail },
        },
      );
      this.log.info({ everyMs: PROVIDER_HEALTH_EVERY_MS }, 'provider health probe scheduled');
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'provider health probe not scheduled');
    }
  }
}
