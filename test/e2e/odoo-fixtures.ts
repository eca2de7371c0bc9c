/**
 * Shared helpers of the Odoo e2e tests (not a test file): site-local times to instants, attendance
 * log rows, job polling and configuring the api against an OdooEmulator.
 */
import type { DataSource } from 'typeorm';
import type { TestContext } from '../support/test-app';
import type { OdooEmulator } from '../emulators/odoo.emulator';

/** Offset (ms) of `timeZone` from UTC at `instant`. */
function zoneOffsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant at which the wall clock of `timeZone` shows `date` `time` (e.g. '2025-03-10', '09:00:00'). */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi, s] = time.split(':').map(Number) as [number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  let instant = wall - zoneOffsetMs(wall, timeZone);
  instant = wall - zoneOffsetMs(instant, timeZone);
  return new Date(instant);
}

export interface SeedLog {
  id: string;
  employeeId: string;
  name?: string;
  /** Site-local day 'YYYY-MM-DD'. */
  date: string;
  /** Site-local 'HH:MM:SS'. */
  timeIn: string | null;
  timeOut?: string | null;
  checkInAt: Date | null;
  checkOutAt?: Date | null;
  status?: 'present' | 'late' | 'missed';
}

/** Inserts attendance logs the way the attendance engine leaves them (odoo_status 'pending'). */
export async function insertLogs(ds: DataSource, logs: SeedLog[]): Promise<void> {
  const chunk = 1000;
  for (let i = 0; i < logs.length; i += chunk) {
    const part = logs.slice(i, i + chunk);
    await ds.query(
      `INSERT INTO attendance_logs (id, employee_id, name, date, time_in, time_out, status, check_in_at, check_out_at, source)
       SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::date[], $5::time[], $6::time[], $7::varchar[], $8::timestamptz[], $9::timestamptz[], $10::varchar[])`,
      [
        part.map((l) => l.id),
        part.map((l) => l.employeeId),
        part.map((l) => l.name ?? `Employee ${l.employeeId}`),
        part.map((l) => l.date),
        part.map((l) => l.timeIn),
        part.map((l) => l.timeOut ?? null),
        part.map((l) => l.status ?? 'present'),
        part.map((l) => l.checkInAt),
        part.map((l) => l.checkOutAt ?? null),
        part.map(() => 'auto'),
      ],
    );
  }
}

export interface LogRow {
  id: string;
  odoo_status: string;
  odoo_sync_time: Date | null;
  odoo_error_message: string | null;
  odoo_attendance_id: number | null;
  odoo_synced_check_out: Date | null;
  updated_at: Date;
}

export async function readLog(ds: DataSource, id: string): Promise<LogRow> {
  const rows: LogRow[] = await ds.query(
    `SELECT id, odoo_status, odoo_sync_time, odoo_error_message, odoo_attendance_id, odoo_synced_check_out, updated_at FROM attendance_logs WHERE id = $1`,
    [id],
  );
  if (!rows[0]) throw new Error(`no attendance log ${id}`);
  return rows[0];
}

export interface JobBody {
  id: string;
  status: 'queued' | 'active' | 'completed' | 'failed';
  result: Record<string, unknown> | null;
  error: string | null;
  progress: unknown;
}

/** Polls GET /jobs/{id} until the job completed or failed. */
export async function waitForJob(t: TestContext, token: string, jobId: string, timeoutMs = 30_000): Promise<JobBody> {
  const until = Date.now() + timeoutMs;
  let last: JobBody | null = null;
  while (Date.now() < until) {
    const res = await t.http().get(`/api/v1/jobs/${jobId}`).set('Authorization', `Bearer ${token}`);
    if (res.status === 200) {
      last = res.body.data as JobBody;
      if (last.status === 'completed' || last.status === 'failed') return last;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${jobId} did not finish within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}

/** Points the api at the emulator (PUT /odoo/config) and returns the answer. */
export async function configureOdoo(
  t: TestContext,
  token: string,
  emulator: OdooEmulator,
  overrides: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const res = await t
    .http()
    .put('/api/v1/odoo/config')
    .set('Authorization', `Bearer ${token}`)
    .send({
      baseUrl: emulator.baseUrl,
      database: emulator.database,
      login: emulator.login,
      apiKey: emulator.apiKey,
      protocol: 'jsonrpc',
      ...overrides,
    });
  if (res.status !== 200) throw new Error(`PUT /odoo/config: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as Record<string, unknown>;
}

/** POST /odoo/sync, then waits for the job; returns the job. */
export async function syncAndWait(t: TestContext, token: string, body: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<JobBody> {
  const res = await t.http().post('/api/v1/odoo/sync').set('Authorization', `Bearer ${token}`).send(body);
  if (res.status !== 202) throw new Error(`POST /odoo/sync: ${res.status} ${JSON.stringify(res.body)}`);
  return waitForJob(t, token, (res.body.data as { jobId: string }).jobId, timeoutMs);
}
