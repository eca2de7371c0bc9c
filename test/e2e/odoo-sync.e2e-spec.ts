import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { JobsProducer } from '@app/queue';
import { OdooEmulator } from '../emulators/odoo.emulator';
import { createTestApp, type TestContext } from '../support/test-app';
import { createTestWorker } from '../support/test-worker';
import { configureOdoo, insertLogs, readLog, syncAndWait, waitForJob, zonedInstant } from './odoo-fixtures';

jest.setTimeout(60_000);

const TZ = 'America/New_York';
const API_KEY = '5f1e0c9a7b3d2e4f6a8b0c1d2e3f4a5b6c7d8e9f';

describe('Odoo sync against the emulator (worker in-process, site in America/New_York)', () => {
  const odoo = new OdooEmulator({ apiKey: API_KEY, database: 'acme', login: 'sync-bot' });
  let t: TestContext;
  let worker: INestApplicationContext;
  let ds: DataSource;
  let token: string;
  let adminId: string;

  const at = (date: string, time: string): Date => zonedInstant(date, time, TZ);
  const attendancesOf = (employee: number) => odoo.attendances().filter((a) => a.employee_id === employee);
  const syncLogsOf = async (logId: string) =>
    (await t.http().get(`/api/v1/odoo/logs?attendanceLogId=${logId}`).set('Authorization', `Bearer ${token}`)).body.data as Array<{
      result: string;
      action: string;
      message: string;
      employeeId: string;
    }>;

  beforeAll(async () => {
    await odoo.start();
    t = await createTestApp({ SITE_TIMEZONE: TZ });
    ds = t.app.get(DataSource);
    worker = await createTestWorker();
    const login = await t.login();
    token = login.accessToken;
    adminId = login.body.data.user.id;
    await configureOdoo(t, token, odoo);
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await odoo.stop();
  });

  it('creates exactly one attendance, with check_in in naive UTC, for a log of a non-UTC site', async () => {
    const ann = odoo.addEmployee({ name: 'Ann Lee', barcode: 'EMP-001' });
    // 09:00 in New York on 10 March 2025 is EDT (UTC-4): 13:00 UTC.
    await insertLogs(ds, [
      { id: 'ATT-20250310-001', employeeId: 'EMP-001', date: '2025-03-10', timeIn: '09:00:00', checkInAt: at('2025-03-10', '09:00:00') },
    ]);

    const job = await syncAndWait(t, token);
    expect(job.status).toBe('completed');
    expect(job.result).toMatchObject({ status: 'completed', trigger: 'manual', total: 1, synced: 1, failed: 0, created: 1 });

    const mine = attendancesOf(ann);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ check_in: '2025-03-10 13:00:00', check_out: false });
    const log = await readLog(ds, 'ATT-20250310-001');
    expect(log).toMatchObject({
      odoo_status: 'synced',
      odoo_attendance_id: mine[0]!.id,
      odoo_error_message: null,
      odoo_synced_check_out: null,
    });
    expect(log.odoo_sync_time).not.toBeNull();
    expect(await syncLogsOf('ATT-20250310-001')).toEqual([
      expect.objectContaining({
        result: 'success',
        action: 'create',
        employeeId: 'EMP-001',
        message: expect.stringContaining('2025-03-10 13:00:00 UTC'),
      }),
    ]);
  });

  it('a later sighting moves the check_out of the same attendance', async () => {
    const [ann] = odoo.employees().filter((e) => e.barcode === 'EMP-001');
    await ds.query(`UPDATE attendance_logs SET check_out_at = $2, time_out = '17:30:00', updated_at = now() WHERE id = $1`, [
      'ATT-20250310-001',
      at('2025-03-10', '17:30:00'),
    ]);
    let job = await syncAndWait(t, token);
    expect(job.result).toMatchObject({ total: 1, synced: 1, checkOuts: 1, created: 0 });
    expect(attendancesOf(ann!.id)).toEqual([
      expect.objectContaining({ check_in: '2025-03-10 13:00:00', check_out: '2025-03-10 21:30:00' }),
    ]);

    // seen again later: the check-out moves again, still one attendance
    await ds.query(`UPDATE attendance_logs SET check_out_at = $2, time_out = '18:05:12', updated_at = now() WHERE id = $1`, [
      'ATT-20250310-001',
      at('2025-03-10', '18:05:12'),
    ]);
    job = await syncAndWait(t, token);
    expect(job.result).toMatchObject({ total: 1, checkOuts: 1 });
    expect(attendancesOf(ann!.id)).toEqual([
      expect.objectContaining({ check_in: '2025-03-10 13:00:00', check_out: '2025-03-10 22:05:12' }),
    ]);
    const log = await readLog(ds, 'ATT-20250310-001');
    expect(log.odoo_status).toBe('synced');
    expect(new Date(log.odoo_synced_check_out!).toISOString()).toBe('2025-03-10T22:05:12.000Z');
    expect((await syncLogsOf('ATT-20250310-001')).map((r) => r.action)).toEqual(['check_out', 'check_out', 'create']);
  });

  it('running the sync again changes nothing in Odoo', async () => {
    const before = odoo.attendances();
    const creates = odoo.callCount('hr.attendance.create');
    const writes = odoo.callCount('hr.attendance.write');
    const [{ count: rowsBefore }] = await ds.query(`SELECT count(*)::int AS count FROM odoo_sync_logs`);
    for (let i = 0; i < 2; i++) {
      const job = await syncAndWait(t, token);
      // nothing to push: Odoo is not even called
      expect(job.result).toMatchObject({ status: 'completed', total: 0, synced: 0, failed: 0, created: 0, checkOuts: 0, calls: 0 });
    }
    expect(odoo.attendances()).toEqual(before);
    expect(odoo.callCount('hr.attendance.create')).toBe(creates);
    expect(odoo.callCount('hr.attendance.write')).toBe(writes);
    const [{ count: rowsAfter }] = await ds.query(`SELECT count(*)::int AS count FROM odoo_sync_logs`);
    expect(rowsAfter).toBe(rowsBefore);
  });

  it('adopts an open attendance already in Odoo for the same presence instead of adding a second one', async () => {
    const bob = odoo.addEmployee({ name: 'Bob Stone', barcode: 'EMP-002' });
    // Bob badged at a kiosk at 08:55 New York time (12:55 UTC); the camera saw him at 09:00.
    const kiosk = odoo.addAttendance({ employee_id: bob, check_in: '2025-03-11 12:55:00' });
    await insertLogs(ds, [
      {
        id: 'ATT-20250311-002',
        employeeId: 'EMP-002',
        date: '2025-03-11',
        timeIn: '09:00:00',
        timeOut: '17:00:00',
        checkInAt: at('2025-03-11', '09:00:00'),
        checkOutAt: at('2025-03-11', '17:00:00'),
      },
    ]);
    const job = await syncAndWait(t, token);
    expect(job.result).toMatchObject({ total: 1, synced: 1, adopted: 1, created: 0 });
    expect(attendancesOf(bob)).toEqual([
      { id: kiosk, employee_id: bob, check_in: '2025-03-11 12:55:00', check_out: '2025-03-11 21:00:00' },
    ]);
    expect(await readLog(ds, 'ATT-20250311-002')).toMatchObject({ odoo_status: 'synced', odoo_attendance_id: kiosk });
    expect(await syncLogsOf('ATT-20250311-002')).toEqual([
      expect.objectContaining({ result: 'success', action: 'adopt', message: expect.stringContaining(`#${kiosk}`) }),
    ]);
  });

  it('closes an older open attendance Odoo refuses to leave open, then creates the new one', async () => {
    const cid = odoo.addEmployee({ name: 'Chen Wei', barcode: 'EMP-003' });
    // Checked in yesterday (10 March) in Odoo and never checked out.
    const stale = odoo.addAttendance({ employee_id: cid, check_in: '2025-03-10 13:00:00' });
    await insertLogs(ds, [
      { id: 'ATT-20250311-003', employeeId: 'EMP-003', date: '2025-03-11', timeIn: '09:00:00', checkInAt: at('2025-03-11', '09:00:00') },
    ]);

    const job = await syncAndWait(t, token);
    expect(job.result).toMatchObject({ total: 1, synced: 1, reconciled: 1, failed: 0 });
    const rows = attendancesOf(cid);
    expect(rows).toHaveLength(2);
    // closed at its own check-in: no hours invented for a check-out nobody saw
    expect(rows.find((r) => r.id === stale)).toMatchObject({ check_in: '2025-03-10 13:00:00', check_out: '2025-03-10 13:00:00' });
    const created = rows.find((r) => r.id !== stale)!;
    expect(created).toMatchObject({ check_in: '2025-03-11 13:00:00', check_out: false });
    expect(await readLog(ds, 'ATT-20250311-003')).toMatchObject({ odoo_status: 'synced', odoo_attendance_id: created.id });
    const [row] = await syncLogsOf('ATT-20250311-003');
    expect(row).toMatchObject({ result: 'success', action: 'reconcile' });
    expect(row!.message).toContain(`closed open hr.attendance #${stale}`.replace(/^c/, 'C'));
  });

  it('fails a log whose employee is not in Odoo with a plain message, raises the alert, and retries it on request', async () => {
    const threshold = await t.http().put('/api/v1/odoo/config').set('Authorization', `Bearer ${token}`).send({ failureAlertThreshold: 0 });
    expect(threshold.status).toBe(200);
    await insertLogs(ds, [
      { id: 'ATT-20250312-404', employeeId: 'EMP-404', date: '2025-03-12', timeIn: '08:30:00', checkInAt: at('2025-03-12', '08:30:00') },
    ]);

    const job = await syncAndWait(t, token);
    expect(job.result).toMatchObject({ total: 1, synced: 0, failed: 1 });
    const log = await readLog(ds, 'ATT-20250312-404');
    expect(log).toMatchObject({ odoo_status: 'failed', odoo_attendance_id: null });
    expect(log.odoo_error_message).toBe("No active employee in Odoo has Badge ID (barcode) 'EMP-404'");

    const failures = await t.http().get('/api/v1/odoo/logs?result=failure&employeeId=EMP-404').set('Authorization', `Bearer ${token}`);
    expect(failures.body.data).toEqual([
      expect.objectContaining({ attendanceLogId: 'ATT-20250312-404', action: 'create', message: log.odoo_error_message }),
    ]);
    const status = await t.http().get('/api/v1/odoo/status').set('Authorization', `Bearer ${token}`);
    expect(status.body.data).toMatchObject({ status: 'connected', failedCount: 1, running: false });
    const config = await t.http().get('/api/v1/odoo/config').set('Authorization', `Bearer ${token}`);
    expect(config.body.data).toMatchObject({ failureCount: 1, apiKey: '***' });
    expect(Date.parse(config.body.data.lastSync)).toBeGreaterThan(Date.now() - 60_000);
    const alerts = await ds.query(
      `SELECT title, level FROM alerts WHERE kind = 'odoo_sync_failures' AND subject = 'odoo' AND resolved_at IS NULL`,
    );
    expect(alerts).toEqual([{ title: '1 attendance logs failed to sync to Odoo', level: 'medium' }]);

    // An unchanged failed log is not retried by the next run...
    const again = await syncAndWait(t, token);
    expect(again.result).toMatchObject({ total: 0 });
    // ...until asked: HR added the employee meanwhile (the cached "not found" is checked again).
    odoo.addEmployee({ name: 'Dana Null', barcode: 'EMP-404' });
    const retried = await syncAndWait(t, token, { retryFailed: true });
    expect(retried.result).toMatchObject({ total: 1, synced: 1, created: 1 });
    expect(await readLog(ds, 'ATT-20250312-404')).toMatchObject({ odoo_status: 'synced', odoo_error_message: null });
    // no failed log left: the alert is resolved
    expect(await ds.query(`SELECT id FROM alerts WHERE kind = 'odoo_sync_failures' AND resolved_at IS NULL`)).toEqual([]);
  });

  it('retries transport errors and 5xx (a 502, then a 503) and succeeds', async () => {
    const eve = odoo.addEmployee({ name: 'Eve Park', barcode: 'EMP-005' });
    await insertLogs(ds, [
      { id: 'ATT-20250313-005', employeeId: 'EMP-005', date: '2025-03-13', timeIn: '07:45:00', checkInAt: at('2025-03-13', '07:45:00') },
    ]);
    const requests = odoo.totalRequests;
    odoo.failNext(1, 502);
    odoo.failNext(1, 503);
    const job = await syncAndWait(t, token);
    expect(job.result).toMatchObject({ status: 'completed', synced: 1, failed: 0, created: 1 });
    expect(attendancesOf(eve)).toEqual([expect.objectContaining({ check_in: '2025-03-13 11:45:00' })]);
    // the two failed calls were made, and repeated
    expect(odoo.totalRequests - requests).toBe(job.result!.calls as number);
    expect(job.result!.calls as number).toBeGreaterThanOrEqual(5);
  });

  it('works over the JSON-2 API of Odoo 19 too (create with check-out, then move it)', async () => {
    await configureOdoo(t, token, odoo, { protocol: 'json2', apiKey: '***' });
    const test = await t.http().post('/api/v1/odoo/test').set('Authorization', `Bearer ${token}`);
    expect(test.body.data).toMatchObject({ status: 'connected', serverVersion: '19.0' });
    const fay = odoo.addEmployee({ name: 'Fay Moss', barcode: 'EMP-006' });
    // January: EST (UTC-5)
    await insertLogs(ds, [
      {
        id: 'ATT-20250115-006',
        employeeId: 'EMP-006',
        date: '2025-01-15',
        timeIn: '09:00:00',
        timeOut: '17:00:00',
        checkInAt: at('2025-01-15', '09:00:00'),
        checkOutAt: at('2025-01-15', '17:00:00'),
      },
    ]);
    const rpcCalls = odoo.callCount('common.authenticate');
    let job = await syncAndWait(t, token);
    expect(job.result).toMatchObject({ synced: 1, created: 1 });
    expect(attendancesOf(fay)).toEqual([expect.objectContaining({ check_in: '2025-01-15 14:00:00', check_out: '2025-01-15 22:00:00' })]);
    await ds.query(`UPDATE attendance_logs SET check_out_at = $2, updated_at = now() WHERE id = $1`, [
      'ATT-20250115-006',
      at('2025-01-15', '19:10:00'),
    ]);
    job = await syncAndWait(t, token);
    expect(job.result).toMatchObject({ checkOuts: 1 });
    expect(attendancesOf(fay)).toEqual([expect.objectContaining({ check_out: '2025-01-16 00:10:00' })]);
    // JSON-2 never calls the JSON-RPC authenticate
    expect(odoo.callCount('common.authenticate')).toBe(rpcCalls);
    expect(job.result!.callsByOperation).toHaveProperty(['hr.attendance.write'], 1);
    await configureOdoo(t, token, odoo, { protocol: 'jsonrpc', apiKey: '***' });
  });

  it('notifies the user who asked for a manual sync', async () => {
    const rows: Array<{ title: string; level: string; source: string }> = await ds.query(
      `SELECT title, level, source FROM notifications WHERE user_id = $1 ORDER BY timestamp`,
      [adminId],
    );
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows).toContainEqual({ title: 'Odoo Sync Complete', level: 'info', source: 'odoo' });
    expect(rows).toContainEqual({ title: 'Odoo Sync Complete', level: 'warning', source: 'odoo' });
  });

  it('never runs two syncs at once: a second full sync returns the running job, a targeted one waits for it', async () => {
    const gus = odoo.addEmployee({ name: 'Gus Hale', barcode: 'EMP-007' });
    await insertLogs(
      ds,
      Array.from({ length: 3 }, (_, i) => ({
        id: `ATT-2025032${i}-007`,
        employeeId: 'EMP-007',
        date: `2025-03-2${i}`,
        timeIn: '09:00:00',
        timeOut: '12:00:00',
        checkInAt: at(`2025-03-2${i}`, '09:00:00'),
        checkOutAt: at(`2025-03-2${i}`, '12:00:00'),
      })),
    );
    // A second worker process-alike: the targeted job can start while the first one runs, and must wait for the lock.
    const second = await createTestWorker();
    odoo.latencyMs = 300;
    try {
      const first = await t.http().post('/api/v1/odoo/sync').set('Authorization', `Bearer ${token}`).send({});
      const again = await t.http().post('/api/v1/odoo/sync').set('Authorization', `Bearer ${token}`).send({});
      const targeted = await t
        .http()
        .post('/api/v1/odoo/sync')
        .set('Authorization', `Bearer ${token}`)
        .send({ recordIds: ['ATT-20250320-007'] });
      expect(first.status).toBe(202);
      expect(first.body.data).toMatchObject({ status: 'queued', deduplicated: false });
      expect(again.body.data).toMatchObject({ jobId: first.body.data.jobId, deduplicated: true });
      expect(targeted.body.data.jobId).not.toBe(first.body.data.jobId);

      const a = await waitForJob(t, token, first.body.data.jobId);
      const b = await waitForJob(t, token, targeted.body.data.jobId);
      expect(a.result).toMatchObject({ status: 'completed', created: 3 });
      expect(b.result).toMatchObject({ status: 'completed' });
      // the targeted run started only after the first one finished
      expect(Date.parse(b.result!.startedAt as string)).toBeGreaterThanOrEqual(Date.parse(a.result!.finishedAt as string));
      expect(attendancesOf(gus)).toHaveLength(3);
    } finally {
      odoo.latencyMs = 0;
      await second.close();
    }
  });

  it('matches employees on identification_id when configured so', async () => {
    await t
      .http()
      .put('/api/v1/odoo/config')
      .set('Authorization', `Bearer ${token}`)
      .send({ employeeMatchField: 'identification_id' })
      .expect(200);
    try {
      const ida = odoo.addEmployee({ name: 'Ida Vance', barcode: 'B-999', identification_id: 'NID-4242' });
      await insertLogs(ds, [
        { id: 'ATT-20250317-NID', employeeId: 'NID-4242', date: '2025-03-17', timeIn: '06:00:00', checkInAt: at('2025-03-17', '06:00:00') },
      ]);
      const job = await syncAndWait(t, token);
      expect(job.result).toMatchObject({ total: 1, created: 1, failed: 0 });
      expect(attendancesOf(ida)).toEqual([expect.objectContaining({ check_in: '2025-03-17 10:00:00' })]);
    } finally {
      await t.http().put('/api/v1/odoo/config').set('Authorization', `Bearer ${token}`).send({ employeeMatchField: 'barcode' }).expect(200);
    }
  });

  it('schedules the automatic sync every 30 minutes; the scheduled job only works while autoSync is on', async () => {
    const queue = worker.get<Queue>(getQueueToken('odoo-sync'));
    const scheduler = await queue.getJobScheduler('odoo-auto-sync');
    expect(scheduler).toMatchObject({ pattern: '*/30 * * * *', name: 'odoo-sync' });

    const hal = odoo.addEmployee({ name: 'Hal Ford', barcode: 'EMP-008' });
    await insertLogs(ds, [
      { id: 'ATT-20250314-008', employeeId: 'EMP-008', date: '2025-03-14', timeIn: '10:00:00', checkInAt: at('2025-03-14', '10:00:00') },
    ]);
    const producer = t.app.get(JobsProducer);
    const off = await waitForJob(t, token, await producer.enqueue('odoo-sync', { trigger: 'scheduled' }));
    expect(off.result).toMatchObject({ status: 'skipped', reason: 'Automatic sync is off' });
    expect(attendancesOf(hal)).toHaveLength(0);

    await t.http().put('/api/v1/odoo/config').set('Authorization', `Bearer ${token}`).send({ autoSync: true }).expect(200);
    const status = await t.http().get('/api/v1/odoo/status').set('Authorization', `Bearer ${token}`);
    expect(status.body.data.autoSync).toBe(true);
    const next = Date.parse(status.body.data.nextScheduledSync);
    expect(next).toBeGreaterThan(Date.now());
    expect(new Date(next).getUTCMinutes() % 30).toBe(0);

    const on = await waitForJob(t, token, await producer.enqueue('odoo-sync', { trigger: 'scheduled' }));
    expect(on.result).toMatchObject({ status: 'completed', trigger: 'scheduled', created: 1 });
    expect(attendancesOf(hal)).toHaveLength(1);
    await t.http().put('/api/v1/odoo/config').set('Authorization', `Bearer ${token}`).send({ autoSync: false }).expect(200);
  });
});
