import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { rootLogger } from '@app/core';
import { JOBS, QUEUES } from '@app/queue';
import { CameraJobs } from './cameras.processor';

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

  constructor(private readonly cameraJobs: CameraJobs) {
    super();
  }

  async process(job: Job): Promise<MaintenanceResult> {
    switch (job.name) {
      case JOBS.cameraWatchdog:
        return this.cameraJobs.cameraWatchdog(job);
      // Jobs are added here as their services land (validate the payload, delegate to a library service).
      default:
        this.log.warn({ jobId: job.id, name: job.name }, 'no handler for maintenance job');
        return { handled: false };
    }
  }
}
