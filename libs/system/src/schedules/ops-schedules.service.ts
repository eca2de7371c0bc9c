import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { EnvDto, rootLogger } from '@app/core';
import { JOB_CATALOGUE, JOBS, QUEUES } from '@app/queue';

/** Job scheduler ids (one scheduler per id in Redis, however many workers upsert it). */
export const SCHEDULER_IDS = { collectMetrics: 'collect-metrics', cleanup: 'cleanup' } as const;

/**
 * Registers the repeatable operations jobs with BullMQ job schedulers when a worker starts, so that
 * exactly one job fires per interval across any number of workers:
 * - `collect-metrics` every METRICS_COLLECT_INTERVAL_SECONDS;
 * - `cleanup` on RETENTION_CLEANUP_CRON (default 02:00) in SITE_TIMEZONE.
 * Upserting is idempotent: a changed interval or pattern replaces the previous schedule.
 */
@Injectable()
export class OpsSchedulesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = rootLogger().child({ context: 'OpsSchedules' });
  private retry?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly env: EnvDto,
    @InjectQueue(QUEUES.maintenance) private readonly maintenance: Queue,
  ) {}

  onApplicationBootstrap(): void {
    void this.register(0);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  /** Upserts both schedulers; retries with back-off while Redis is unreachable. */
  async register(attempt: number): Promise<void> {
    if (this.stopped) return;
    try {
      const metrics = JOB_CATALOGUE[JOBS.collectMetrics];
      await this.maintenance.upsertJobScheduler(
        SCHEDULER_IDS.collectMetrics,
        { every: this.env.METRICS_COLLECT_INTERVAL_SECONDS * 1000 },
        {
          name: JOBS.collectMetrics,
          data: { trigger: 'scheduled' },
          opts: { attempts: metrics.attempts, removeOnComplete: metrics.removeOnComplete, removeOnFail: metrics.removeOnFail },
        },
      );
      const cleanup = JOB_CATALOGUE[JOBS.cleanup];
      await this.maintenance.upsertJobScheduler(
        SCHEDULER_IDS.cleanup,
        { pattern: this.env.RETENTION_CLEANUP_CRON, tz: this.env.SITE_TIMEZONE },
        {
          name: JOBS.cleanup,
          data: { trigger: 'scheduled' },
          opts: {
            attempts: cleanup.attempts,
            ...(cleanup.backoff ? { backoff: cleanup.backoff } : {}),
            removeOnComplete: cleanup.removeOnComplete,
            removeOnFail: cleanup.removeOnFail,
          },
        },
      );
      this.log.info(
        {
          metricsEverySeconds: this.env.METRICS_COLLECT_INTERVAL_SECONDS,
          cleanupCron: this.env.RETENTION_CLEANUP_CRON,
          tz: this.env.SITE_TIMEZONE,
        },
        'operations schedules registered',
      );
    } catch (err) {
      const delay = Math.min(60_000, 1000 * 2 ** Math.min(attempt, 6));
      this.log.warn({ err: (err as Error).message, retryInMs: delay }, 'could not register operations schedules');
      if (this.stopped) return;
      this.retry = setTimeout(() => void this.register(attempt + 1), delay);
      this.retry.unref();
    }
  }
}
