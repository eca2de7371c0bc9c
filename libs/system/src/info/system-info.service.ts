import { Injectable } from '@nestjs/common';
import { EnvDto } from '@app/core';
import { WorkerRegistryService } from '../workers/worker-registry.service';
import type { WorkerHeartbeat } from '../workers/worker-heartbeat';
import { ApiHeartbeatService, type ApiHeartbeat } from '../services/api-heartbeat';
import { AppVersionService } from '../version/app-version';
import { NetworkMetricsDto, ProcessUptimeDto, UptimeDto, VersionDto } from '../dto/system.dto';
import { SystemInfoRepository } from './system-info.repository';

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** `YYYY-MM-DD` of `at` in an IANA time zone. */
export function siteDate(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Network metrics, uptime and version (GET /system/network-metrics, /system/uptime, /system/version). */
@Injectable()
export class SystemInfoService {
  constructor(
    private readonly env: EnvDto,
    private readonly repo: SystemInfoRepository,
    private readonly version: AppVersionService,
    private readonly apis: ApiHeartbeatService,
    private readonly workers: WorkerRegistryService,
  ) {}

  async networkMetrics(): Promise<NetworkMetricsDto> {
    const cameras = await this.repo.cameraNetwork();
    const online = cameras.filter((c) => c.status === 'online');
    return {
      cameras: cameras.map((c) => ({
        cameraId: c.id,
        name: c.name,
        location: c.location,
        status: c.status,
        enabled: c.enabled,
        latencyMs: c.latency,
        bitrateMbps: c.bitrate,
        fps: c.fps,
        resolution: c.resolution,
        lastChecked: c.lastChecked?.toISOString() ?? null,
        lastSeen: c.lastSeen?.toISOString() ?? null,
      })),
      averageLatencyMs: online.length ? round2(online.reduce((s, c) => s + c.latency, 0) / online.length) : 0,
      totalBitrateMbps: round2(online.reduce((s, c) => s + c.bitrate, 0)),
      online: online.length,
      offline: cameras.filter((c) => c.status === 'offline').length,
      maintenance: cameras.filter((c) => c.status === 'maintenance').length,
    };
  }

  async uptime(now = new Date()): Promise<UptimeDto> {
    const date = siteDate(now, this.env.SITE_TIMEZONE);
    const [cameras, apis, workers] = await Promise.all([
      this.repo.cameraUptime(date),
      this.apis.listApis().catch(() => [] as ApiHeartbeat[]),
      this.workers.listWorkers().catch(() => [] as WorkerHeartbeat[]),
    ]);
    const seconds = (iso: string): number => Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
    const processes: ProcessUptimeDto[] = [
      ...apis.map((a) => ({
        id: `api:${a.id}`,
        kind: 'api',
        host: a.host,
        pid: a.pid,
        startedAt: a.startedAt,
        uptimeSeconds: seconds(a.startedAt),
      })),
      ...workers.map((w) => ({
        id: `worker:${w.id}`,
        kind: 'worker',
        host: w.host,
        pid: w.pid,
        startedAt: w.startedAt,
        uptimeSeconds: seconds(w.startedAt),
      })),
    ];
    const checked = cameras.filter((c) => c.totalChecks > 0 && c.uptimePercent !== null);
    return {
      startedAt: this.version.startedAt.toISOString(),
      uptimeSeconds: Math.round((now.getTime() - this.version.startedAt.getTime()) / 1000),
      processes,
      date,
      timezone: this.env.SITE_TIMEZONE,
      cameras: cameras.map((c) => ({
        cameraId: c.id,
        name: c.name,
        status: c.status,
        uptimePercent: c.totalChecks > 0 ? c.uptimePercent : null,
        onlineChecks: c.onlineChecks,
        totalChecks: c.totalChecks,
      })),
      averageCameraUptimePercent: checked.length ? round2(checked.reduce((s, c) => s + (c.uptimePercent ?? 0), 0) / checked.length) : null,
    };
  }

  getVersion(): VersionDto {
    return {
      name: this.env.APP_NAME,
      version: this.version.version,
      commit: this.version.commit,
      node: process.version,
      apiVersion: 'v1',
      startedAt: this.version.startedAt.toISOString(),
    };
  }
}
