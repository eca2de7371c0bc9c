import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createTestApp, type TestContext } from '../support/test-app';
import { createTestWorker } from '../support/test-worker';

jest.setTimeout(90_000);

/**
 * An export that cannot be produced (here: Chromium missing) is retried, then marked failed with a
 * message for the requester, who gets exactly one "failed" notification; the job ends failed too.
 */
describe('a failing export', () => {
  let t: TestContext;
  let worker: INestApplicationContext;
  let ds: DataSource;
  let token: string;
  let adminId: string;

  beforeAll(async () => {
    t = await createTestApp({ CHROMIUM_PATH: '/nonexistent/chromium' });
    ds = t.app.get(DataSource);
    worker = await createTestWorker();
    const login = await t.login();
    token = login.accessToken;
    adminId = login.body.data.user.id;
    await ds.query(
      `INSERT INTO attendance_logs (id, employee_id, name, date, status) VALUES ('ATT-20250501-001', 'EMP-1', 'Ann Lee', '2025-05-01', 'present')`,
    );
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  it('is retried, then failed with a clear message and one notification', async () => {
    const res = await t.http().post('/api/v1/attendance/export').set('Authorization', `Bearer ${token}`).send({ format: 'pdf' });
    expect(res.status).toBe(202);
    const { exportId, jobId } = res.body.data;
    const until = Date.now() + 60_000;
    let view: any;
    for (;;) {
      view = (await t.http().get(`/api/v1/exports/${exportId}`).set('Authorization', `Bearer ${token}`)).body.data;
      if (view.status === 'failed') break;
      if (Date.now() > until) throw new Error(`export still ${view.status}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(view).toMatchObject({ status: 'failed', downloadUrl: null, completedAt: null });
    expect(view.errorMessage).toMatch(/^Chromium could not be started \(\/nonexistent\/chromium\)/);

    const job = (await t.http().get(`/api/v1/jobs/${jobId}`).set('Authorization', `Bearer ${token}`)).body.data;
    expect(job).toMatchObject({ status: 'failed', attempts: 2, maxAttempts: 2 });

    const notes = await ds.query(`SELECT title, level FROM notifications WHERE user_id = $1 AND link = $2`, [
      adminId,
      `/api/v1/exports/${exportId}`,
    ]);
    expect(notes).toEqual([{ title: 'Attendance export failed', level: 'warning' }]);
  });
});
