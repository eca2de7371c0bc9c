import { Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { rootLogger } from '@app/core';
import { JOBS, QUEUES, validateJobPayload } from '@app/queue';
import { ExportRejectedError, ExportRunner, type ExportRunResult } from '@app/attendance';

export type ExportJobResult = ExportRunResult | { handled: false };

/**
 * The `exports` queue: one export at a time per worker (Chromium and the database cursor are the
 * heavy parts). A short BullMQ lock (15 s, renewed every 7.5 s) lets the stalled checker hand the job
 * of a killed worker to another one quickly; the rerun rewrites the same file and completes the
 * same export row once. Failed attempts are recorded on the export; the last one marks it failed and
 * tells its requester.
 */
@Processor(QUEUES.exports, { concurrency: 1, lockDuration: 15_000, stalledInterval: 10_000, maxStalledCount: 2 })
export class ExportsProcessor extends WorkerHost {
  private readonly log = rootLogger().child({ context: 'ExportsProcessor' });

  constructor(private readonly runner: ExportRunner) {
    super();
  }

  async process(job: Job): Promise<ExportJobResult> {
    switch (job.name) {
      case JOBS.exportAttendance: {
        const { exportId } = validateJobPayload(JOBS.exportAttendance, job.data);
        const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        try {
          return await this.runner.run(exportId, (percent) => job.updateProgress(percent));
        } catch (err) {
          if (err instanceof ExportRejectedError) {
            await this.runner.failed(exportId, err, true);
            throw new UnrecoverableError(err.message);
          }
          await this.runner.failed(exportId, err, final).catch(() => undefined);
          throw err;
        }
      }
      default:
        this.log.warn({ jobId: job.id, name: job.name }, 'no handler for exports job');
        return { handled: false };
    }
  }
}
