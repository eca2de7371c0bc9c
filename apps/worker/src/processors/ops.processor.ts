import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JOBS, validateJobPayload } from '@app/queue';
import { MetricsCollectorService, RetentionService, type CollectMetricsResult, type RetentionReport } from '@app/system';

/**
 * Operations jobs of the `maintenance` queue, called by MaintenanceProcessor: `collect-metrics`
 * (every METRICS_COLLECT_INTERVAL_SECONDS) and `cleanup` (daily retention). Their schedules are
 * registered by OpsSchedulesService (libs/system) when a worker starts.
 */
@Injectable()
export class OpsJobs {
  constructor(
    private readonly collector: MetricsCollectorService,
    private readonly retention: RetentionService,
  ) {}

  async collectMetrics(job: Job): Promise<CollectMetricsResult> {
    validateJobPayload(JOBS.collectMetrics, job.data);
    return this.collector.collect();
  }

  async cleanup(job: Job): Promise<RetentionReport> {
    const payload = validateJobPayload(JOBS.cleanup, job.data);
    return this.retention.run(payload.trigger, payload.requestedBy);
  }
}
