import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DataSource } from 'typeorm';
import { OdooEmulator } from '../emulators/odoo.emulator';
import { createTestApp, type TestContext } from '../support/test-app';
import { assertFreshBuild, startWorker, stopWorkers, type RunningWorker } from '../support/built-process';
import { configureOdoo, insertLogs, waitForJob, zonedInstant } from './odoo-fixtures';

jest.setTimeout(110_000);

const N = 500;
const TZ = 'Europe/Paris';

/** What this test exercises in the built worker: dist/ must be newer than each. */
const WORKER_SOURCES = [
  'apps/worker/src/main.ts',
  'libs/odoo/src/sync/odoo-sync.engine.ts',
  'libs/odoo/src/sync/odoo-sync.runner.ts',
  'apps/worker/src/processors/odoo-sync.processor.ts',
];

describe('a worker process killed in the middle of a sync batch loses nothing and doubles nothing', () => {
  const odoo = new OdooEmulator({ apiKey: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00', database: 'plant' });
  let t: TestContext;
  let ds: DataSource;
  let token: string;
  const workers: RunningWorker[] = [];

  beforeAll(async () => {
    assertFreshBuild(WORKER_SOURCES);
    await odoo.start();
    t = await createTestApp({ SITE_TIMEZONE: TZ });
    ds = t.app.get(DataSource);
    token = (await t.login()).accessToken;
    await configureOdoo(t, token, odoo);
    const logs = [];
    for (let i = 1; i <= N; i++) {
      const code = `EMP-C${String(i).padStart(4, '0')}`;
      odoo.addEmployee({ name: `Worker ${i}`, barcode: code });
      const minute = String(i % 60).padStart(2, '0');
      logs.push({
        id: `ATT-20250401-${String(i).padStart(4, '0')}`,
        employeeId: code,
        date: '2025-04-01',
        timeIn: `08:${minute}:00`,
        timeOut: `16:${minute}:00`,
        checkInAt: zonedInstant('2025-04-01', `08:${minute}:00`, TZ),
        checkOutAt: zonedInstant('2025-04-01', `16:${minute}:00`, TZ),
      });
    }
    await insertLogs(ds, logs);
  });

  afterAll(async () => {
    await stopWorkers(workers);
    await t?.close();
    await odoo.stop();
  });

  it('SIGKILL after Odoo applied the second batch, before the worker heard back: the restarted worker ends with exactly 500 attendances', async () => {
    // Latency stretches each batch (employee search, probe, create) so the kill lands inside one.
    odoo.latencyMs = 60;
    const first = startWorker(t.env);
    workers.push(first);
    let killedAt = 0;
    odoo.onMutation = (event) => {
      // Odoo committed the create of the second batch; its answer has not been sent yet.
      if (event.operation === 'create' && odoo.attendances().length >= 200 && killedAt === 0) {
        killedAt = odoo.attendances().length;
        first.child.kill('SIGKILL');
      }
    };

    const res = await t.http().post('/api/v1/odoo/sync').set('Authorization', `Bearer ${token}`).send({});
    expect(res.status).toBe(202);
    const jobId = res.body.data.jobId as string;
    expect(await first.exited).toBe('SIGKILL');
    odoo.onMutation = null;

    // The crash left attendances in Odoo that the database does not know about.
    expect(killedAt).toBe(200);
    expect(odoo.attendances()).toHaveLength(200);
    const [{ synced }] = await ds.query(`SELECT count(*)::int AS synced FROM attendance_logs WHERE odoo_attendance_id IS NOT NULL`);
    expect(synced).toBe(100);

    // A new worker picks the stalled job up again once its lock expired.
    const second = startWorker(t.env);
    workers.push(second);
    const job = await waitForJob(t, token, jobId, 90_000);
    expect({ status: job.status, error: job.error }).toEqual({ status: 'completed', error: null });
    expect(job.result).toMatchObject({ status: 'completed', failed: 0, total: 400, adopted: 100, created: 300 });

    const attendances = odoo.attendances();
    expect(attendances).toHaveLength(N);
    expect(new Set(attendances.map((a) => a.employee_id)).size).toBe(N);
    const rows: Array<{ id: string; employee_id: string; odoo_status: string; odoo_attendance_id: number | null; check_in_at: Date }> =
      await ds.query(`SELECT id, employee_id, odoo_status, odoo_attendance_id, check_in_at FROM attendance_logs ORDER BY id`);
    expect(rows.every((r) => r.odoo_status === 'synced')).toBe(true);
    expect(new Set(rows.map((r) => r.odoo_attendance_id)).size).toBe(N);
    const byId = new Map(attendances.map((a) => [a.id, a]));
    const employeesByCode = new Map(odoo.employees().map((e) => [e.barcode, e.id]));
    for (const r of rows) {
      const att = byId.get(r.odoo_attendance_id!);
      expect(att?.employee_id).toBe(employeesByCode.get(r.employee_id));
      expect(att?.check_in).toBe(new Date(r.check_in_at).toISOString().slice(0, 19).replace('T', ' '));
    }
    if (second.child.exitCode !== null) throw new Error(`worker exited early:\n${second.output()}`);
  });
});
