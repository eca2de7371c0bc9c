import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { rootLogger } from '@app/core';
import { QUEUES } from '@app/queue';

export interface MaintenanceResult {
  handled: boolean;
}

/**
 * The `maintenance` queue: camera-watchdog, provider-health, collect-metrics, cleanup, mark-missed.
 * Each case validates its payload (validateJobPayload) and delegates to a library service.
 */
@Processor(QUEUES.maintenance)
export class MaintenanceProcessor extends WorkerHost {
  private readonly log = rootLogger().child({ context: 'MaintenanceProcessor' });

  async process(job: Job): Promise<MaintenanceResult> {
    switch (job.name) {
      // Jobs are added here as their services land, e.g.:
      // case JOBS.cameraWatchdog: { validateJobPayload(JOBS.cameraWatchdog, job.data); return this.cameras.watchdog(); }
      default:
        this.log.warn({ jobId: job.id, name: job.name }, 'no handler for maintenance job');
        return { handled: false };
    }
  }
}
