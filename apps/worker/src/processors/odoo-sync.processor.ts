import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { DelayedError, type Job, type Queue } from 'bullmq';
import { rootLogger } from '@app/core';
import { JOB_CATALOGUE, JOBS, QUEUES, validateJobPayload } from '@app/queue';
import {
  ODOO_AUTO_SYNC_PATTERN,
  ODOO_AUTO_SYNC_SCHEDULER,
  ODOO_BUSY_RETRY_DELAY_MS,
  OdooSyncRunner,
  type OdooSyncRunResult,
} from '@app/odoo';

export type OdooSyncJobResult = OdooSyncRunResult | { handled: false };

/**
 * The `odoo-sync` queue. One job at a time per worker, and one sync at a time overall (the runner's
 * Redis lock). A short BullMQ lock (15 s, renewed every 7.5 s) lets the stalled checker hand the job
 * of a killed worker to another one quickly; the run is idempotent, so running it again is safe.
 *
 * A sync that finds another one running: a scheduled one is skipped (the running one covers the
 * same logs), a manual one goes back to the queue for a few seconds (without using an attempt).
 */
@Processor(QUEUES.odooSync, { concurrency: 1, lockDuration: 15_000, stalledInterval: 10_000, maxStalledCount: 2 })
export class OdooSyncProcessor extends WorkerHost {
  private readonly log = rootLogger().child({ context: 'OdooSyncProcessor' });

  constructor(private readonly runner: OdooSyncRunner) {
    super();
  }

  async process(job: Job, token?: string): Promise<OdooSyncJobResult> {
    switch (job.name) {
      case JOBS.odooSync: {
        const payload = validateJobPayload(JOBS.odooSync, job.data);
        const outcome = await this.runner.run(payload, {
          jobId: job.id ?? null,
          attempt: job.attemptsMade + 1,
          maxAttempts: job.opts.attempts ?? 1,
          progress: (p) => job.updateProgress({ ...p }),
        });
        if (outcome.kind === 'done') return outcome.result;
        if (payload.trigger === 'scheduled') {
          return { ...skippedResult(), reason: 'Another sync is running' };
        }
        this.log.info({ jobId: job.id }, 'another odoo sync is running: job re-queued');
        await job.moveToDelayed(Date.now() + ODOO_BUSY_RETRY_DELAY_MS, token);
        throw new DelayedError();
      }
      default:
        this.log.warn({ jobId: job.id, name: job.name }, 'no handler for odoo-sync job');
        return { handled: false };
    }
  }
}

function skippedResult(): OdooSyncRunResult {
  const now = new Date().toISOString();
  return {
    status: 'skipped',
    trigger: 'scheduled',
    total: 0,
    synced: 0,
    failed: 0,
    unchanged: 0,
    remaining: 0,
    created: 0,
    adopted: 0,
    checkOuts: 0,
    reconciled: 0,
    calls: 0,
    callsByOperation: {},
    odooMs: 0,
    durationMs: 0,
    startedAt: now,
    finishedAt: now,
  };
}

/**
 * Registers the automatic sync on start (idempotent upsert): one job at :00 and :30 of every hour
 * across all workers; the job itself does nothing while autoSync is off, so turning it on or off
 * needs no restart.
 */
@Injectable()
export class OdooSyncScheduler implements OnApplicationBootstrap {
  private readonly log = rootLogger().child({ context: 'OdooSyncScheduler' });

  constructor(@InjectQueue(QUEUES.odooSync) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    const def = JOB_CATALOGUE[JOBS.odooSync];
    await this.queue.upsertJobScheduler(
      ODOO_AUTO_SYNC_SCHEDULER,
      { pattern: ODOO_AUTO_SYNC_PATTERN, tz: 'UTC' },
      {
        name: JOBS.odooSync,
        data: { trigger: 'scheduled' },
        // One attempt: the next tick comes in 30 minutes anyway.
        opts: { attempts: 1, removeOnComplete: def.removeOnComplete, removeOnFail: def.removeOnFail },
      },
    );
    this.log.info({ pattern: ODOO_AUTO_SYNC_PATTERN }, 'odoo auto sync scheduled');
  }
}
