import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { returnedRows } from '@app/alerts/alerts.repository';

export interface KeyedRow {
  id: string;
  key: string | null;
}

/**
 * Deletes for the cleanup job, in batches (short transactions, bounded memory). Rows holding an
 * object-storage key are selected first, their objects removed, then the rows: a failure leaves rows
 * pointing at objects (retried next run), never objects nobody points at.
 */
@Injectable()
export class RetentionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Unknown-face detections older than `cutoff` that still hold a thumbnail. */
  unknownThumbnailsBefore(cutoff: Date, limit: number): Promise<KeyedRow[]> {
    return this.dataSource.query(
      `SELECT id, thumbnail AS key FROM detections
        WHERE status = 'unknown' AND thumbnail IS NOT NULL AND timestamp < $1
        ORDER BY timestamp LIMIT $2`,
      [cutoff, limit],
    );
  }

  /** Forget the thumbnails of these detections (objects already removed) and of alerts showing them. */
  async clearThumbnails(ids: readonly string[], keys: readonly string[]): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query(`UPDATE detections SET thumbnail = NULL WHERE id = ANY($1::uuid[])`, [ids]);
      if (keys.length) await m.query(`UPDATE alerts SET thumbnail = NULL, updated_at = now() WHERE thumbnail = ANY($1::text[])`, [keys]);
    });
  }

  detectionsBefore(cutoff: Date, limit: number): Promise<KeyedRow[]> {
    return this.dataSource.query(`SELECT id, thumbnail AS key FROM detections WHERE timestamp < $1 ORDER BY timestamp LIMIT $2`, [
      cutoff,
      limit,
    ]);
  }

  async deleteDetections(ids: readonly string[], keys: readonly string[]): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      if (keys.length) await m.query(`UPDATE alerts SET thumbnail = NULL, updated_at = now() WHERE thumbnail = ANY($1::text[])`, [keys]);
      const rows = returnedRows(await m.query(`DELETE FROM detections WHERE id = ANY($1::uuid[]) RETURNING id`, [ids]));
      return rows.length;
    });
  }

  /**
   * Of these detection thumbnail keys (thumbnails/<detectionId>.jpg), those nothing points at (no
   * detection, alert or attendance record): crops of a detection job killed between storing the crop
   * and writing its row. Keys are first checked against their own detection row (by primary key);
   * only the rare keys without one are looked for in alerts and attendance records.
   */
  async unreferencedThumbnails(keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const rows: Array<{ key: string }> = await this.dataSource.query(
      `WITH rowless AS MATERIALIZED (
         SELECT k.key FROM unnest($1::text[]) AS k(key)
          WHERE NOT EXISTS (SELECT 1 FROM detections d WHERE d.id = substring(k.key FROM 12 FOR 36)::uuid AND d.thumbnail = k.key))
       SELECT r.key FROM rowless r
        WHERE NOT EXISTS (SELECT 1 FROM alerts a WHERE a.thumbnail = r.key)
          AND NOT EXISTS (SELECT 1 FROM attendance_records ar WHERE ar.thumbnail = r.key)`,
      [keys],
    );
    return rows.map((r) => r.key);
  }

  /** Export jobs past their expiry (with the key of their file, if any). */
  expiredExports(now: Date, limit: number): Promise<KeyedRow[]> {
    return this.dataSource.query(
      `SELECT id, s3_key AS key FROM export_jobs WHERE expires_at IS NOT NULL AND expires_at < $1 ORDER BY expires_at LIMIT $2`,
      [now, limit],
    );
  }

  async deleteExports(ids: readonly string[]): Promise<number> {
    const rows = returnedRows(await this.dataSource.query(`DELETE FROM export_jobs WHERE id = ANY($1::uuid[]) RETURNING id`, [ids]));
    return rows.length;
  }

  /** Deletes rows of `table` with `column` < cutoff (plus `extra` condition), `batch` rows per statement. */
  async deleteOlder(
    table: 'detection_event_logs' | 'audit_logs' | 'system_metrics' | 'notifications' | 'alerts',
    column: 'timestamp',
    cutoff: Date,
    batch: number,
    extra = '',
  ): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = returnedRows(
        await this.dataSource.query(
          `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${table} WHERE ${column} < $1 ${extra} LIMIT $2)) RETURNING 1`,
          [cutoff, batch],
        ),
      );
      total += rows.length;
      if (rows.length < batch) return total;
    }
  }
}
