import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createServer } from 'node:net';
import { DataSource } from 'typeorm';
import { OdooEmulator } from '../emulators/odoo.emulator';
import { createTestApp, type TestContext } from '../support/test-app';
import { configureOdoo } from './odoo-fixtures';

jest.setTimeout(60_000);

const API_KEY = '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567';
const WRONG_KEY = 'ffffffffffffffffffffffffffffffffffffffff';

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('Odoo settings, connection test, status and sync history (api)', () => {
  const odoo = new OdooEmulator({ apiKey: API_KEY, database: 'acme', login: 'sync-bot', serverVersion: '19.0' });
  let t: TestContext;
  let ds: DataSource;
  let token: string;
  const auth = () => ({ Authorization: `Bearer ${token}` });
  const storedKey = async (): Promise<string | null> => (await ds.query(`SELECT api_key FROM odoo_config WHERE id = 1`))[0].api_key;

  beforeAll(async () => {
    await odoo.start();
    t = await createTestApp();
    ds = t.app.get(DataSource);
    token = (await t.login()).accessToken;
  });

  afterAll(async () => {
    await t?.close();
    await odoo.stop();
  });

  it('starts unconfigured: defaults, no key, and 422 for a test or a sync', async () => {
    const res = await t.http().get('/api/v1/odoo/config').set(auth());
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      baseUrl: 'http://localhost:8069',
      database: 'odoo',
      company: null,
      login: null,
      apiKey: null,
      autoSync: false,
      status: 'disconnected',
      lastSync: null,
      pendingCount: 0,
      failureCount: 0,
      employeeMatchField: 'barcode',
      protocol: 'jsonrpc',
      failureAlertThreshold: 10,
      updatedAt: expect.any(String),
    });
    const test = await t.http().post('/api/v1/odoo/test').set(auth());
    expect(test.status).toBe(422);
    expect(test.body.error.message).toMatch(/not configured/);
    const sync = await t.http().post('/api/v1/odoo/sync').set(auth()).send({});
    expect(sync.status).toBe(422);
  });

  it('stores the API key encrypted, never returns nor audits it, and keeps it on *** or omission', async () => {
    const saved = await configureOdoo(t, token, odoo, { company: '  ACME Corp  ', baseUrl: `${odoo.baseUrl}/` });
    expect(saved).toMatchObject({
      baseUrl: odoo.baseUrl,
      database: 'acme',
      login: 'sync-bot',
      company: 'ACME Corp',
      apiKey: '***',
      status: 'disconnected',
    });
    const sealed = await storedKey();
    expect(sealed).toMatch(/^enc:v1:/);
    expect(sealed).not.toContain(API_KEY);

    const masked = await t.http().put('/api/v1/odoo/config').set(auth()).send({ apiKey: '***', company: 'ACME' });
    expect(masked.status).toBe(200);
    const omitted = await t.http().put('/api/v1/odoo/config').set(auth()).send({ failureAlertThreshold: 3 });
    expect(omitted.body.data).toMatchObject({ apiKey: '***', company: 'ACME', failureAlertThreshold: 3 });
    expect(await storedKey()).toBe(sealed);

    const audit: Array<{ action: string; context: unknown }> = await ds.query(
      `SELECT action, context FROM audit_logs WHERE action = 'odoo.updateConfig'`,
    );
    expect(audit.length).toBe(3);
    expect(JSON.stringify(audit)).not.toContain(API_KEY);
    const everything = JSON.stringify(await ds.query(`SELECT * FROM audit_logs`));
    expect(everything).not.toContain(API_KEY);
  });

  it('tests the connection: version, uid and access to attendances; the status follows', async () => {
    const ok = await t.http().post('/api/v1/odoo/test').set(auth());
    expect(ok.status).toBe(200);
    expect(ok.body.data).toEqual({
      status: 'connected',
      serverVersion: '19.0',
      latencyMs: expect.any(Number),
      message: `Authenticated as 'sync-bot' (uid ${odoo.uid}) on database 'acme', Odoo 19.0`,
    });
    expect(odoo.callCount('common.authenticate')).toBeGreaterThanOrEqual(1);
    expect(odoo.callCount('hr.attendance.search_count')).toBeGreaterThanOrEqual(1);
    expect((await t.http().get('/api/v1/odoo/config').set(auth())).body.data.status).toBe('connected');
  });

  it('reports a refused key as an error (both protocols), without echoing the key', async () => {
    for (const protocol of ['jsonrpc', 'json2'] as const) {
      const put = await t.http().put('/api/v1/odoo/config').set(auth()).send({ apiKey: WRONG_KEY, protocol });
      expect(put.body.data.status).toBe('disconnected');
      const res = await t.http().post('/api/v1/odoo/test').set(auth());
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ status: 'error', serverVersion: '19.0', latencyMs: null });
      expect(res.body.data.message).toMatch(protocol === 'jsonrpc' ? /refused login 'sync-bot'/ : /Invalid apikey|refused/i);
      expect(JSON.stringify(res.body)).not.toContain(WRONG_KEY);
      expect((await t.http().get('/api/v1/odoo/config').set(auth())).body.data.status).toBe('error');
    }
    // the right key over JSON-2 works
    await configureOdoo(t, token, odoo, { protocol: 'json2' });
    expect((await t.http().post('/api/v1/odoo/test').set(auth())).body.data.status).toBe('connected');
  });

  it('reports an unreachable server as disconnected', async () => {
    const port = await closedPort();
    await t
      .http()
      .put('/api/v1/odoo/config')
      .set(auth())
      .send({ baseUrl: `http://127.0.0.1:${port}`, protocol: 'jsonrpc' })
      .expect(200);
    const res = await t.http().post('/api/v1/odoo/test').set(auth());
    expect(res.body.data).toMatchObject({ status: 'disconnected', serverVersion: null, latencyMs: null });
    expect(res.body.data.message).toMatch(/unreachable/);
    await configureOdoo(t, token, odoo);
  });

  it('rejects bad settings with 400 / 422 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ baseUrl: 'ftp://odoo.example.com' }, 'baseUrl'],
      [{ baseUrl: 'not a url' }, 'baseUrl'],
      [{ employeeMatchField: 'email' }, 'employeeMatchField'],
      [{ protocol: 'xmlrpc' }, 'protocol'],
      [{ failureAlertThreshold: -1 }, 'failureAlertThreshold'],
      [{ autoSync: 'yes' }, 'autoSync'],
      [{ database: '' }, 'database'],
      [{ apiKey: 'k'.repeat(300) }, 'apiKey'],
      [{ isAdmin: true }, 'isAdmin'],
    ];
    for (const [body, field] of cases) {
      const res = await t.http().put('/api/v1/odoo/config').set(auth()).send(body);
      expect([field, res.status]).toEqual([field, 400]);
      expect((res.body.error.details as Array<{ field: string }>).map((d) => d.field)).toContain(field);
    }
    const noKey = await t.http().put('/api/v1/odoo/config').set(auth()).send({ apiKey: null, autoSync: true });
    expect(noKey.status).toBe(422);
    expect(noKey.body.error.details).toEqual([{ field: 'apiKey', issue: 'required when autoSync is on' }]);
    expect(await storedKey()).toMatch(/^enc:v1:/);
  });

  it('validates sync requests: unknown ids are named, empty or oversized lists refused', async () => {
    const unknown = await t
      .http()
      .post('/api/v1/odoo/sync')
      .set(auth())
      .send({ recordIds: ['ATT-NOPE-1', 'ATT-NOPE-2'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.message).toBe('Unknown attendance log ids: ATT-NOPE-1, ATT-NOPE-2');
    expect((await t.http().post('/api/v1/odoo/sync').set(auth()).send({ recordIds: [] })).status).toBe(400);
    expect(
      (
        await t
          .http()
          .post('/api/v1/odoo/sync')
          .set(auth())
          .send({ recordIds: Array.from({ length: 1001 }, (_, i) => `A${i}`) })
      ).status,
    ).toBe(400);
    expect(
      (
        await t
          .http()
          .post('/api/v1/odoo/sync')
          .set(auth())
          .send({ recordIds: [42] })
      ).status,
    ).toBe(400);
    expect((await t.http().post('/api/v1/odoo/sync').set(auth()).send({ force: true })).status).toBe(400);
  });

  it('lists the sync history newest first, filtered and paginated', async () => {
    const base = Date.parse('2025-05-01T08:00:00Z');
    const rows = Array.from({ length: 25 }, (_, i) => ({
      at: new Date(base + i * 60_000),
      employee: i % 2 === 0 ? 'EMP-A' : 'EMP-B',
      result: i % 5 === 0 ? 'failure' : 'success',
      log: `ATT-H-${i}`,
    }));
    for (const r of rows) {
      await ds.query(
        `INSERT INTO odoo_sync_logs (timestamp, employee_id, result, message, attendance_log_id, action) VALUES ($1, $2, $3, $4, $5, 'create')`,
        [r.at, r.employee, r.result, `row ${r.log}`, r.log],
      );
    }
    const page1 = await t.http().get('/api/v1/odoo/logs?pageSize=10').set(auth());
    expect(page1.status).toBe(200);
    expect(page1.body.meta).toEqual({ page: 1, pageSize: 10, total: 25, totalPages: 3 });
    expect(page1.body.data[0]).toEqual({
      id: expect.any(String),
      timestamp: '2025-05-01T08:24:00.000Z',
      employeeId: 'EMP-A',
      result: 'success',
      message: 'row ATT-H-24',
      attendanceLogId: 'ATT-H-24',
      action: 'create',
    });
    const page3 = await t.http().get('/api/v1/odoo/logs?pageSize=10&page=3').set(auth());
    expect(page3.body.data.map((r: { attendanceLogId: string }) => r.attendanceLogId)).toEqual([
      'ATT-H-4',
      'ATT-H-3',
      'ATT-H-2',
      'ATT-H-1',
      'ATT-H-0',
    ]);

    const failures = await t.http().get('/api/v1/odoo/logs?result=failure&employeeId=EMP-A').set(auth());
    expect(failures.body.data.map((r: { attendanceLogId: string }) => r.attendanceLogId)).toEqual(['ATT-H-20', 'ATT-H-10', 'ATT-H-0']);
    const window = await t.http().get('/api/v1/odoo/logs?from=2025-05-01T08:05:00Z&to=2025-05-01T08:07:00Z').set(auth());
    expect(window.body.data.map((r: { attendanceLogId: string }) => r.attendanceLogId)).toEqual(['ATT-H-7', 'ATT-H-6', 'ATT-H-5']);

    for (const q of [
      'result=maybe',
      'from=yesterday',
      'from=2025-05-02T00:00:00Z&to=2025-05-01T00:00:00Z',
      'pageSize=500',
      'employeeId=',
    ]) {
      const res = await t.http().get(`/api/v1/odoo/logs?${q}`).set(auth());
      expect([q, res.status]).toEqual([q, 400]);
    }
  });

  it('reports its status: counts, nothing running, no automatic sync while autoSync is off', async () => {
    const res = await t.http().get('/api/v1/odoo/status').set(auth());
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      status: expect.any(String),
      autoSync: false,
      lastSync: null,
      pendingCount: 0,
      failedCount: 0,
      syncedCount: 0,
      running: false,
      runningJobId: null,
      runningSince: null,
      queuedJobs: expect.any(Number),
      nextScheduledSync: null,
    });
  });

  it('gives operators read and sync rights but not the settings; viewers nothing', async () => {
    const operator = await t.userWithRole('ROLE-OPERATOR');
    const viewer = await t.userWithRole('ROLE-VIEWER');
    const as = (tk: string) => ({ Authorization: `Bearer ${tk}` });
    expect((await t.http().get('/api/v1/odoo/config').set(as(operator.token))).body.data.apiKey).toBe('***');
    expect((await t.http().put('/api/v1/odoo/config').set(as(operator.token)).send({ autoSync: false })).status).toBe(403);
    expect((await t.http().post('/api/v1/odoo/test').set(as(operator.token))).status).toBe(403);
    expect((await t.http().post('/api/v1/odoo/sync').set(as(operator.token)).send({})).status).toBe(202);
    expect((await t.http().get('/api/v1/odoo/config').set(as(viewer.token))).status).toBe(403);
    expect((await t.http().get('/api/v1/odoo/logs').set(as(viewer.token))).status).toBe(403);
  });

  it('removes the key on request', async () => {
    const res = await t.http().put('/api/v1/odoo/config').set(auth()).send({ apiKey: null });
    expect(res.body.data).toMatchObject({ apiKey: null, status: 'disconnected' });
    expect(await storedKey()).toBeNull();
  });
});
