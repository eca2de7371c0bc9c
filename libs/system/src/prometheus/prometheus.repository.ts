import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Aggregates read at scrape time for Prometheus gauges. */
@Injectable()
export class PrometheusRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Detections and unknown faces per camera on a site-local date (camera_summaries). */
  async cameraCountsOn(date: string): Promise<Array<{ cameraId: string; detections: number; unknown: number }>> {
    const rows: Array<{ camera_id: string; detections: number; unknown: number }> = await this.dataSource.query(
      `SELECT camera_id, detections_today AS detections, unknown_faces AS unknown FROM camera_summaries WHERE date = $1::date`,
      [date],
    );
    return rows.map((r) => ({ cameraId: r.camera_id, detections: Number(r.detections), unknown: Number(r.unknown) }));
  }

  /** Open (unresolved) alerts per level. */
  async openAlertsByLevel(): Promise<Array<{ level: string; count: number }>> {
    const rows: Array<{ level: string; count: number }> = await this.dataSource.query(
      `SELECT level, count(*)::int AS count FROM alerts WHERE resolved_at IS NULL GROUP BY level`,
    );
    return rows.map((r) => ({ level: r.level, count: Number(r.count) }));
  }
}
