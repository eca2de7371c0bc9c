import { describe, expect, it } from '@jest/globals';
import { toOdooDatetime } from '../client/odoo-datetime';
import { OdooAuthError, OdooTransportError, OdooValidationError } from '../client/odoo.errors';
import type { OdooAttendance, OdooAttendanceInput, OdooAttendanceUpdate, OdooOpenAttendance } from '../client/odoo.types';
import { DEFAULT_SYNC_SETTINGS, type OdooSyncSettings } from '../odoo.constants';
import { OdooSyncEngine, SyncAbortError, runPool, sameSecond, type SyncOdooClient } from './odoo-sync.engine';
import { backoffDelay } from './odoo-retry';
import type { AttendanceOwner, EmployeeLookup, SyncLogRow, SyncOutcome } from './odoo-sync.types';

interface Row {
  id: number;
  employeeId: number;
  checkIn: Date;
  checkOut: Date | null;
}

/**
 * An in-memory Odoo for the engine: hr.attendance rows with Odoo's "one open attendance per
 * employee" rule, a call log, and scripted faults per method (thrown before or after applying).
 */
class FakeOdoo implements SyncOdooClient {
  rows: Row[] = [];
  calls: string[] = [];
  private nextId = 1;
  private faults: Array<{ method: string; error: Error; after: boolean }> = [];

  add(employeeId: number, checkIn: string, checkOut: string | null = null): number {
    const id = this.nextId++;
    this.rows.push({ id, employeeId, checkIn: new Date(`${checkIn}Z`), checkOut: checkOut ? new Date(`${checkOut}Z`) : null });
    return id;
  }

  /** The next call of `method` fails; `after`: the call is applied, then the answer is lost. */
  fail(method: string, error: Error, after = false): void {
    this.faults.push({ method, error, after });
  }

  private fault(method: string, after: boolean): void {
    const index = this.faults.findIndex((f) => f.method === method && f.after === after);
    if (index >= 0) {
      const [f] = this.faults.splice(index, 1);
      throw f!.error;
    }
  }

  private view(r: Row): OdooAttendance {
    return { id: r.id, employeeId: r.employeeId, employeeName: null, checkIn: r.checkIn, checkOut: r.checkOut, workedHours: null };
  }

  async findAttendancesAtOrOpen(employeeIds: number[], checkIns: Date[]): Promise<OdooAttendance[]> {
    this.calls.push('search');
    this.fault('search', false);
    const instants = new Set(checkIns.map((d) => toOdooDatetime(d)));
    return this.rows
      .filter((r) => employeeIds.includes(r.employeeId) && (instants.has(toOdooDatetime(r.checkIn)) || r.checkOut === null))
      .map((r) => this.view(r));
  }

  async createAttendances(inputs: OdooAttendanceInput[]): Promise<number[]> {
    this.calls.push(`create:${inputs.length}`);
    this.fault('create', false);
    const snapshot = this.rows.map((r) => ({ ...r }));
    const next = this.nextId;
    const ids: number[] = [];
    for (const input of inputs) {
      if (!input.checkOut && this.rows.some((r) => r.employeeId === input.employeeId && r.checkOut === null)) {
        this.rows = snapshot;
        this.nextId = next;
        throw new OdooValidationError(
          `Cannot create new attendance record for #${input.employeeId}, the employee hasn't checked out since ...`,
          {
            odooName: 'odoo.exceptions.ValidationError',
          },
        );
      }
      const id = this.nextId++;
      this.rows.push({ id, employeeId: input.employeeId, checkIn: input.checkIn, checkOut: input.checkOut ?? null });
      ids.push(id);
    }
    this.fault('create', true);
    return ids;
  }

  async writeAttendance(id: number, update: OdooAttendanceUpdate): Promise<void> {
    this.calls.push(`write:${id}`);
    this.fault('write', false);
    const row = this.rows.find((r) => r.id === id);
    if (!row) throw new OdooValidationError('Record does not exist or has been deleted.', { odooName: 'odoo.exceptions.MissingError' });
    if (update.checkOut !== undefined) row.checkOut = update.checkOut;
    this.fault('write', true);
  }

  async findOpenAttendance(employeeId: number): Promise<OdooOpenAttendance | null> {
    this.calls.push('open');
    const open = this.rows
      .filter((r) => r.employeeId === employeeId && r.checkOut === null)
      .sort((a, b) => b.checkIn.getTime() - a.checkIn.getTime())[0];
    return open ? { id: open.id, checkIn: open.checkIn } : null;
  }
}

const SETTINGS: OdooSyncSettings = { ...DEFAULT_SYNC_SETTINGS, retryBaseDelayMs: 1, retryMaxDelayMs: 2 };
const EMPLOYEES: Record<string, EmployeeLookup> = {
  'EMP-1': { kind: 'found', id: 11, name: 'One' },
  'EMP-2': { kind: 'found', id: 12, name: 'Two' },
  'EMP-3': { kind: 'found', id: 13, name: 'Three' },
  'EMP-DUP': { kind: 'ambiguous', ids: [21, 22] },
};

function log(id: string, employeeId: string, checkIn: string, checkOut: string | null = null, extra: Partial<SyncLogRow> = {}): SyncLogRow {
  return {
    id,
    employeeId,
    checkInAt: new Date(`${checkIn}Z`),
    checkOutAt: checkOut ? new Date(`${checkOut}Z`) : null,
    odooStatus: 'pending',
    odooAttendanceId: null,
    odooSyncedCheckOut: null,
    ...extra,
  };
}

function setup(opts: { settings?: Partial<OdooSyncSettings>; owners?: Map<number, AttendanceOwner>; lockLost?: () => boolean } = {}) {
  const odoo = new FakeOdoo();
  const forgotten: string[] = [];
  const engine = new OdooSyncEngine({
    client: odoo,
    settings: { ...SETTINGS, ...opts.settings },
    matchField: 'barcode',
    lookupEmployees: async (codes) => new Map(codes.map((c) => [c, EMPLOYEES[c] ?? { kind: 'missing' }])),
    forgetEmployee: async (code) => {
      forgotten.push(code);
    },
    findOwners: async (ids) => new Map([...(opts.owners ?? new Map<number, AttendanceOwner>())].filter(([id]) => ids.includes(id))),
    checkpoint: () => {
      if (opts.lockLost?.()) throw new SyncAbortError('lock-lost', 'lost', true);
    },
  });
  const outcomes = new Map<string, SyncOutcome>();
  return { odoo, engine, outcomes, forgotten };
}

describe('OdooSyncEngine', () => {
  it('creates a batch with one search and one create call, check-outs included', async () => {
    const { odoo, engine, outcomes } = setup();
    await engine.syncBatch(
      [
        log('L1', 'EMP-1', '2025-03-10T13:00:00', '2025-03-10T21:30:00'),
        log('L2', 'EMP-2', '2025-03-10T13:05:00'),
        log('L3', 'EMP-3', '2025-03-10T13:10:00'),
      ],
      outcomes,
    );
    expect(odoo.calls).toEqual(['search', 'create:3']);
    expect(odoo.rows.map((r) => [r.employeeId, toOdooDatetime(r.checkIn), r.checkOut && toOdooDatetime(r.checkOut)])).toEqual([
      [11, '2025-03-10 13:00:00', '2025-03-10 21:30:00'],
      [12, '2025-03-10 13:05:00', null],
      [13, '2025-03-10 13:10:00', null],
    ]);
    expect(outcomes.get('L1')).toMatchObject({ result: 'success', action: 'create', status: 'synced', odooAttendanceId: 1 });
    expect(outcomes.get('L1')!.syncedCheckOut?.toISOString()).toBe('2025-03-10T21:30:00.000Z');
    expect(outcomes.get('L2')).toMatchObject({
      odooAttendanceId: 2,
      syncedCheckOut: null,
      message: 'Created hr.attendance #2 (check-in 2025-03-10 13:05:00 UTC)',
    });
  });

  it('never creates twice when the answer of a create is lost: the retry adopts what was applied', async () => {
    const { odoo, engine, outcomes } = setup();
    odoo.fail('create', new OdooTransportError('socket hang up', { kind: 'network' }), true);
    await engine.syncBatch(
      [log('L1', 'EMP-1', '2025-03-10T13:00:00'), log('L2', 'EMP-2', '2025-03-10T13:05:00', '2025-03-10T20:00:00')],
      outcomes,
    );
    expect(odoo.rows).toHaveLength(2);
    expect(odoo.calls).toEqual(['search', 'create:2', 'search']);
    expect([...outcomes.values()].map((o) => [o.logId, o.action, o.odooAttendanceId])).toEqual([
      ['L1', 'adopt', 1],
      ['L2', 'adopt', 2],
    ]);
  });

  it('retries a create refused by a 502 before it was applied, once it is sure nothing was created', async () => {
    const { odoo, engine, outcomes } = setup();
    odoo.fail('create', new OdooTransportError('Odoo unavailable (HTTP 502 Bad Gateway)', { kind: 'http', status: 502 }));
    await engine.syncBatch([log('L1', 'EMP-1', '2025-03-10T13:00:00'), log('L2', 'EMP-2', '2025-03-10T13:05:00')], outcomes);
    expect(odoo.calls).toEqual(['search', 'create:2', 'search', 'create:2']);
    expect(odoo.rows).toHaveLength(2);
    expect([...outcomes.values()].every((o) => o.action === 'create')).toBe(true);
  });

  it('adopts what Odoo already has: the same check-in, or an open attendance within the tolerance', async () => {
    const { odoo, engine, outcomes } = setup();
    const same = odoo.add(11, '2025-03-10T13:00:00', '2025-03-10T21:00:00');
    const kiosk = odoo.add(12, '2025-03-10T12:52:00');
    await engine.syncBatch(
      [
        log('L1', 'EMP-1', '2025-03-10T13:00:00.400', '2025-03-10T21:00:00'),
        log('L2', 'EMP-2', '2025-03-10T13:00:00', '2025-03-10T17:00:00'),
      ],
      outcomes,
    );
    expect(odoo.calls).toEqual(['search', `write:${kiosk}`]);
    expect(outcomes.get('L1')).toMatchObject({ action: 'adopt', odooAttendanceId: same });
    expect(outcomes.get('L2')).toMatchObject({ action: 'adopt', odooAttendanceId: kiosk });
    expect(outcomes.get('L2')!.message).toContain('wrote check-out 2025-03-10 17:00:00 UTC');
    expect(odoo.rows).toHaveLength(2);
  });

  it('does not adopt an attendance another log holds', async () => {
    const owners = new Map<number, AttendanceOwner>();
    const { odoo, engine, outcomes } = setup({ owners });
    const held = odoo.add(11, '2025-03-10T13:00:00', '2025-03-10T14:00:00');
    owners.set(held, { logId: 'OTHER', checkOutAt: null });
    await engine.syncBatch([log('L1', 'EMP-1', '2025-03-10T13:00:00', '2025-03-10T14:00:00')], outcomes);
    expect(outcomes.get('L1')).toMatchObject({ action: 'create', odooAttendanceId: held + 1 });
  });

  it('falls back to one create per log when Odoo refuses the list, and closes an older open attendance', async () => {
    const { odoo, engine, outcomes } = setup();
    const stale = odoo.add(12, '2025-03-09T13:00:00');
    await engine.syncBatch(
      [log('L1', 'EMP-1', '2025-03-10T13:00:00'), log('L2', 'EMP-2', '2025-03-10T13:05:00'), log('L3', 'EMP-3', '2025-03-10T13:10:00')],
      outcomes,
    );
    expect(odoo.calls).toEqual(['search', 'create:3', 'create:1', 'create:1', 'open', `write:${stale}`, 'create:1', 'create:1']);
    expect(odoo.rows.find((r) => r.id === stale)!.checkOut?.toISOString()).toBe('2025-03-09T13:00:00.000Z');
    expect(outcomes.get('L2')).toMatchObject({ result: 'success', action: 'reconcile' });
    expect(outcomes.get('L2')!.message).toMatch(
      /^Closed open hr.attendance #1 \(since 2025-03-09 13:00:00 UTC\) at 2025-03-09 13:00:00 UTC, then created hr.attendance #\d+/,
    );
    expect(['L1', 'L3'].map((id) => outcomes.get(id)?.action)).toEqual(['create', 'create']);
    expect(odoo.rows).toHaveLength(4);
  });

  it("closes an open attendance held by another log at that log's own check-out and records it on that log", async () => {
    const owners = new Map<number, AttendanceOwner>();
    const { odoo, engine, outcomes } = setup({ owners });
    const older = odoo.add(11, '2025-03-09T13:00:00');
    owners.set(older, { logId: 'OLDER', checkOutAt: new Date('2025-03-09T21:00:00Z') });
    await engine.syncBatch([log('L1', 'EMP-1', '2025-03-10T13:00:00')], outcomes);
    expect(odoo.rows.find((r) => r.id === older)!.checkOut?.toISOString()).toBe('2025-03-09T21:00:00.000Z');
    expect(outcomes.get('OLDER')).toMatchObject({ action: 'check_out', odooAttendanceId: older, status: 'synced' });
    expect(outcomes.get('L1')).toMatchObject({ action: 'reconcile' });
  });

  it('two open logs of one employee in a batch: the older one, just created, is closed for the newer one', async () => {
    const { odoo, engine, outcomes } = setup();
    await engine.syncBatch([log('L1', 'EMP-1', '2025-03-10T13:00:00'), log('L2', 'EMP-1', '2025-03-11T13:00:00')], outcomes);
    expect(odoo.rows.map((r) => [r.id, toOdooDatetime(r.checkIn), r.checkOut && toOdooDatetime(r.checkOut)])).toEqual([
      [1, '2025-03-10 13:00:00', '2025-03-10 13:00:00'],
      [2, '2025-03-11 13:00:00', null],
    ]);
    expect(outcomes.get('L1')).toMatchObject({ action: 'create', odooAttendanceId: 1 });
    expect(outcomes.get('L1')!.syncedCheckOut?.toISOString()).toBe('2025-03-10T13:00:00.000Z');
    expect(outcomes.get('L1')!.message).toContain('so that log L2 could be added');
    expect(outcomes.get('L2')).toMatchObject({ action: 'reconcile', odooAttendanceId: 2 });
  });

  it('fails, with a plain message, a log older than an open attendance that it cannot close', async () => {
    const { odoo, engine, outcomes } = setup();
    const later = odoo.add(11, '2025-03-12T13:00:00');
    await engine.syncBatch([log('L1', 'EMP-1', '2025-03-10T13:00:00')], outcomes);
    expect(outcomes.get('L1')).toMatchObject({ result: 'failure', status: 'failed', odooAttendanceId: null });
    expect(outcomes.get('L1')!.message).toBe(
      `Odoo has a later open attendance for this employee (hr.attendance #${later} since 2025-03-12 13:00:00 UTC) and this log has no check-out yet`,
    );
    expect(odoo.rows).toHaveLength(1);
  });

  it('fails unknown and ambiguous employees without calling Odoo for them', async () => {
    const { odoo, engine, outcomes } = setup();
    await engine.syncBatch([log('L1', 'EMP-404', '2025-03-10T13:00:00'), log('L2', 'EMP-DUP', '2025-03-10T13:00:00')], outcomes);
    expect(odoo.calls).toEqual([]);
    expect(outcomes.get('L1')!.message).toBe("No active employee in Odoo has Badge ID (barcode) 'EMP-404'");
    expect(outcomes.get('L2')!.message).toBe("2 employees in Odoo have Badge ID (barcode) 'EMP-DUP' (ids 21, 22); make it unique in Odoo");
  });

  it('writes moved check-outs, and forgets an attendance deleted in Odoo so that a retry creates it again', async () => {
    const { odoo, engine, outcomes } = setup();
    const kept = odoo.add(11, '2025-03-10T13:00:00', '2025-03-10T20:00:00');
    const synced = { odooStatus: 'synced' as const, odooSyncedCheckOut: new Date('2025-03-10T20:00:00Z') };
    await engine.syncBatch(
      [
        log('L1', 'EMP-1', '2025-03-10T13:00:00', '2025-03-10T21:15:00', { ...synced, odooAttendanceId: kept }),
        log('L2', 'EMP-2', '2025-03-10T13:00:00', '2025-03-10T21:15:00', { ...synced, odooAttendanceId: 999 }),
        log('L3', 'EMP-3', '2025-03-10T13:00:00', '2025-03-10T20:00:00.700', { ...synced, odooAttendanceId: 77 }),
      ],
      outcomes,
    );
    expect(odoo.rows[0]!.checkOut?.toISOString()).toBe('2025-03-10T21:15:00.000Z');
    expect(outcomes.get('L1')).toMatchObject({ action: 'check_out', result: 'success' });
    expect(outcomes.get('L2')).toMatchObject({ action: 'check_out', result: 'failure', odooAttendanceId: null, syncedCheckOut: null });
    // same second as what Odoo has: nothing to write
    expect(outcomes.get('L3')).toMatchObject({ action: 'none', result: 'success', odooAttendanceId: 77 });
    expect(odoo.calls.filter((c) => c.startsWith('write'))).toHaveLength(2);
  });

  it('stops the run on refused credentials and on transport errors that outlast the retries', async () => {
    const auth = setup();
    auth.odoo.fail('search', new OdooAuthError('Access Denied'));
    await expect(auth.engine.syncBatch([log('L1', 'EMP-1', '2025-03-10T13:00:00')], auth.outcomes)).rejects.toMatchObject({
      kind: 'auth',
      retryable: false,
    });

    const down = setup();
    for (let i = 0; i < SETTINGS.retryAttempts; i++) down.odoo.fail('search', new OdooTransportError('ECONNREFUSED', { kind: 'network' }));
    const error = await down.engine.syncBatch([log('L1', 'EMP-1', '2025-03-10T13:00:00')], down.outcomes).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncAbortError);
    expect(error).toMatchObject({ kind: 'unreachable', retryable: true });
    expect(down.odoo.calls).toEqual(Array(SETTINGS.retryAttempts).fill('search'));
    expect(down.outcomes.size).toBe(0);
  });

  it('keeps the outcomes reached before an interruption', async () => {
    const { odoo, engine, outcomes } = setup();
    const mine = odoo.add(11, '2025-03-10T13:00:00', '2025-03-10T20:00:00');
    for (let i = 0; i < SETTINGS.retryAttempts; i++) odoo.fail('create', new OdooTransportError('timeout', { kind: 'timeout' }));
    const synced = { odooStatus: 'synced' as const, odooSyncedCheckOut: new Date('2025-03-10T20:00:00Z'), odooAttendanceId: mine };
    await expect(
      engine.syncBatch(
        [
          log('L1', 'EMP-1', '2025-03-10T13:00:00', '2025-03-10T22:00:00', synced),
          log('L2', 'EMP-2', '2025-03-10T13:00:00'),
          log('L3', 'EMP-3', '2025-03-10T13:00:00'),
        ],
        outcomes,
      ),
    ).rejects.toMatchObject({ kind: 'unreachable' });
    expect([...outcomes.keys()]).toEqual(['L1']);
  });

  it('makes no change once the lock is lost', async () => {
    const { odoo, engine, outcomes } = setup({ lockLost: () => true });
    await expect(engine.syncBatch([log('L1', 'EMP-1', '2025-03-10T13:00:00')], outcomes)).rejects.toMatchObject({ kind: 'lock-lost' });
    expect(odoo.calls).toEqual(['search']);
    expect(odoo.rows).toHaveLength(0);
  });

  it('creates one log per call when batch creation is off (the benchmark baseline)', async () => {
    const { odoo, engine, outcomes } = setup({ settings: { batchCreate: false } });
    await engine.syncBatch(
      [log('L1', 'EMP-1', '2025-03-10T13:00:00', '2025-03-10T14:00:00'), log('L2', 'EMP-2', '2025-03-10T13:00:00')],
      outcomes,
    );
    expect(odoo.calls).toEqual(['search', 'create:1', 'create:1']);
  });
});

describe('helpers', () => {
  it('runPool keeps at most n in flight and, after a failure, starts nothing new', async () => {
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    const error = await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      started.push(n);
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight -= 1;
      if (n === 1) throw new Error('boom');
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('boom');
    expect(peak).toBe(3);
    expect(started).toEqual([1, 2, 3]);
  });

  it('sameSecond compares to the second, nulls included', () => {
    expect(sameSecond(new Date('2025-01-01T00:00:00.100Z'), new Date('2025-01-01T00:00:00.900Z'))).toBe(true);
    expect(sameSecond(new Date('2025-01-01T00:00:00.900Z'), new Date('2025-01-01T00:00:01.000Z'))).toBe(false);
    expect(sameSecond(null, null)).toBe(true);
    expect(sameSecond(new Date(0), null)).toBe(false);
  });

  it('backoffDelay doubles from the base, capped, within +-20 %', () => {
    const policy = { baseDelayMs: 500, maxDelayMs: 8000 };
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, policy, () => 0.5))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    expect(backoffDelay(1, policy, () => 0)).toBe(400);
    expect(backoffDelay(1, policy, () => 1)).toBe(600);
  });
});
