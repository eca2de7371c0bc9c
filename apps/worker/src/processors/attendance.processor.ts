import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { EnvDto, rootLogger } from '@app/core';
import { JOB_CATALOGUE, JOBS, QUEUES, validateJobPayload } from '@app/queue';
import { AttendanceMaintenanceService, type MarkMissedResult } from '@app/attendance';

/** Job scheduler id of mark-missed (one per queue, whatever the number of workers). */
export const MARK_MISSED_SCHEDULER = 'mark-missed-every';

/**
 * Attendance jobs of the `maintenance` queue, called by MaintenanceProcessor (one @Processor per
 * queue): mark-missed closes ended shift instances and expires presence.
 */
@Injectable()
export class AttendanceJobs {
  constructor(private readonly maintenance: AttendanceMaintenanceService) {}

  async markMissed(job: Job): Promise<MarkMissedResult & { handled: true }> {
    const payload = validateJobPayload(JOBS.markMissed, job.data);
    return { handled: true, ...(await this.maintenance.markMissed(payload.date)) };
  }
}

/**
 * Registers mark-missed's BullMQ job scheduler on start (idempotent upsert): one run per
 * ATTENDANCE_MARK_MISSED_INTERVAL_SECONDS across all workers.
 */
@Injectable()
export class MarkMissedScheduler implements OnApplicationBootstrap {
  private readonly log = rootLogger().child({ context: 'MarkMissedScheduler' });

  constructor(
    @InjectQueue(QUEUES.maintenance) private readonly queue: Queue,
    private readonly env: EnvDto,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const def = JOB_CATALOGUE[JOBS.markMissed];
    await this.queue.upsertJobScheduler(
      MARK_MISSED_SCHEDULER,
      { every: this.env.ATTENDANCE_MARK_MISSED_INTERVAL_SECONDS * 1000 },
      {
        name: JOBS.markMissed,
        data: { trigger: 'scheduled' },
        opts: { attempts: def.attempts, backoff: def.backoff, removeOnComplete: def.removeOnComplete, removeOnFail: def.removeOnFail },
      },
    );
    this.log.info({ everySeconds: this.env.ATTENDANCE_MARK_MISSED_INTERVAL_SECONDS }, 'mark-missed scheduled');
  }
}
