import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { EnvDto, rootLogger } from '@app/core';
import { JobsProducer, QUEUE_NAMES } from '@app/queue';
import { siteDate } from '../info/system-info.service';
import { PrometheusRepository } from './prometheus.repository';
import { clusterMetrics, exposeToClusterPrimary, inClusterWorker } from './cluster-metrics';

/** Route label of requests that matched no route (keeps label cardinality bounded). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The api's Prometheus registry (one per process, not the global one): process defaults, HTTP
 * request rates and latencies by route, queue depths, open alerts, and detections per camera today.
 * Gauges backed by Redis or PostgreSQL are read at scrape time; a failing source is skipped.
 */
@Injectable()
export class ApiMetricsService {
  readonly registry = new Registry();
  private readonly log = rootLogger().child({ context: 'ApiMetrics' });
  private readonly requests: Counter<'method' | 'route' | 'status_code'>;
  private readonly duration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(
    private readonly env: EnvDto,
    private readonly producer: JobsProducer,
    private readonly repo: PrometheusRepository,
  ) {
    collectDefaultMetrics({ register: this.registry });
    if (inClusterWorker()) exposeToClusterPrimary(this.registry);
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    const depthsOf = (): ReturnType<JobsProducer['queueDepths']> => this.producer.queueDepths();
    const log = this.log;
    new Gauge({
      name: 'cctv_queue_jobs',
      aggregator: 'max', // every api process reads the same shared source
      help: 'Jobs per BullMQ queue and state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        try {
          const depths = await depthsOf();
          for (const q of QUEUE_NAMES) {
            for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) this.set({ queue: q, state }, depths[q][state]);
          }
        } catch (err) {
          log.debug({ err: (err as Error).message }, 'queue depths unavailable for metrics');
        }
      },
    });
    const counts = (): ReturnType<PrometheusRepository['cameraCountsOn']> =>
      this.repo.cameraCountsOn(siteDate(new Date(), this.env.SITE_TIMEZONE));
    const openAlerts = (): ReturnType<PrometheusRepository['openAlertsByLevel']> => this.repo.openAlertsByLevel();
    new Gauge({
      name: 'cctv_camera_detections_today',
      aggregator: 'max', // every api process reads the same shared source
      help: 'Detections per camera on the current site-local day',
      labelNames: ['camera'],
      registers: [this.registry],
      async collect() {
        try {
          this.reset();
          for (const c of await counts()) this.set({ camera: c.cameraId }, c.detections);
        } catch (err) {
          log.debug({ err: (err as Error).message }, 'camera counts unavailable for metrics');
        }
      },
    });
    new Gauge({
      name: 'cctv_camera_unknown_faces_today',
      aggregator: 'max', // every api process reads the same shared source
      help: 'Unknown faces per camera on the current site-local day',
      labelNames: ['camera'],
      registers: [this.registry],
      async collect() {
        try {
          this.reset();
          for (const c of await counts()) this.set({ camera: c.cameraId }, c.unknown);
        } catch (err) {
          log.debug({ err: (err as Error).message }, 'camera counts unavailable for metrics');
        }
      },
    });
    new Gauge({
      name: 'cctv_alerts_open',
      aggregator: 'max', // every api process reads the same shared source
      help: 'Open (unresolved) alerts per level',
      labelNames: ['level'],
      registers: [this.registry],
      async collect() {
        try {
          this.reset();
          for (const level of ['low', 'medium', 'high', 'critical']) this.set({ level }, 0);
          for (const r of await openAlerts()) this.set({ level: r.level }, r.count);
        } catch (err) {
          log.debug({ err: (err as Error).message }, 'alert counts unavailable for metrics');
        }
      },
    });
  }

  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    const labels = { method, route, status_code: String(statusCode) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }

  /** This process's metrics, or with API_WORKERS > 1 those of every api process of the host, aggregated. */
  metrics(): Promise<string> {
    return inClusterWorker() ? clusterMetrics() : this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
