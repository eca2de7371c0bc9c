import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { rootLogger } from '@app/core';
import { JOBS, QUEUES } from '@app/queue';
import { CameraJobs } from './cameras.processor';
import { FaceJobs } from './faces.processor';
import { OpsJobs } from './ops.processor';
import { DetectionMaintenanceJobs } from './detection.processor';
import { AttendanceJobs } from './attendance.processor';

export interface MaintenanceResult {
  handled: boolean;
}

/**
 * The `maintenance` queue: camera-watchdog, provider-health, collect-metrics, cleanup, mark-missed.
 * Each case validates its payload (validateJobPayload) and delegates to a library service.
 */
// Several at once: a camera-watchdog pass probing dead cameras can take up to a minute, and must not
// hold up collect-metrics or the others (each is safe to run alongside: they already may on N workers).
@Processor(QUEUES.maintenance, { concurrency: 4 })
export class MaintenanceProcessor extends WorkerHost {
  private readonly log = rootLogger().child({ context: 'MaintenanceProcessor' });

  constructor(
    private readonly cameraJobs: CameraJobs,
    private readonly faceJobs: FaceJobs,
    private readonly opsJobs: OpsJobs,
    private readonly detectionJobs: DetectionMaintenanceJobs,
    private readonly attendanceJobs: AttendanceJobs,
  ) {
    super();
  }

  async process(job: Job): Promise<MaintenanceResult> {
    switch (job.name) {
      case JOBS.cameraWatchdog:
        return this.cameraJobs.cameraWatchdog(job);
      case JOBS.faceStorageErase:
        return this.faceJobs.storageErase(job);
      case JOBS.faceStorageSweep:
        return this.faceJobs.storageSweep(job);
      case JOBS.collectMetrics:
        return this.opsJobs.collectMetrics(job);
      case JOBS.cleanup:
        return this.opsJobs.cleanup(job);
      case JOBS.providerHealth:
        return this.detectionJobs.providerHealth(job);
      case JOBS.markMissed:
        return this.attendanceJobs.markMissed(job);
      // Jobs are added here as their services land (validate the payload, delegate to a library service).
      default:
        this.log.warn({ jobId: job.id, name: job.name }, 'no handler for maintenance job');
        return { handled: false };
    }
  }
}
