import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export type HistoryKind = 'detection' | 'attendance';

export interface HistoryFilter {
  employeeId: string;
  kinds: readonly HistoryKind[];
  from?: Date;
  to?: Date;
  /** IANA zone in which an attendance day without a check-in instant starts. */
  timeZone: string;
  skip: number;
  take: number;
}

/** One row of the merged timeline, as the database returns it. */
export interface HistoryRow {
  kind: HistoryKind;
  id: string;
  ts: Date;
  camera_id: string | null;
  camera_name: string | null;
  status: string;
  score: string | number | null;
  name: string | null;
  // detection
  track_id: string | null;
  bounding_box: { top: number; left: number; width: number; height: number } | null;
  thumbnail: string | null;
  // attendance
  date: string | null;
  time_in: string | null;
  time_out: string | null;
  check_out_at: Date | null;
  odoo_status: string | null;
  source: string | null;
}

/**
 * A person's timeline: their detections (detections.person_id = employeeId) and attendance logs
 * (attendance_logs.employee_id), merged newest first. An attendance row is placed at its check-in
 * instant, or at the start of its day in the site timezone when it has none (a missed shift).
 */
@Injectable()
export class PersonHistoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async page(f: HistoryFilter): Promise<[HistoryRow[], number]> {
    const params: unknown[] = [f.employeeId, f.from ?? null, f.to ?? null];
    // $4 only when the attendance part uses it (PostgreSQL refuses a parameter it cannot type).
    if (f.kinds.includes('attendance')) params.push(f.timeZone);
    const parts: string[] = [];
    const counts: string[] = [];
    if (f.kinds.includes('detection')) {
      const where = `d.person_id = $1 AND ($2::timestamptz IS NULL OR d.timestamp >= $2) AND ($3::timestamptz IS NULL OR d.timestamp < $3)`;
      parts.push(`
        SELECT 'detection' AS kind, d.id::text AS id, d.timestamp AS ts, d.camera_id, c.name AS camera_name,
               d.status, d.confidence AS score, d.name, d.track_id, d.bounding_box, d.thumbnail,
               NULL::text AS date, NULL::time AS time_in, NULL::time AS time_out, NULL::timestamptz AS check_out_at,
               NULL::varchar AS odoo_status, NULL::varchar AS source
          FROM detections d LEFT JOIN cameras c ON c.id = d.camera_id
         WHERE ${where}`);
      counts.push(`SELECT count(*)::int AS n FROM detections d WHERE ${where}`);
    }
    if (f.kinds.includes('attendance')) {
      const ts = `COALESCE(a.check_in_at, a.date::timestamp AT TIME ZONE $4)`;
      const where = `a.employee_id = $1 AND ($2::timestamptz IS NULL OR ${ts} >= $2) AND ($3::timestamptz IS NULL OR ${ts} < $3)`;
      parts.push(`
        SELECT 'attendance' AS kind, a.id, ${ts} AS ts, a.camera_id, a.camera_name,
               a.status, a.accuracy AS score, a.name, NULL::varchar AS track_id, NULL::jsonb AS bounding_box, NULL::varchar AS thumbnail,
               a.date::text AS date, a.time_in, a.time_out, a.check_out_at, a.odoo_status, a.source
          FROM attendance_logs a
         WHERE ${where}`);
      counts.push(`SELECT count(*)::int AS n FROM attendance_logs a WHERE ${where}`);
    }
    if (parts.length === 0) return [[], 0];
    const rows: HistoryRow[] = await this.dataSource.query(
      `${parts.join(' UNION ALL ')} ORDER BY ts DESC, kind, id LIMIT ${Number(f.take)} OFFSET ${Number(f.skip)}`,
      params,
    );
    const totals: Array<{ n: number }> = await this.dataSource.query(
      `SELECT COALESCE(sum(n), 0)::int AS n FROM (${counts.join(' UNION ALL ')}) t`,
      params,
    );
    return [rows, totals[0]?.n ?? 0];
  }
}
