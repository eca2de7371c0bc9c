import type { OdooSyncStatus } from '@app/attendance/entities/attendance-log.entity';

/** The part of an attendance log the sync reads. Instants are exact (UTC); Odoo gets them to the second. */
export interface SyncLogRow {
  id: string;
  employeeId: string;
  checkInAt: Date;
  checkOutAt: Date | null;
  odooStatus: OdooSyncStatus;
  odooAttendanceId: number | null;
  /** The check-out last written to Odoo (null: none yet). */
  odooSyncedCheckOut: Date | null;
}

/**
 * What happened to one log:
 * - create: a new hr.attendance;
 * - adopt: an attendance already in Odoo for this presence (an interrupted earlier run, a kiosk
 *   check-in) was taken over instead of creating a second one;
 * - check_out: the check-out of the log's attendance was written;
 * - reconcile: an older open attendance of the employee was closed so that this one could be created;
 * - none: Odoo already had everything.
 */
export type SyncAction = 'create' | 'adopt' | 'check_out' | 'reconcile' | 'none';

export interface SyncOutcome {
  logId: string;
  employeeId: string;
  result: 'success' | 'failure';
  action: SyncAction;
  /** Plain-language description, stored in odoo_sync_logs.message (and as the log's error on failure). */
  message: string;
  status: Extract<OdooSyncStatus, 'synced' | 'failed'>;
  /** The hr.attendance id to keep on the log (null: none). */
  odooAttendanceId: number | null;
  /** The check-out Odoo now has for it (null: none). */
  syncedCheckOut: Date | null;
  at: Date;
}

/** The log that already holds an Odoo attendance id. */
export interface AttendanceOwner {
  logId: string;
  checkOutAt: Date | null;
}

export type EmployeeLookup = { kind: 'found'; id: number; name: string } | { kind: 'missing' } | { kind: 'ambiguous'; ids: number[] };

/** How a run ended. */
export type OdooSyncRunStatus = 'completed' | 'skipped' | 'failed';

/** The result of a sync job (GET /jobs/{id} shows it). */
export interface OdooSyncRunResult {
  status: OdooSyncRunStatus;
  trigger: 'manual' | 'scheduled';
  /** Why the run was skipped or failed. */
  reason?: string;
  /** Logs the run took on. */
  total: number;
  /** Logs now in step with Odoo (created, adopted, check-out written, already there). */
  synced: number;
  failed: number;
  /** Logs that turned out to need nothing (already in step, or without a check-in to send). */
  unchanged: number;
  /** Logs left for a later run (the run stopped before reaching them). */
  remaining: number;
  created: number;
  adopted: number;
  checkOuts: number;
  reconciled: number;
  /** HTTP calls made to Odoo, in total and per operation ('hr.attendance.create', ...). */
  calls: number;
  callsByOperation: Record<string, number>;
  /** Time spent in calls to Odoo (summed; calls in parallel overlap), in ms. */
  odooMs: number;
  durationMs: number;
  startedAt: string;
  finishedAt: string;
}
