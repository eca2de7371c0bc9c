import { ApiProperty } from '@nestjs/swagger';

export class MetricDto {
  /** cpu | memory | disk | network | runtime | queue */
  category: string;
  label: string;
  value: number;
  /** %, GB, KB/s, ms, jobs, ... (null: a plain number) */
  unit: string | null;
  /** The value's ceiling when it has one (100 for percentages, total GB, core count). */
  limit: number | null;
}

export class QueueDepthDto {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

export class SystemHealthMetricsDto {
  /** When the worker collected these values (null before the first collection). */
  collectedAt: string | null;
  /** Host the collecting worker ran on (host metrics are that machine's). */
  host: string | null;
  /** cache: the latest collection from Redis; database: read from system_metrics (cache missing); none: nothing collected yet. */
  @ApiProperty({ enum: ['cache', 'database', 'none'] })
  source: 'cache' | 'database' | 'none';
  /** True when the latest collection is older than three collection intervals (is the worker running?). */
  stale: boolean;
  metrics: MetricDto[];
  /** Job counts per queue at collection time. */
  @ApiProperty({
    type: 'object',
    description: 'queue name -> {waiting, active, delayed, failed}',
    additionalProperties: {
      type: 'object',
      properties: { waiting: { type: 'integer' }, active: { type: 'integer' }, delayed: { type: 'integer' }, failed: { type: 'integer' } },
    },
  })
  queues: Record<string, QueueDepthDto>;
}

export const SERVICE_STATUSES = ['running', 'degraded', 'stopped'] as const;

export class SystemServiceDto {
  /** Stable id, e.g. postgres, redis, worker-queues, worker:<host>:<pid>, api:<host>:<pid>. */
  id: string;
  name: string;
  /** process | worker | queue | database | cache | storage | provider | integration */
  kind: string;
  @ApiProperty({ enum: SERVICE_STATUSES })
  status: 'running' | 'degraded' | 'stopped';
  version: string | null;
  /** Human-readable uptime, e.g. `3d 4h 12m` (null when unknown). */
  uptime: string | null;
  uptimeSeconds: number | null;
  lastHeartbeat: string | null;
  /** Last restart requested through POST /system/services/{id}/restart (or done by the process). */
  lastRestart: string | null;
  /** Whether POST /system/services/{id}/restart does something for this service. */
  restartable: boolean;
  /** What the restart does, when restartable. */
  restartAction: string | null;
  /** Facts behind the status (latency, queues, error, ...). */
  details: Record<string, unknown>;
}

export class RestartResultDto {
  id: string;
  /** What was done: restart-queues, flush-cache, probe-provider. */
  action: string;
  /** Processes (or keys, or jobs) the action reached. */
  affected: number;
  message: string;
  requestedAt: string;
}

export class CameraNetworkMetricDto {
  cameraId: string;
  name: string;
  location: string;
  status: string;
  enabled: boolean;
  /** Round-trip of the last watchdog probe, ms. */
  latencyMs: number;
  /** Mbit/s measured by the watchdog. */
  bitrateMbps: number;
  fps: number;
  resolution: string | null;
  lastChecked: string | null;
  lastSeen: string | null;
}

export class NetworkMetricsDto {
  cameras: CameraNetworkMetricDto[];
  /** Over online cameras. */
  averageLatencyMs: number;
  totalBitrateMbps: number;
  online: number;
  offline: number;
  maintenance: number;
}

export class ProcessUptimeDto {
  id: string;
  /** api | worker */
  kind: string;
  host: string;
  pid: number;
  startedAt: string;
  uptimeSeconds: number;
}

export class CameraUptimeDto {
  cameraId: string;
  name: string;
  status: string;
  /** Share of today's watchdog checks that found the camera online (null: not checked today). */
  uptimePercent: number | null;
  onlineChecks: number;
  totalChecks: number;
}

export class UptimeDto {
  /** This api process. */
  startedAt: string;
  uptimeSeconds: number;
  /** Every live api and worker process (from their heartbeats). */
  processes: ProcessUptimeDto[];
  /** Site-local date (SITE_TIMEZONE) the camera figures are for. */
  date: string;
  timezone: string;
  cameras: CameraUptimeDto[];
  /** Mean of the cameras checked today (null when none was). */
  averageCameraUptimePercent: number | null;
}

export class VersionDto {
  name: string;
  /** Semantic version of the build (package.json). */
  version: string;
  /** Git commit of the build (GIT_COMMIT, else the checkout's HEAD); null when unknown. */
  commit: string | null;
  node: string;
  apiVersion: string;
  startedAt: string;
}
