import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface CameraNetworkRow {
  id: string;
  name: string;
  location: string;
  status: string;
  enabled: boolean;
  latency: number;
  bitrate: number;
  fps: number;
  resolution: string | null;
  lastChecked: Date | null;
  lastSeen: Date | null;
}

export interface CameraUptimeRow {
  id: string;
  name: string;
  status: string;
  uptimePercent: number | null;
  onlineChecks: number;
  totalChecks: number;
}

/** Read-only views over cameras and camera_summaries (written by the camera watchdog). */
@Injectable()
export class SystemInfoRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Cameras that are not deleted, by id. */
  async cameraNetwork(): Promise<CameraNetworkRow[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT id, name, location, status, enabled, latency::float8 AS latency, bitrate::float8 AS bitrate, fps, resolution,
              last_checked AS "lastChecked", last_seen AS "lastSeen"
         FROM cameras WHERE deleted_at IS NULL ORDER BY id`,
    );
    return rows.map((r) => ({
      id: String(r.id),
      name: String(r.name),
      location: String(r.location),
      status: String(r.status),
      enabled: Boolean(r.enabled),
      latency: Number(r.latency ?? 0),
      bitrate: Number(r.bitrate ?? 0),
      fps: Number(r.fps ?? 0),
      resolution: (r.resolution as string | null) ?? null,
      lastChecked: (r.lastChecked as Date | null) ?? null,
      lastSeen: (r.lastSeen as Date | null) ?? null,
    }));
  }

  /** Each non-deleted camera with its summary of `date` (null figures when it has none). */
  async cameraUptime(date: string): Promise<CameraUptimeRow[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT c.id, c.name, c.status, s.uptime_percent::float8 AS "uptimePercent",
              COALESCE(s.online_checks, 0) AS "onlineChecks", COALESCE(s.total_checks, 0) AS "totalChecks"
         FROM cameras c
         LEFT JOIN camera_summaries s ON s.camera_id = c.id AND s.date = $1::date
        WHERE c.deleted_at IS NULL
        ORDER BY c.id`,
      [date],
    );
    return rows.map((r) => ({
      id: String(r.id),
      name: String(r.name),
      status: String(r.status),
      uptimePercent: r.uptimePercent === null || r.uptimePercent === undefined ? null : Number(r.uptimePercent),
      onlineChecks: Number(r.onlineChecks),
      totalChecks: Number(r.totalChecks),
    }));
  }
}
