import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { EnvDto, rootLogger } from '@app/core';
import { JOB_CATALOGUE, JOBS, QUEUES, validateJobPayload } from '@app/queue';
import { FaceStorageCleanupService, type SweepResult } from '@app/faces';

/** Job scheduler id of the daily face storage sweep (one per queue, whatever the number of workers). */
export const FACE_STORAGE_SWEEP_SCHEDULER = 'face-storage-sweep-daily';
/** 03:30 site time: after the nightly cleanup, away from shift changes. */
const SWEEP_PATTERN = '30 3 * * *';

/**
 * Face registry jobs of the `maintenance` queue, called by MaintenanceProcessor. A failing
 * storage deletion throws so BullMQ retries it (catalogue: 12 attempts, exponential back-off).
 */
@Injectable()
export class FaceJobs {
  constructor(private readonly cleanup: FaceStorageCleanupService) {}

  async storageErase(job: Job): Promise<{ handled: true; removed: number }> {
    const payload = validateJobPayload(JOBS.faceStorageErase, job.data);
    return { handled: true, ...(await this.cleanup.runEraseJob(payload)) };
  }

  async storageSweep(job: Job): Promise<SweepResult & { handled: true }> {
    validateJobPayload(JOBS.faceStorageSweep, job.data);
    return { handled: true, ...(await this.cleanup.sweep()) };
  }
}

/** Registers the daily face storage sweep (idempotent upsert) in the site timezone. */
@Injectable()
export class FaceStorageSweepScheduler implements OnApplicationBootstrap {
  private readonly log = rootLogger().child({ context: 'FaceStorageSweepScheduler' });

  constructor(
    @InjectQueue(QUEUES.maintenance) private readonly queue: Queue,
    private readonly env: EnvDto,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const def = JOB_CATALOGUE[JOBS.faceStorageSweep];
    const tz = isValidTimeZone(this.env.SITE_TIMEZONE) ? this.env.SITE_TIMEZONE : 'UTC';
    try {
      await this.queue.upsertJobScheduler(
        FACE_STORAGE_SWEEP_SCHEDULER,
        { pattern: SWEEP_PATTERN, tz },
        {
          name: JOBS.faceStorageSweep,
          data: { trigger: 'scheduled' },
          opts: { attempts: def.attempts, backoff: def.backoff, removeOnComplete: def.removeOnComplete, removeOnFail: def.removeOnFail },
        },
      );
      this.log.info({ pattern: SWEEP_PATTERN, tz }, 'face storage sweep scheduled');
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'face storage sweep not scheduled');
    }
  }
}

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
