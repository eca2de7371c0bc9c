import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DataSource } from 'typeorm';
import { parseCsv } from '@app/reports';
import { createTestApp, type TestContext } from '../support/test-app';
import { assertFreshBuild, startWorker, stopWorkers, type RunningWorker } from '../support/built-process';

jest.setTimeout(115_000);

const ROWS = 150_000;

/** What this test exercises in the built worker: dist/ must be newer than each. */
const WORKER_SOURCES = [
  'apps/worker/src/main.ts',
  'libs/attendance/src/export-runner.service.ts',
  'libs/attendance/src/exports.repository.ts',
  'libs/attendance/src/attendance.repository.ts',
  'apps/worker/src/processors/exports.processor.ts',
];

describe('a worker killed in the middle of an export: the export is retried and completes once', () => {
  let t: TestContext;
  let ds: DataSource;
  let token: string;
  let adminId: string;
  const workers: RunningWorker[] = [];

  const exportRow = async (
    id: string,
  ): Promise<{ status: string; progress: number; row_count: number | null; completed_at: Date | null }> =>
    (await ds.query(`SELECT status, progress, row_count, completed_at FROM export_jobs WHERE id = $1`, [id]))[0];

  beforeAll(async () => {
    assertFreshBuild(WORKER_SOURCES);
    t = await createTestApp();
    ds = t.app.get(DataSource);
    const login = await t.login();
    token = login.accessToken;
    adminId = login.body.data.user.id;
    await ds.query(
      `INSERT INTO attendance_logs (id, employee_id, name, department, date, time_in, status, check_in_at)
       SELECT 'ATT-' || to_char(date '2025-01-01' + (i / 1000), 'YYYYMMDD') || '-' || lpad((i % 1000 + 1)::text, 4, '0'),
              'EMP-' || (i % 1000), 'Person ' || (i % 1000), 'Dept ' || (i % 7),
              date '2025-01-01' + (i / 1000), time '08:00' + (i % 600) * interval '1 second', 'present',
              (date '2025-01-01' + (i / 1000) + time '08:00') AT TIME ZONE 'UTC'
         FROM generate_series(0, $1 - 1) AS i`,
      [ROWS],
    );
  });

  afterAll(async () => {
    await stopWorkers(workers);
    await t?.close();
  });

  it('SIGKILL during the CSV stream, another worker takes the job over, one completed export and one notification', async () => {
    const first = startWorker(t.env);
    workers.push(first);
    const res = await t.http().post('/api/v1/attendance/export').set('Authorization', `Bearer ${token}`).send({ format: 'csv' });
    expect(res.status).toBe(202);
    const { exportId, jobId } = res.body.data;

    // Wait until the first worker is part-way through, then kill it without warning.
    const until = Date.now() + 60_000;
    for (;;) {
      const row = await exportRow(exportId);
      if (row.status === 'processing' && row.progress >= 5) break;
      if (row.status === 'completed') throw new Error('export completed before the worker could be killed: raise ROWS');
      if (Date.now() > until) throw new Error(`first worker never started the export:\n${first.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const killedAt = await exportRow(exportId);
    expect(killedAt.status).toBe('processing');
    expect(killedAt.progress).toBeLessThan(100);

    // A second worker finds the stalled job (lock expired) and runs it again from the start.
    const second = startWorker(t.env);
    workers.push(second);
    const deadline = Date.now() + 80_000;
    let view: any;
    for (;;) {
      view = (await t.http().get(`/api/v1/exports/${exportId}`).set('Authorization', `Bearer ${token}`)).body.data;
      if (view.status === 'completed' || view.status === 'failed') break;
      if (Date.now() > deadline)
        throw new Error(`export not completed after the restart (${view.status} ${view.progress}%):\n${second.output()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(view).toMatchObject({ id: exportId, status: 'completed', progress: 100, rowCount: ROWS, jobId, errorMessage: null });

    const job = (await t.http().get(`/api/v1/jobs/${jobId}`).set('Authorization', `Bearer ${token}`)).body.data;
    expect(job).toMatchObject({ status: 'completed', result: { exportId, status: 'completed', rowCount: ROWS } });

    const csv = parseCsv(await (await fetch(view.downloadUrl)).text());
    expect(csv).toHaveLength(ROWS + 1);
    expect(new Set(csv.slice(1).map((r) => r[0])).size).toBe(ROWS);

    const notes = await ds.query(`SELECT count(*)::int AS n FROM notifications WHERE user_id = $1 AND link = $2`, [
      adminId,
      `/api/v1/exports/${exportId}`,
    ]);
    expect(notes[0].n).toBe(1);
    const rows = await ds.query(`SELECT count(*)::int AS n FROM export_jobs`);
    expect(rows[0].n).toBe(1);
  });
});
