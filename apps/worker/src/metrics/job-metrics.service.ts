import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Worker } from 'bullmq';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { QueueWorkersService } from '../control/queue-workers.service';

/**
 * The worker's Prometheus registry, served at `/metrics` on its health port: process defaults,
 * job durations and outcomes by queue and job name, and detect-frame outcomes per camera.
 */
@Injectable()
export class JobMetricsService implements OnApplicationBootstrap {
  readonly registry = new Registry();
  private readonly jobs: Counter<'queue' | 'job' | 'status'>;
  private readonly duration: Histogram<'queue' | 'job' | 'status'>;
  private readonly cameraFrames: Counter<'camera' | 'status'>;
  private readonly attached = new WeakSet<Worker>();

  constructor(private readonly queueWorkers: QueueWorkersService) {
    collectDefaultMetrics({ register: this.registry });
    this.jobs = new Counter({
      name: 'bullmq_jobs_total',
      help: 'Jobs finished by this worker, by queue, job name and status (completed | failed)',
      labelNames: ['queue', 'job', 'status'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'bullmq_job_duration_seconds',
      help: 'Processing time of jobs by queue, job name and status',
      labelNames: ['queue', 'job', 'status'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [this.registry],
    });
    this.cameraFrames = new Counter({
      name: 'cctv_detect_frame_jobs_total',
      help: 'detect-frame jobs finished by this worker, per camera and status',
      labelNames: ['camera', 'status'],
      registers: [this.registry],
    });
  }

  onApplicationBootstrap(): void {
    for (const worker of this.queueWorkers.workers()) this.attach(worker);
  }

  attach(worker: Worker): void {
    if (this.attached.has(worker)) return;
    this.attached.add(worker);
    worker.on('completed', (job: Job) => this.record(worker.name, job, 'completed'));
    worker.on('failed', (job: Job | undefined) => {
      if (job) this.record(worker.name, job, 'failed');
    });
  }

  record(queue: string, job: Job, status: 'completed' | 'failed'): void {
    const labels = { queue, job: job.name, status };
    this.jobs.inc(labels);
    if (job.processedOn && job.finishedOn && job.finishedOn >= job.processedOn) {
      this.duration.observe(labels, (job.finishedOn - job.processedOn) / 1000);
    }
    const camera = (job.data as { cameraId?: unknown } | undefined)?.cameraId;
    if (job.name === 'detect-frame' && typeof camera === 'string' && /^[A-Za-z0-9_-]{1,50}$/.test(camera)) {
      this.cameraFrames.inc({ camera, status });
    }
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
