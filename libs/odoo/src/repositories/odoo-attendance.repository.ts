import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { runInTransaction } from '@app/database/transaction';
import type { AttendanceOwner, SyncLogRow, SyncOutcome } from '../sync/odoo-sync.types';

/**
 * Which attendance logs a sync must push (SQL, on `l`). A log needs a push when it has a check-in and:
 * - it was never pushed (pending);
 * - its last push failed and it changed since (updated_at after the attempt), or failures are
 *   retried on request ($retryFailed);
 * - it is synced but its check-out moved since it was written (check_out_at vs odoo_synced_check_out).
 * Logs without check-in (missed shifts) have nothing to send.
 */
const NEEDS_SYNC = `l.check_in_at IS NOT NULL AND (
    l.odoo_status = 'pending'
    OR (l.odoo_status = 'failed' AND ($1::boolean OR l.odoo_sync_time IS NULL OR l.updated_at > l.odoo_sync_time))
    OR (l.odoo_status = 'synced' AND l.odoo_attendance_id IS NULL)
    OR (l.odoo_status = 'synced' AND l.check_out_at IS NOT NULL AND l.check_out_at IS DISTINCT FROM l.odoo_synced_check_out)
  )`;

interface RawLog {
  id: string;
  employee_id: string;
  check_in_at: Date;
  check_out_at: Date | null;
  odoo_status: SyncLogRow['odooStatus'];
  odoo_attendance_id: number | null;
  odoo_synced_check_out: Date | null;
}

export interface OdooSyncCounts {
  /** Logs the next automatic sync would push. */
  pending: number;
  /** Logs whose last push failed. */
  failed: number;
  synced: number;
}

/**
 * The Odoo side of attendance_logs: which logs to push and the odoo_* columns it writes back
 * (odoo_status, odoo_sync_time, odoo_error_message, odoo_attendance_id, odoo_synced_check_out),
 * with the odoo_sync_logs history rows in the same transaction. It never touches other columns,
 * nor updated_at (that column tells when the attendance itself changed).
 */
@Injectable()
export class OdooAttendanceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Ids of the logs to push, oldest check-in first (so an employee's attendances reach Odoo in order). */
  async findIdsToSync(opts: { retryFailed: boolean; limit: number }): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT l.id FROM attendance_logs l WHERE ${NEEDS_SYNC} ORDER BY l.check_in_at, l.id LIMIT $2`,
      [opts.retryFailed, opts.limit],
    );
    return rows.map((r) => r.id);
  }

  /** Of these ids, the ones that exist, in check-in order (logs without check-in last). */
  async findExisting(ids: string[]): Promise<Array<{ id: string; hasCheckIn: boolean }>> {
    if (ids.length === 0) return [];
    const rows: Array<{ id: string; has_check_in: boolean }> = await this.dataSource.query(
      `SELECT l.id, l.check_in_at IS NOT NULL AS has_check_in FROM attendance_logs l
        WHERE l.id = ANY($1::varchar[]) ORDER BY l.check_in_at NULLS LAST, l.id`,
      [ids],
    );
    return rows.map((r) => ({ id: r.id, hasCheckIn: r.has_check_in }));
  }

  /** Fresh rows of these ids that still need a push, in check-in order. */
  async loadForSync(ids: string[], retryFailed: boolean): Promise<SyncLogRow[]> {
    if (ids.length === 0) return [];
    const rows: RawLog[] = await this.dataSource.query(
      `SELECT l.id, l.employee_id, l.check_in_at, l.check_out_at, l.odoo_status, l.odoo_attendance_id, l.odoo_synced_check_out
         FROM attendance_logs l
        WHERE l.id = ANY($2::varchar[]) AND ${NEEDS_SYNC}
        ORDER BY l.check_in_at, l.id`,
      [retryFailed, ids],
    );
    return rows.map((r) => ({
      id: r.id,
      employeeId: r.employee_id,
      checkInAt: new Date(r.check_in_at),
      checkOutAt: r.check_out_at ? new Date(r.check_out_at) : null,
      odooStatus: r.odoo_status,
      odooAttendanceId: r.odoo_attendance_id,
      odooSyncedCheckOut: r.odoo_synced_check_out ? new Date(r.odoo_synced_check_out) : null,
    }));
  }

  /** The logs holding these Odoo attendance ids. */
  async findOwners(odooIds: number[]): Promise<Map<number, AttendanceOwner>> {
    const owners = new Map<number, AttendanceOwner>();
    if (odooIds.length === 0) return owners;
    const rows: Array<{ id: string; odoo_attendance_id: number; check_out_at: Date | null }> = await this.dataSource.query(
      `SELECT id, odoo_attendance_id, check_out_at FROM attendance_logs WHERE odoo_attendance_id = ANY($1::int[]) ORDER BY id`,
      [odooIds],
    );
    for (const r of rows) {
      if (!owners.has(r.odoo_attendance_id)) {
        owners.set(r.odoo_attendance_id, { logId: r.id, checkOutAt: r.check_out_at ? new Date(r.check_out_at) : null });
      }
    }
    return owners;
  }

  /**
   * Writes the outcomes of a batch in one transaction: the odoo_* columns of each log and one
   * odoo_sync_logs row per outcome. Logs deleted meanwhile keep their history rows.
   */
  async recordOutcomes(outcomes: SyncOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await runInTransaction(this.dataSource, async (manager) => {
      await manager.query(
        `UPDATE attendance_logs AS l
            SET odoo_status = v.status,
                odoo_sync_time = v.at,
                odoo_error_message = v.error,
                odoo_attendance_id = v.odoo_id,
                odoo_synced_check_out = v.synced_check_out
           FROM unnest($1::varchar[], $2::varchar[], $3::timestamptz[], $4::text[], $5::int[], $6::timestamptz[])
                AS v(id, status, at, error, odoo_id, synced_check_out)
          WHERE l.id = v.id`,
        [
          outcomes.map((o) => o.logId),
          outcomes.map((o) => o.status),
          outcomes.map((o) => o.at),
          outcomes.map((o) => (o.result === 'failure' ? o.message : null)),
          outcomes.map((o) => o.odooAttendanceId),
          outcomes.map((o) => o.syncedCheckOut),
        ],
      );
      await manager.query(
        `INSERT INTO odoo_sync_logs (timestamp, employee_id, result, message, attendance_log_id, action)
         SELECT * FROM unnest($1::timestamptz[], $2::varchar[], $3::varchar[], $4::text[], $5::varchar[], $6::varchar[])`,
        [
          outcomes.map((o) => o.at),
          outcomes.map((o) => o.employeeId),
          outcomes.map((o) => o.result),
          outcomes.map((o) => o.message),
          outcomes.map((o) => o.logId),
          outcomes.map((o) => o.action),
        ],
      );
    });
  }

  async counts(): Promise<OdooSyncCounts> {
    const rows: Array<{ pending: string; failed: string; synced: string }> = await this.dataSource.query(
      `SELECT
         (SELECT count(*) FROM attendance_logs l WHERE ${NEEDS_SYNC}) AS pending,
         (SELECT count(*) FROM attendance_logs WHERE odoo_status = 'failed') AS failed,
         (SELECT count(*) FROM attendance_logs WHERE odoo_status = 'synced') AS synced`,
      [false],
    );
    const r = rows[0];
    return { pending: Number(r?.pending ?? 0), failed: Number(r?.failed ?? 0), synced: Number(r?.synced ?? 0) };
  }
}
