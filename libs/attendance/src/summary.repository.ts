import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface SummaryCounts {
  activeCameras: number;
  registeredPeople: number;
  peopleDetectedToday: number;
  unknownFaceAlerts: number;
  manualOverrides: number;
  lastSync: Date | null;
}

/** The dashboard's counts across domains, in one round trip (read-only). */
@Injectable()
export class SummaryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * @param dayStart start of the site-local day (detections since then)
   * @param today    the site-local day (manual entries dated that day)
   */
  async counts(dayStart: Date, today: string): Promise<SummaryCounts> {
    const rows: Array<Omit<SummaryCounts, 'lastSync'> & { lastSync: Date | null }> = await this.dataSource.query(
      `SELECT
         (SELECT count(*) FROM cameras WHERE enabled AND status = 'online' AND deleted_at IS NULL)::int AS "activeCameras",
         (SELECT count(*) FROM face_profiles WHERE status = 'active')::int AS "registeredPeople",
         (SELECT count(DISTINCT person_id) FROM detections WHERE timestamp >= $1 AND person_id IS NOT NULL)::int AS "peopleDetectedToday",
         (SELECT count(*) FROM alerts WHERE kind = 'unknown_face' AND NOT acknowledged AND resolved_at IS NULL)::int AS "unknownFaceAlerts",
         (SELECT count(*) FROM attendance_logs WHERE source = 'manual' AND date = $2::date)::int AS "manualOverrides",
         (SELECT last_sync FROM odoo_config WHERE id = 1) AS "lastSync"`,
      [dayStart, today],
    );
    return rows[0]!;
  }
}
