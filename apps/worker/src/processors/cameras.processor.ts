import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { EnvDto, rootLogger } from '@app/core';
import { JOB_CATALOGUE, JOBS, QUEUES, validateJobPayload } from '@app/queue';
import { CameraWatchdogService, type WatchdogPassResult } from '@app/cameras';

/** Job scheduler id of the watchdog (one per queue, whatever the number of workers). */
export const CAMERA_WATCHDOG_SCHEDULER = 'camera-watchdog-every';

/**
 * Camera jobs of the `maintenance` queue, called by MaintenanceProcessor (one @Processor per queue).
 * A watchdog pass finding cameras offline is an expected outcome: it returns, it does not throw.
 */
@Injectable()
export class CameraJobs {
  constructor(private readonly watchdog: CameraWatchdogService) {}

  async cameraWatchdog(job: Job): Promise<WatchdogPassResult & { handled: true }> {
    validateJobPayload(JOBS.cameraWatchdog, job.data);
    return { handled: true, ...(await this.watchdog.runPass()) };
  }
}

/**
 * Registers the watchdog's BullMQ job scheduler on start (idempotent upsert): exactly one pass
 * per CAMERA_WATCHDOG_INTERVAL_SECONDS across all workers, the interval updated when it changes.
 */
@Injectable()
export class CameraWatchdogScheduler implements OnApplicationBootstrap {
  private readonly log = rootLogger().child({ context: 'CameraWatchdogScheduler' });

  constructor(
    @InjectQueue(QUEUES.maintenance) private readonly queue: Queue,
    private readonly env: EnvDto,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const every = this.env.CAMERA_WATCHDOG_INTERVAL_SECONDS * 1000;
    const def = JOB_CATALOGUE[JOBS.cameraWatchdog];
    await this.queue.upsertJobScheduler(
      CAMERA_WATCHDOG_SCHEDULER,
      { every },
      {
        name: JOBS.cameraWatchdog,
        data: { trigger: 'scheduled' },
        opts: { attempts: def.attempts, removeOnComplete: def.removeOnComplete, removeOnFail: def.removeOnFail },
      },
    );
    this.log.info({ everySeconds: this.env.CAMERA_WATCHDOG_INTERVAL_SECONDS }, 'camera watchdog scheduled');
  }
}
