import { toOdooDatetime } from '../client/odoo-datetime';
import type { OdooClient } from '../client/odoo.client';
import { OdooAuthError, OdooError, OdooValidationError } from '../client/odoo.errors';
import type { OdooAttendance, OdooEmployeeMatchField } from '../client/odoo.types';
import type { OdooSyncSettings } from '../odoo.constants';
import { backoffDelay, isRetryable, sleep, withRetry, type RetryPolicy } from './odoo-retry';
import type { AttendanceOwner, EmployeeLookup, SyncAction, SyncLogRow, SyncOutcome } from './odoo-sync.types';

export type SyncAbortKind = 'auth' | 'unreachable' | 'odoo' | 'lock-lost';

/**
 * Stops a whole run: Odoo refused the credentials, stayed unreachable through every retry, answered
 * something unusable, or the run lost its lock. Logs not finished stay as they were (pending).
 */
export class SyncAbortError extends Error {
  override name = 'SyncAbortError';

  constructor(
    readonly kind: SyncAbortKind,
    message: string,
    /** Worth running the job again later (transport trouble, lost lock). */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** Maps a failure that ends the run to a SyncAbortError; anything else (database, bugs) passes through. */
export function toAbort(error: unknown, attempts: number): unknown {
  if (error instanceof SyncAbortError) return error;
  if (error instanceof OdooAuthError) {
    return new SyncAbortError('auth', `Odoo refused the credentials: ${error.message}`, false);
  }
  if (error instanceof OdooError && error.retryable) {
    return new SyncAbortError('unreachable', `Odoo did not answer properly after ${attempts} attempts: ${error.message}`, true);
  }
  if (error instanceof OdooError) {
    return new SyncAbortError('odoo', `Odoo answered with an error: ${error.message}`, false);
  }
  return error;
}

/** The Odoo calls the engine makes (OdooClient in production, a fake in unit tests). */
export type SyncOdooClient = Pick<OdooClient, 'findAttendancesAtOrOpen' | 'createAttendances' | 'writeAttendance' | 'findOpenAttendance'>;

export interface SyncEngineDeps {
  client: SyncOdooClient;
  settings: OdooSyncSettings;
  matchField: OdooEmployeeMatchField;
  /** Odoo employees for our employee codes (cached; retried by the caller). */
  lookupEmployees(codes: string[]): Promise<Map<string, EmployeeLookup>>;
  /** Forget a cached employee that turned out to be gone. */
  forgetEmployee(code: string): Promise<void>;
  /** Our logs already holding these Odoo attendance ids. */
  findOwners(odooIds: number[]): Promise<Map<number, AttendanceOwner>>;
  /** Throws (SyncAbortError 'lock-lost') when the run must stop. Called before each Odoo mutation. */
  checkpoint(): void;
  now?: () => Date;
}

interface CreateItem {
  log: SyncLogRow;
  employee: number;
  /** Set after an older open attendance was closed to make room: reported in the outcome. */
  reconcileNote?: string;
}

interface WriteItem {
  log: SyncLogRow;
  odooId: number;
  checkOut: Date;
  /** The Odoo record when it is being adopted (else the log's own record). */
  adopted: OdooAttendance | null;
}

const FIELD_LABEL: Record<OdooEmployeeMatchField, string> = {
  barcode: 'Badge ID (barcode)',
  identification_id: 'Identification No (identification_id)',
};

const odooTime = (d: Date): string => `${toOdooDatetime(d)} UTC`;

/** Two instants are the same for Odoo when they fall in the same second. */
export function sameSecond(a: Date | null, b: Date | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.floor(a.getTime() / 1000) === Math.floor(b.getTime() / 1000);
}

function isMissingRecord(error: OdooValidationError): boolean {
  return error.odooName === 'odoo.exceptions.MissingError';
}

/**
 * Pushes batches of attendance logs to Odoo as hr.attendance records, one per log:
 *
 * 1. employees are looked up (cached) on the configured field; unknown or ambiguous ones fail the log;
 * 2. one search_read finds what Odoo already has for the batch (same employee and check-in to the
 *    second, or an open attendance near the check-in) and adopts it: a run interrupted after a
 *    `create` but before remembering its ids, or an answer lost on the way, never makes a second one;
 * 3. check-outs are written where the log got one or moved it (records of one employee in order);
 * 4. the rest is created in one `create` call with a list of vals; when Odoo refuses the list, each
 *    log is created alone, and a refusal caused by an open attendance of the employee is reconciled
 *    (the open one adopted when it is this presence, closed when it is an older one).
 *
 * Transport errors and 5xx are retried with exponential backoff; before a failed `create` is tried
 * again, step 2 runs again. Each finished log gets its outcome in the map at once, so a batch
 * interrupted midway still records what reached Odoo.
 */
export class OdooSyncEngine {
  private readonly policy: RetryPolicy;
  private readonly now: () => Date;

  constructor(private readonly deps: SyncEngineDeps) {
    this.policy = {
      attempts: deps.settings.retryAttempts,
      baseDelayMs: deps.settings.retryBaseDelayMs,
      maxDelayMs: deps.settings.retryMaxDelayMs,
    };
    this.now = deps.now ?? (() => new Date());
  }

  async syncBatch(logs: SyncLogRow[], outcomes: Map<string, SyncOutcome>): Promise<void> {
    try {
      const writes: WriteItem[] = [];
      const toCreate: SyncLogRow[] = [];
      for (const log of logs) {
        if (log.odooAttendanceId === null) {
          toCreate.push(log);
        } else if (log.checkOutAt && !sameSecond(log.checkOutAt, log.odooSyncedCheckOut)) {
          writes.push({ log, odooId: log.odooAttendanceId, checkOut: log.checkOutAt, adopted: null });
        } else {
          this.success(
            outcomes,
            log,
            'none',
            `Already in Odoo as hr.attendance #${log.odooAttendanceId}`,
            log.odooAttendanceId,
            log.odooSyncedCheckOut,
          );
        }
      }
      const creates = await this.resolveEmployees(toCreate, outcomes);
      const remaining = await this.adoptExisting(creates, outcomes, writes);
      await this.writeAll(writes, outcomes);
      await this.createAll(remaining, outcomes);
    } catch (error) {
      throw toAbort(error, this.policy.attempts);
    }
  }

  // ------------------------------------------------------------------ steps

  private async resolveEmployees(logs: SyncLogRow[], outcomes: Map<string, SyncOutcome>): Promise<CreateItem[]> {
    if (logs.length === 0) return [];
    const lookups = await this.deps.lookupEmployees([...new Set(logs.map((l) => l.employeeId))]);
    const items: CreateItem[] = [];
    const label = FIELD_LABEL[this.deps.matchField];
    for (const log of logs) {
      const lookup = lookups.get(log.employeeId) ?? { kind: 'missing' };
      if (lookup.kind === 'found') {
        items.push({ log, employee: lookup.id });
      } else if (lookup.kind === 'missing') {
        this.failure(outcomes, log, 'create', `No active employee in Odoo has ${label} '${log.employeeId}'`, null, null);
      } else {
        this.failure(
          outcomes,
          log,
          'create',
          `${lookup.ids.length} employees in Odoo have ${label} '${log.employeeId}' (ids ${lookup.ids.join(', ')}); make it unique in Odoo`,
          null,
          null,
        );
      }
    }
    return items;
  }

  /**
   * Adopts what Odoo already has for these logs; returns the logs still to create. Adopted logs whose
   * check-out differs from Odoo's are queued in `writes`, the others are finished here.
   */
  private async adoptExisting(items: CreateItem[], outcomes: Map<string, SyncOutcome>, writes: WriteItem[]): Promise<CreateItem[]> {
    if (items.length === 0) return [];
    const { client } = this.deps;
    const found = await withRetry(
      () =>
        client.findAttendancesAtOrOpen(
          items.map((i) => i.employee),
          items.map((i) => i.log.checkInAt),
        ),
      this.policy,
    );
    if (found.length === 0) return items;
    // Held by a log in the database, or already given to a log of this batch.
    const taken = new Set<number>([
      ...(await this.deps.findOwners(found.map((f) => f.id))).keys(),
      ...this.claimed(outcomes),
      ...writes.map((w) => w.odooId),
    ]);
    const exact = new Map<string, OdooAttendance[]>();
    const open = new Map<number, OdooAttendance[]>();
    for (const att of found) {
      const key = `${att.employeeId}|${toOdooDatetime(att.checkIn)}`;
      exact.set(key, [...(exact.get(key) ?? []), att]);
      if (att.checkOut === null) open.set(att.employeeId, [...(open.get(att.employeeId) ?? []), att]);
    }
    const tolerance = this.deps.settings.adoptToleranceMs;
    const remaining: CreateItem[] = [];
    for (const item of items) {
      const { log } = item;
      const candidate =
        exact.get(`${item.employee}|${toOdooDatetime(log.checkInAt)}`)?.find((a) => !taken.has(a.id)) ??
        open.get(item.employee)?.find((a) => !taken.has(a.id) && Math.abs(a.checkIn.getTime() - log.checkInAt.getTime()) <= tolerance);
      if (!candidate) {
        remaining.push(item);
        continue;
      }
      taken.add(candidate.id);
      if (log.checkOutAt && !sameSecond(log.checkOutAt, candidate.checkOut)) {
        writes.push({ log, odooId: candidate.id, checkOut: log.checkOutAt, adopted: candidate });
      } else {
        this.success(outcomes, log, 'adopt', this.adoptMessage(candidate), candidate.id, candidate.checkOut ?? null);
      }
    }
    return remaining;
  }

  /** Writes check-outs: employees in parallel (bounded), each employee's records in check-in order. */
  private async writeAll(writes: WriteItem[], outcomes: Map<string, SyncOutcome>): Promise<void> {
    if (writes.length === 0) return;
    const byEmployee = new Map<string, WriteItem[]>();
    for (const w of writes) byEmployee.set(w.log.employeeId, [...(byEmployee.get(w.log.employeeId) ?? []), w]);
    const groups = [...byEmployee.values()].map((group) => group.sort((a, b) => a.log.checkInAt.getTime() - b.log.checkInAt.getTime()));
    await runPool(groups, this.deps.settings.writeConcurrency, async (group) => {
      for (const w of group) await this.writeOne(w, outcomes);
    });
  }

  private async writeOne(w: WriteItem, outcomes: Map<string, SyncOutcome>): Promise<void> {
    this.deps.checkpoint();
    const action: SyncAction = w.adopted ? 'adopt' : 'check_out';
    try {
      await withRetry(() => this.deps.client.writeAttendance(w.odooId, { checkOut: w.checkOut }), this.policy);
    } catch (error) {
      if (!(error instanceof OdooValidationError)) throw error;
      if (isMissingRecord(error)) {
        this.failure(
          outcomes,
          w.log,
          action,
          `hr.attendance #${w.odooId} no longer exists in Odoo (deleted there?); it will be created again on the next try`,
          null,
          null,
        );
      } else {
        const previous = w.adopted ? w.adopted.checkOut : w.log.odooSyncedCheckOut;
        this.failure(
          outcomes,
          w.log,
          action,
          `Odoo refused check-out ${odooTime(w.checkOut)} on hr.attendance #${w.odooId}: ${error.message}`,
          w.odooId,
          previous,
        );
      }
      return;
    }
    const written = `wrote check-out ${odooTime(w.checkOut)}`;
    const message = w.adopted ? `${this.adoptMessage(w.adopted)}; ${written}` : `${capitalize(written)} on hr.attendance #${w.odooId}`;
    this.success(outcomes, w.log, action, message, w.odooId, w.checkOut);
  }

  private async createAll(items: CreateItem[], outcomes: Map<string, SyncOutcome>): Promise<void> {
    if (items.length === 0) return;
    if (!this.deps.settings.batchCreate || items.length === 1) {
      for (const item of items) await this.createOne(item, outcomes);
      return;
    }
    let pending = items;
    for (let attempt = 1; ; attempt += 1) {
      if (attempt > 1) {
        // The failed call may have been applied: take what it created instead of creating again.
        const writes: WriteItem[] = [];
        pending = await this.adoptExisting(pending, outcomes, writes);
        await this.writeAll(writes, outcomes);
        if (pending.length === 0) return;
      }
      this.deps.checkpoint();
      try {
        const ids = await this.deps.client.createAttendances(pending.map((i) => this.vals(i)));
        pending.forEach((item, index) => this.created(outcomes, item, ids[index] as number));
        return;
      } catch (error) {
        if (isRetryable(error) && attempt < this.policy.attempts) {
          await sleep(backoffDelay(attempt, this.policy));
          continue;
        }
        if (error instanceof OdooValidationError) {
          // Odoo rolled the whole list back: find the offending logs by creating each alone.
          for (const item of pending) await this.createOne(item, outcomes);
          return;
        }
        throw error;
      }
    }
  }

  private async createOne(item: CreateItem, outcomes: Map<string, SyncOutcome>): Promise<void> {
    let reconciled = false;
    for (let attempt = 1; ; attempt += 1) {
      if (attempt > 1) {
        const writes: WriteItem[] = [];
        const left = await this.adoptExisting([item], outcomes, writes);
        await this.writeAll(writes, outcomes);
        if (left.length === 0) return;
      }
      this.deps.checkpoint();
      try {
        const [id] = await this.deps.client.createAttendances([this.vals(item)]);
        this.created(outcomes, item, id as number);
        return;
      } catch (error) {
        if (isRetryable(error) && attempt < this.policy.attempts) {
          await sleep(backoffDelay(attempt, this.policy));
          continue;
        }
        if (!(error instanceof OdooValidationError)) throw error;
        if (isMissingRecord(error)) {
          await this.deps.forgetEmployee(item.log.employeeId);
          this.failure(
            outcomes,
            item.log,
            'create',
            `The Odoo employee #${item.employee} for '${item.log.employeeId}' no longer exists in Odoo`,
            null,
            null,
          );
          return;
        }
        if (reconciled) {
          this.failure(outcomes, item.log, 'create', `Odoo refused the attendance: ${error.message}`, null, null);
          return;
        }
        reconciled = true;
        if (!(await this.reconcile(item, error, outcomes))) return;
        attempt = 0; // room was made: create again from a fresh attempt count
      }
    }
  }

  /**
   * Odoo refused to create the log's attendance. When the cause is an open attendance of the
   * employee: adopt it if it is this presence (check-in within the tolerance, not another log's),
   * or close it if it is an older one and this log is still open. Returns true when the create
   * should be tried again, false when the log got its outcome here.
   */
  private async reconcile(item: CreateItem, refusal: OdooValidationError, outcomes: Map<string, SyncOutcome>): Promise<boolean> {
    const { log } = item;
    const { client } = this.deps;
    const open = await withRetry(() => client.findOpenAttendance(item.employee), this.policy);
    if (!open) {
      this.failure(outcomes, log, 'create', `Odoo refused the attendance: ${refusal.message}`, null, null);
      return false;
    }
    const inBatch = [...outcomes.values()].find((o) => o.odooAttendanceId === open.id);
    const owner =
      (await this.deps.findOwners([open.id])).get(open.id) ??
      (inBatch ? { logId: inBatch.logId, checkOutAt: inBatch.syncedCheckOut } : null);
    const delta = open.checkIn.getTime() - log.checkInAt.getTime();
    const openAttendance: OdooAttendance = {
      id: open.id,
      employeeId: item.employee,
      employeeName: null,
      checkIn: open.checkIn,
      checkOut: null,
      workedHours: null,
    };
    if (Math.abs(delta) <= this.deps.settings.adoptToleranceMs && owner === null) {
      if (log.checkOutAt) {
        await this.writeOne({ log, odooId: open.id, checkOut: log.checkOutAt, adopted: openAttendance }, outcomes);
      } else {
        this.success(outcomes, log, 'adopt', this.adoptMessage(openAttendance), open.id, null);
      }
      return false;
    }
    if (log.checkOutAt === null && delta < 0) {
      // An older presence was never closed. Close it at the check-out its own log knows, if any,
      // else at its check-in: no hours are invented for a check-out nobody saw.
      const ownerOut = owner?.checkOutAt ?? null;
      const closeAt = ownerOut && ownerOut >= open.checkIn && ownerOut <= log.checkInAt ? ownerOut : open.checkIn;
      this.deps.checkpoint();
      try {
        await withRetry(() => client.writeAttendance(open.id, { checkOut: closeAt }), this.policy);
      } catch (error) {
        if (!(error instanceof OdooValidationError)) throw error;
        this.failure(
          outcomes,
          log,
          'reconcile',
          `Could not close the open hr.attendance #${open.id} (since ${odooTime(open.checkIn)}): ${error.message}`,
          null,
          null,
        );
        return false;
      }
      if (owner) this.closedForOwner(outcomes, owner, log, open.id, closeAt);
      item.reconcileNote = `closed open hr.attendance #${open.id} (since ${odooTime(open.checkIn)}) at ${odooTime(closeAt)}`;
      return true;
    }
    const why =
      delta > 0
        ? `Odoo has a later open attendance for this employee (hr.attendance #${open.id} since ${odooTime(open.checkIn)}) and this log has no check-out yet`
        : `Odoo refused the attendance: ${refusal.message}`;
    this.failure(outcomes, log, 'create', why, null, null);
    return false;
  }

  // ------------------------------------------------------------------ outcomes

  /** Odoo ids given to logs of this batch so far. */
  private claimed(outcomes: Map<string, SyncOutcome>): Set<number> {
    const ids = new Set<number>();
    for (const o of outcomes.values()) if (o.odooAttendanceId !== null) ids.add(o.odooAttendanceId);
    return ids;
  }

  private vals(item: CreateItem): { employeeId: number; checkIn: Date; checkOut: Date | null } {
    return { employeeId: item.employee, checkIn: item.log.checkInAt, checkOut: item.log.checkOutAt };
  }

  private created(outcomes: Map<string, SyncOutcome>, item: CreateItem, id: number): void {
    const { log } = item;
    const times = `check-in ${odooTime(log.checkInAt)}${log.checkOutAt ? `, check-out ${odooTime(log.checkOutAt)}` : ''}`;
    if (item.reconcileNote) {
      this.success(
        outcomes,
        log,
        'reconcile',
        `${capitalize(item.reconcileNote)}, then created hr.attendance #${id} (${times})`,
        id,
        log.checkOutAt,
      );
    } else {
      this.success(outcomes, log, 'create', `Created hr.attendance #${id} (${times})`, id, log.checkOutAt);
    }
  }

  /** The closed attendance belonged to another of our logs: record that Odoo now has it closed. */
  private closedForOwner(
    outcomes: Map<string, SyncOutcome>,
    owner: AttendanceOwner,
    cause: SyncLogRow,
    odooId: number,
    closeAt: Date,
  ): void {
    const message = `Closed in Odoo at ${odooTime(closeAt)} so that log ${cause.id} could be added`;
    const existing = outcomes.get(owner.logId);
    if (existing) {
      existing.syncedCheckOut = closeAt;
      existing.message = `${existing.message}; ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
      return;
    }
    outcomes.set(owner.logId, {
      logId: owner.logId,
      employeeId: cause.employeeId,
      result: 'success',
      action: 'check_out',
      message,
      status: 'synced',
      odooAttendanceId: odooId,
      syncedCheckOut: closeAt,
      at: this.now(),
    });
  }

  private adoptMessage(att: OdooAttendance): string {
    return `Adopted hr.attendance #${att.id} already in Odoo (check-in ${odooTime(att.checkIn)}${att.checkOut ? `, check-out ${odooTime(att.checkOut)}` : ''})`;
  }

  private success(
    outcomes: Map<string, SyncOutcome>,
    log: SyncLogRow,
    action: SyncAction,
    message: string,
    odooId: number,
    syncedCheckOut: Date | null,
  ): void {
    outcomes.set(log.id, {
      logId: log.id,
      employeeId: log.employeeId,
      result: 'success',
      action,
      message,
      status: 'synced',
      odooAttendanceId: odooId,
      syncedCheckOut,
      at: this.now(),
    });
  }

  private failure(
    outcomes: Map<string, SyncOutcome>,
    log: SyncLogRow,
    action: SyncAction,
    message: string,
    odooId: number | null,
    syncedCheckOut: Date | null,
  ): void {
    outcomes.set(log.id, {
      logId: log.id,
      employeeId: log.employeeId,
      result: 'failure',
      action,
      message,
      status: 'failed',
      odooAttendanceId: odooId,
      syncedCheckOut,
      at: this.now(),
    });
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Runs `work` over `items` with at most `concurrency` in flight. On the first failure no new item
 * starts; the ones in flight finish, then the failure is thrown.
 */
export async function runPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (failure === null && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(lanes);
  if (failure !== null) throw (failure as { error: unknown }).error;
}
