import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { parseCsv } from '@app/reports';
import { createTestApp, type TestContext } from '../support/test-app';
import { createTestWorker } from '../support/test-worker';

jest.setTimeout(120_000);
const run = promisify(execFile);

/**
 * Exports end to end: the api queues, the real worker (in-process) streams the CSV or prints the PDF
 * with Chromium into the local S3 server; the file is downloaded through its presigned URL and
 * checked (CSV parsed; PDF read with pdftotext and pdfinfo).
 */
describe('attendance exports (worker, S3, Chromium)', () => {
  let t: TestContext;
  let worker: INestApplicationContext;
  let ds: DataSource;
  let token: string;
  let adminId: string;
  let dir: string;
  const ROWS = 260;

  const auth = <T extends { set: (k: string, v: string) => T }>(req: T, tk = token): T => req.set('Authorization', `Bearer ${tk}`);

  async function waitDone(exportId: string, tk = token): Promise<any> {
    const until = Date.now() + 90_000;
    for (;;) {
      const res = await auth(t.http().get(`/api/v1/exports/${exportId}`), tk);
      expect(res.status).toBe(200);
      if (res.body.data.status === 'completed' || res.body.data.status === 'failed') return res.body.data;
      if (Date.now() > until) throw new Error(`export ${exportId} still ${res.body.data.status}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'att-exports-'));
    t = await createTestApp({ SITE_TIMEZONE: 'Asia/Kathmandu', EXPORT_PDF_MAX_ROWS: '200' });
    ds = t.app.get(DataSource);
    worker = await createTestWorker();
    const login = await t.login();
    token = login.accessToken;
    adminId = login.body.data.user.id;
    await ds.query(`INSERT INTO cameras (id, name, location, stream_type) VALUES ('CAM-X', 'Gate, "north"', 'Lobby', 'RTSP')`);
    // 260 logs over 13 days; some names try spreadsheet formula injection.
    await ds.query(
      `INSERT INTO attendance_logs (id, employee_id, name, department, date, time_in, time_out, camera_id, camera_name, accuracy, status, check_in_at, source, note)
       SELECT 'ATT-' || to_char(d, 'YYYYMMDD') || '-' || lpad(i::text, 3, '0'),
              'EMP-' || lpad(i::text, 4, '0'),
              CASE WHEN i = 1 THEN '=HYPERLINK("http://evil.example","click")'
                   WHEN i = 2 THEN '+SUM(A1:A9)'
                   WHEN i = 3 THEN '@cmd'
                   WHEN i = 4 THEN '-2+3'
                   ELSE 'Person ' || i END,
              CASE WHEN i % 2 = 0 THEN 'Ops' ELSE 'R&D, Lab' END,
              d::date, time '08:30' + i * interval '1 minute', time '17:00', 'CAM-X', 'Gate, "north"', 90 + (i % 10),
              CASE WHEN i % 5 = 0 THEN 'late' ELSE 'present' END,
              (d::date + time '08:30' + i * interval '1 minute') AT TIME ZONE 'Asia/Kathmandu',
              CASE WHEN i = 7 THEN 'manual' ELSE 'auto' END,
              CASE WHEN i = 7 THEN E'line one\\nline two' END
         FROM generate_series(date '2025-04-01', date '2025-04-13', interval '1 day') AS d, generate_series(1, 20) AS i`,
    );
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('validates export requests', async () => {
    for (const body of [
      {},
      { format: 'xls' },
      { format: 'csv', filters: { dateFrom: '2025-13-01' } },
      { format: 'csv', filters: { color: 'red' } },
      { format: 'csv', filters: 'all' },
    ]) {
      const res = await auth(t.http().post('/api/v1/attendance/export')).send(body);
      expect([body, res.status]).toEqual([body, 400]);
    }
    const tooBig = await auth(t.http().post('/api/v1/attendance/export')).send({ format: 'pdf' });
    expect(tooBig.status).toBe(422);
    expect(tooBig.body.error.details).toEqual({ rows: ROWS, limit: 200 });
    expect((await auth(t.http().get('/api/v1/exports/not-a-uuid'))).status).toBe(400);
    expect((await auth(t.http().get('/api/v1/exports/00000000-0000-4000-8000-000000000000'))).status).toBe(404);
  });

  it('streams a CSV export to S3: 202, progress, presigned download, parsed rows, formula-safe cells, a notification', async () => {
    const filters = { dateFrom: '2025-04-02', dateTo: '2025-04-12' };
    const res = await auth(t.http().post('/api/v1/attendance/export')).send({ format: 'csv', filters });
    expect(res.status).toBe(202);
    expect(res.body.data).toEqual({
      jobId: `exp_${res.body.data.exportId}`,
      exportId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'queued',
    });
    const { exportId, jobId } = res.body.data;

    const done = await waitDone(exportId);
    expect(done).toMatchObject({
      id: exportId,
      type: 'attendance',
      format: 'csv',
      status: 'completed',
      progress: 100,
      rowCount: 220,
      filters,
      jobId,
      errorMessage: null,
    });
    const expiresIn = Date.parse(done.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(7 * 24 * 3600_000 - 120_000);
    expect(expiresIn).toBeLessThanOrEqual(7 * 24 * 3600_000);
    expect(done.downloadUrl).toContain(`/face-attendance-bucket/exports/attendance/${exportId}.csv?`);
    expect(Number(new URL(done.downloadUrl).searchParams.get('X-Amz-Expires'))).toBeGreaterThan(7 * 24 * 3600 - 120);

    const job = await auth(t.http().get(`/api/v1/jobs/${jobId}`));
    expect(job.body.data).toMatchObject({ status: 'completed', progress: 100, result: { exportId, status: 'completed', rowCount: 220 } });

    const file = await fetch(done.downloadUrl);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="attendance-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}\.csv"$/);
    const rows = parseCsv(await file.text());
    expect(rows[0]).toEqual([
      'id',
      'employeeId',
      'name',
      'department',
      'date',
      'timeIn',
      'timeOut',
      'cameraId',
      'cameraName',
      'accuracy',
      'status',
      'odooStatus',
      'source',
      'note',
    ]);
    expect(rows).toHaveLength(221);

    // Same rows, same order as the list endpoint with the same filters.
    const listed: string[] = [];
    for (let page = 1; page <= 2; page++) {
      const l = await auth(t.http().get(`/api/v1/attendance/logs?dateFrom=2025-04-02&dateTo=2025-04-12&pageSize=200&page=${page}`));
      listed.push(...l.body.data.map((x: { id: string }) => x.id));
    }
    expect(rows.slice(1).map((r) => r[0])).toEqual(listed);

    const byId = new Map(rows.slice(1).map((r) => [r[0], r]));
    expect(byId.get('ATT-20250405-001')![2]).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(byId.get('ATT-20250405-002')![2]).toBe("'+SUM(A1:A9)");
    expect(byId.get('ATT-20250405-003')![2]).toBe("'@cmd");
    expect(byId.get('ATT-20250405-004')![2]).toBe("'-2+3");
    expect(byId.get('ATT-20250405-007')).toEqual([
      'ATT-20250405-007',
      'EMP-0007',
      'Person 7',
      'R&D, Lab',
      '2025-04-05',
      '08:37:00',
      '17:00:00',
      'CAM-X',
      'Gate, "north"',
      '97',
      'present',
      'pending',
      'manual',
      'line one\nline two',
    ]);
    expect(rows.slice(1).every((r) => r.length === 14)).toBe(true);

    // The signature is checked: a tampered URL is refused.
    const tampered = done.downloadUrl.replace('X-Amz-Signature=', 'X-Amz-Signature=0');
    expect((await fetch(tampered)).status).toBe(403);

    const notes = await ds.query(`SELECT title, level, link FROM notifications WHERE user_id = $1 AND link = $2`, [
      adminId,
      `/api/v1/exports/${exportId}`,
    ]);
    expect(notes).toEqual([{ title: 'Attendance export ready', level: 'info', link: `/api/v1/exports/${exportId}` }]);
  });

  it('prints a PDF export with Chromium: rows, summary and page numbers (pdftotext, pdfinfo)', async () => {
    const res = await auth(t.http().post('/api/v1/attendance/export')).send({
      format: 'pdf',
      filters: { dateFrom: '2025-04-03', dateTo: '2025-04-12', search: 'person' },
    });
    expect(res.status).toBe(202);
    const done = await waitDone(res.body.data.exportId);
    expect(done).toMatchObject({ status: 'completed', format: 'pdf', rowCount: 160 });
    const file = await fetch(done.downloadUrl);
    expect(file.status).toBe(200);
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const path = join(dir, 'report.pdf');
    await writeFile(path, bytes);

    const info = (await run('pdfinfo', [path])).stdout;
    const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(info).toMatch(/Page size:\s+841\.\d+ x 595\.\d+ pts/); // A4 landscape

    const text = (await run('pdftotext', ['-layout', path, '-'])).stdout;
    expect(text).toContain('Attendance report');
    expect(text).toMatch(/Search\s+person/);
    expect(text).toMatch(/Rows\s+160/);
    expect(text).toMatch(/Late\s+40/);
    expect(text).toContain(`Page 1 of ${pages}`);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    // Every row is in the document (ids) and nothing outside the filters is.
    for (let day = 3; day <= 12; day++) {
      for (let i = 5; i <= 20; i++) expect(text).toContain(`ATT-202504${String(day).padStart(2, '0')}-${String(i).padStart(3, '0')}`);
    }
    expect(text).not.toContain('ATT-20250402-');
    expect(text).not.toContain('ATT-20250413-');
    expect(text).not.toContain('HYPERLINK');
  });

  it('keeps exports private to their requester (404 for others), visible to admins', async () => {
    const operator = await t.userWithRole('ROLE-OPERATOR');
    const mine = await auth(t.http().post('/api/v1/attendance/export'), operator.token).send({
      format: 'csv',
      filters: { dateFrom: '2025-04-13' },
    });
    expect(mine.status).toBe(202);
    const done = await waitDone(mine.body.data.exportId, operator.token);
    expect(done.rowCount).toBe(20);
    expect((await auth(t.http().get(`/api/v1/exports/${mine.body.data.exportId}`))).status).toBe(200); // admin

    const other = await t.userWithRole('ROLE-OPERATOR');
    expect((await auth(t.http().get(`/api/v1/exports/${mine.body.data.exportId}`), other.token)).status).toBe(404);
    const viewer = await t.userWithRole('ROLE-VIEWER');
    expect((await auth(t.http().get(`/api/v1/exports/${mine.body.data.exportId}`), viewer.token)).status).toBe(403);
    expect((await auth(t.http().post('/api/v1/attendance/export'), viewer.token).send({ format: 'csv' })).status).toBe(403);
  });
});
