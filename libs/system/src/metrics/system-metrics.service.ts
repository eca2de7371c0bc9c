import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { hostname } from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { EnvDto, RedisService, rootLogger } from '@app/core';
import { JobsProducer, QUEUE_NAMES, type QueueDepth } from '@app/queue';
import { AlertsService } from '@app/alerts';
import { API_HEARTBEAT_KEY_PREFIX, scanHeartbeats, type ApiHeartbeat } from '../services/api-heartbeat';
import { QueueDepthDto, SystemHealthMetricsDto } from '../dto/system.dto';
import { MetricSample, diskUsedPercent, hostMetrics, memoryUsedPercent, sampleHost } from './host-sampler';
import { SystemMetricsRepository } from './system-metrics.repository';

/** Redis key of the latest collection (JSON MetricsSnapshot), with a TTL of three intervals. */
export const SYSTEM_METRICS_CACHE_KEY = 'cache:system:metrics:latest';
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
/** Pressure alerts resolve this many points below their threshold, so a value hovering at it does not flap. */
export const PRESSURE_HYSTERESIS_POINTS = 5;

export interface MetricsSnapshot {
  collectedAt: string;
  host: string | null;
  metrics: MetricSample[];
}

export interface CollectMetricsResult {
  handled: true;
  collectedAt: string;
  samples: number;
  /** Pressure alerts raised (or refreshed) and resolved by this collection: `kind:subject`. */
  raised: string[];
  resolved: string[];
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

function queueLabel(queue: string, state: string): string {
  return `${queue}: ${state}`;
}

/** Queue depths from the `queue` rows of a collection. */
export function queuesFromSamples(samples: readonly MetricSample[]): Record<string, QueueDepthDto> {
  const out: Record<string, QueueDepthDto> = {};
  for (const s of samples) {
    if (s.category !== 'queue') continue;
    const [queue, state] = s.label.split(': ');
    if (!queue || !(QUEUE_STATES as readonly string[]).includes(state ?? '')) continue;
    out[queue] ??= { waiting: 0, active: 0, delayed: 0, failed: 0 };
    out[queue][state as keyof QueueDepthDto] = s.value;
  }
  return out;
}

/** What GET /system/health/metrics serves: the cached latest collection, else the database's. */
@Injectable()
export class SystemMetricsService {
  constructor(
    private readonly env: EnvDto,
    private readonly redis: RedisService,
    private readonly repo: SystemMetricsRepository,
  ) {}

  async latest(): Promise<SystemHealthMetricsDto> {
    const cached = await this.redis.getJson<MetricsSnapshot>(SYSTEM_METRICS_CACHE_KEY);
    if (cached) return this.view(cached, 'cache');
    const fromDb = await this.repo.latest();
    if (!fromDb) return { collectedAt: null, host: null, source: 'none', stale: true, metrics: [], queues: {} };
    return this.view({ collectedAt: fromDb.at.toISOString(), host: null, metrics: fromDb.samples }, 'database');
  }

  private view(s: MetricsSnapshot, source: 'cache' | 'database'): SystemHealthMetricsDto {
    const ageMs = Date.now() - Date.parse(s.collectedAt);
    return {
      collectedAt: s.collectedAt,
      host: s.host,
      source,
      stale: ageMs > 3 * this.env.METRICS_COLLECT_INTERVAL_SECONDS * 1000,
      metrics: s.metrics,
      queues: queuesFromSamples(s.metrics),
    };
  }
}

/**
 * The `collect-metrics` job (worker): samples the host (CPU, load, memory, disk, network), the event
 * loop of this worker and of every api process (from their heartbeats) and the queue depths; stores
 * the rows in system_metrics, caches the snapshot in Redis, and raises or resolves the disk and
 * memory pressure alerts against ALERT_DISK_USAGE_PERCENT / ALERT_MEMORY_USAGE_PERCENT.
 */
@Injectable()
export class MetricsCollectorService implements OnModuleDestroy {
  private readonly log = rootLogger().child({ context: 'MetricsCollector' });
  private readonly host = hostname();
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });

  constructor(
    private readonly env: EnvDto,
    private readonly redis: RedisService,
    private readonly repo: SystemMetricsRepository,
    private readonly producer: JobsProducer,
    private readonly alerts: AlertsService,
  ) {
    this.loop.enable();
  }

  onModuleDestroy(): void {
    this.loop.disable();
  }

  async collect(now = new Date()): Promise<CollectMetricsResult> {
    const host = await sampleHost(this.env.METRICS_DISK_PATH, 1000);
    const samples: MetricSample[] = hostMetrics(host);
    samples.push(...(await this.runtimeSamples()), ...(await this.queueSamples()));
    const collectedAt = now.toISOString();
    await this.repo.insertSamples(samples, now);
    const snapshot: MetricsSnapshot = { collectedAt, host: this.host, metrics: samples };
    await this.redis.setJson(SYSTEM_METRICS_CACHE_KEY, snapshot, 3 * this.env.METRICS_COLLECT_INTERVAL_SECONDS);

    const raised: string[] = [];
    const resolved: string[] = [];
    const memory = memoryUsedPercent(host.memory);
    await this.checkPressure('memory_pressure', this.host, memory, this.env.ALERT_MEMORY_USAGE_PERCENT, raised, resolved, {
      title: `Memory pressure on ${this.host}`,
      description: `Memory usage is ${memory}% (threshold ${this.env.ALERT_MEMORY_USAGE_PERCENT}%).`,
    });
    if (host.disk) {
      const disk = diskUsedPercent(host.disk);
      await this.checkPressure(
        'disk_pressure',
        `${this.host}:${host.disk.path}`,
        disk,
        this.env.ALERT_DISK_USAGE_PERCENT,
        raised,
        resolved,
        {
          title: `Disk almost full on ${this.host} (${host.disk.path})`,
          description: `Disk usage of ${host.disk.path} is ${disk}% (threshold ${this.env.ALERT_DISK_USAGE_PERCENT}%), ${round2(host.disk.availableBytes / 1024 ** 3)} GB free.`,
        },
      );
    }
    this.log.debug({ samples: samples.length, raised, resolved }, 'system metrics collected');
    return { handled: true, collectedAt, samples: samples.length, raised, resolved };
  }

  private async checkPressure(
    kind: 'memory_pressure' | 'disk_pressure',
    subject: string,
    percent: number,
    threshold: number,
    raised: string[],
    resolved: string[],
    text: { title: string; description: string },
  ): Promise<void> {
    if (percent >= threshold) {
      await this.alerts.raise({
        kind,
        subject,
        title: text.title,
        description: text.description,
        level: percent >= Math.max(threshold, 98) ? 'critical' : 'high',
        tags: [kind, 'system'],
      });
      raised.push(`${kind}:${subject}`);
    } else if (percent < threshold - PRESSURE_HYSTERESIS_POINTS) {
      if (await this.alerts.resolve(kind, subject)) resolved.push(`${kind}:${subject}`);
    }
  }

  private async runtimeSamples(): Promise<MetricSample[]> {
    const rows: MetricSample[] = [];
    if (this.loop.count > 0) {
      rows.push({
        category: 'runtime',
        label: 'Event loop lag p99 (worker)',
        value: round2(this.loop.percentile(99) / 1e6),
        unit: 'ms',
        limit: null,
      });
    }
    this.loop.reset();
    try {
      const apis = await scanHeartbeats<ApiHeartbeat>(this.redis, API_HEARTBEAT_KEY_PREFIX);
      if (apis.length > 0) {
        rows.push(
          {
            category: 'runtime',
            label: 'Event loop lag p99 (api, worst process)',
            value: Math.max(...apis.map((a) => a.eventLoopLagP99Ms ?? 0)),
            unit: 'ms',
            limit: null,
          },
          { category: 'runtime', label: 'API processes', value: apis.length, unit: null, limit: null },
        );
      }
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'api heartbeats unreadable');
    }
    return rows;
  }

  private async queueSamples(): Promise<MetricSample[]> {
    let depths: Record<string, QueueDepth>;
    try {
      depths = await this.producer.queueDepths();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'queue depths unavailable');
      return [];
    }
    return QUEUE_NAMES.flatMap((q) =>
      QUEUE_STATES.map((state) => ({
        category: 'queue',
        label: queueLabel(q, state),
        value: depths[q]?.[state] ?? 0,
        unit: 'jobs',
        limit: null,
      })),
    );
  }
}
