import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { createTestApp, type TestContext } from '../support/test-app';

/**
 * The attendance REST surface against seeded data: every filter of /attendance/logs (checked
 * against the same filter applied to the seed in JS), manual entries, deletion, statistics,
 * overview, pending, shifts CRUD with live compliance, and the dashboard summary.
 */

interface Seed {
  id: string;
  employeeId: string;
  name: string;
  department: string | null;
  date: string;
  timeIn: string | null;
  cameraId: string | null;
  status: 'present' | 'late' | 'missed';
  odooStatus: 'synced' | 'pending' | 'failed';
  source: 'auto' | 'manual';
}

const PEOPLE = [
  { employeeId: 'EMP-00412', name: 'Sophia Martinez', department: 'Manufacturing' },
  { employeeId: 'EMP-00413', name: 'Liam O’Brien', department: 'Manufacturing' },
  { employeeId: 'EMP-00500', name: 'Zoë Ångström', department: 'R&D' },
  { employeeId: 'EMP-00777', name: 'Martin Sophian', department: 'R&D' },
  { employeeId: 'EMP-00900', name: '=HYPERLINK("x")', department: null },
];
const CAMERAS = ['CAM-A', 'CAM-B', null];
const STATUSES = ['present', 'late', 'missed'] as const;
const ODOO = ['synced', 'pending', 'failed'] as const;

function buildSeed(): Seed[] {
  const out: Seed[] = [];
  let n = 0;
  for (let day = 1; day <= 9; day++) {
    const date = `2025-03-0${day}`;
    PEOPLE.forEach((p, i) => {
      n++;
      const status = STATUSES[(day + i) % 3]!;
      out.push({
        id: `ATT-202503${String(day).padStart(2, '0')}-${String(i + 1).padStart(3, '0')}`,
        ...p,
        date,
        timeIn: status === 'missed' ? null : `0${8 + (i % 2)}:${String(10 + i * 7).padStart(2, '0')}:00`,
        cameraId: status === 'missed' ? null : CAMERAS[(day * 7 + i) % 3]!,
        status,
        odooStatus: ODOO[(n * 5) % 3]!,
        source: i === 3 && day % 4 === 0 ? 'manual' : 'auto',
      });
    });
  }
  return out;
}

/** The API's order: date desc, check-in desc (nulls last), id desc. */
function order(rows: Seed[]): string[] {
  return [...rows]
    .sort((a, b) => {
      if (a.date !== b.date) return a.date < b.date ? 1 : -1;
      if (a.timeIn !== b.timeIn) {
        if (a.timeIn === null) return 1;
        if (b.timeIn === null) return -1;
        return a.timeIn < b.timeIn ? 1 : -1;
      }
      return a.id < b.id ? 1 : -1;
    })
    .map((r) => r.id);
}

describe('attendance API', () => {
  let t: TestContext;
  let ds: DataSource;
  let token: string;
  const seed = buildSeed();
  const auth = (req: ReturnType<ReturnType<TestContext['http']>['get']>) => req.set('Authorization', `Bearer ${token}`);

  const list = async (query: string): Promise<{ ids: string[]; total: number; body: any }> => {
    const res = await auth(t.http().get(`/api/v1/attendance/logs?pageSize=200&${query}`));
    expect([query, res.status]).toEqual([query, 200]);
    return { ids: res.body.data.map((l: { id: string }) => l.id), total: res.body.meta.total, body: res.body };
  };

  beforeAll(async () => {
    t = await createTestApp({ SITE_TIMEZONE: 'Europe/Berlin' });
    ds = t.app.get(DataSource);
    token = (await t.login()).accessToken;
    await ds.query(
      `INSERT INTO cameras (id, name, location, stream_type) VALUES ('CAM-A', 'Main Entrance', 'Lobby', 'RTSP'), ('CAM-B', 'R&D Corridor', 'B2', 'RTSP')`,
    );
    await ds.query(
      `INSERT INTO face_profiles (employee_id, name, department, status)
       SELECT e, n, d, 'active' FROM unnest($1::text[], $2::text[], $3::text[]) AS t(e, n, d)`,
      [PEOPLE.map((p) => p.employeeId), PEOPLE.map((p) => p.name), PEOPLE.map((p) => p.department)],
    );
    for (const s of seed) {
      await ds.query(
        `INSERT INTO attendance_logs (id, employee_id, name, department, date, time_in, camera_id, camera_name, accuracy, status,
                                      odoo_status, odoo_sync_time, check_in_at, source)
         VALUES ($1, $2, $3, $4, $5::date, $6::time, $7::varchar, (SELECT name FROM cameras WHERE id = $7::varchar), 95.5, $8, $9::varchar,
                 CASE WHEN $9::varchar = 'synced' THEN $5::date + time '18:00' END,
                 CASE WHEN $6::time IS NOT NULL THEN ($5::date + $6::time) AT TIME ZONE 'Europe/Berlin' END, $10)`,
        [s.id, s.employeeId, s.name, s.department, s.date, s.timeIn, s.cameraId, s.status, s.odooStatus, s.source],
      );
    }
  });

  afterAll(async () => t?.close());

  describe('GET /attendance/logs', () => {
    it('returns the spec fields, newest first, paginated', async () => {
      const res = await auth(t.http().get('/api/v1/attendance/logs?page=2&pageSize=7'));
      expect(res.status).toBe(200);
      expect(res.body.meta).toEqual({ page: 2, pageSize: 7, total: seed.length, totalPages: Math.ceil(seed.length / 7) });
      expect(res.body.data.map((l: { id: string }) => l.id)).toEqual(order(seed).slice(7, 14));
      const log = res.body.data[0];
      for (const field of [
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
        'odooSyncTime',
      ]) {
        expect(log).toHaveProperty(field);
      }
      const synced = (await list('odooStatus=synced')).body.data[0];
      expect(synced.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(synced.odooSyncTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(typeof synced.accuracy).toBe('number');
      const withTime = (await list('status=present')).body.data[0];
      expect(withTime.timeIn).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    });

    const cases: Array<[string, (s: Seed) => boolean]> = [
      ['search=sophia', (s) => /sophia/i.test(s.name) || /sophia/i.test(s.employeeId)],
      ['search=MARTIN', (s) => /martin/i.test(s.name)],
      ['search=00412', (s) => s.employeeId.includes('00412')],
      ['search=emp-005', (s) => s.employeeId.toLowerCase().includes('emp-005')],
      ['search=%C3%85ngstr', (s) => s.name.includes('Ångstr')],
      ['search=Zo', (s) => s.name.startsWith('Zo') || s.employeeId.startsWith('Zo')],
      ['search=100%25', () => false],
      ['search=O%E2%80%99B', (s) => s.name.includes('O’B')],
      ['cameraId=CAM-A', (s) => s.cameraId === 'CAM-A'],
      ['cameraId=CAM-B', (s) => s.cameraId === 'CAM-B'],
      ['cameraId=CAM-NONE', () => false],
      ['dateFrom=2025-03-04', (s) => s.date >= '2025-03-04'],
      ['dateTo=2025-03-03', (s) => s.date <= '2025-03-03'],
      ['dateFrom=2025-03-03&dateTo=2025-03-05', (s) => s.date >= '2025-03-03' && s.date <= '2025-03-05'],
      ['dateFrom=2025-03-05&dateTo=2025-03-05', (s) => s.date === '2025-03-05'],
      ['odooStatus=synced', (s) => s.odooStatus === 'synced'],
      ['odooStatus=pending', (s) => s.odooStatus === 'pending'],
      ['odooStatus=failed', (s) => s.odooStatus === 'failed'],
      ['status=present', (s) => s.status === 'present'],
      ['status=late', (s) => s.status === 'late'],
      ['status=missed', (s) => s.status === 'missed'],
      ['source=manual', (s) => s.source === 'manual'],
      [
        'search=martin&cameraId=CAM-A&dateFrom=2025-03-02&dateTo=2025-03-08&odooStatus=pending',
        (s) =>
          /martin/i.test(s.name) &&
          s.cameraId === 'CAM-A' &&
          s.date >= '2025-03-02' &&
          s.date <= '2025-03-08' &&
          s.odooStatus === 'pending',
      ],
      ['search=sophia&status=late&dateTo=2025-03-06', (s) => /sophia/i.test(s.name) && s.status === 'late' && s.date <= '2025-03-06'],
    ];
    it.each(cases)('filters %s', async (query, predicate) => {
      const expected = order(seed.filter(predicate));
      const { ids, total } = await list(query);
      expect(ids).toEqual(expected);
      expect(total).toBe(expected.length);
    });

    it('checks that the filter cases are not vacuous', () => {
      const nonEmpty = cases.filter(([, p]) => seed.some(p)).length;
      expect(nonEmpty).toBeGreaterThanOrEqual(cases.length - 3);
    });

    it('rejects bad filters with 400', async () => {
      for (const q of [
        'dateFrom=2025-02-30',
        'dateFrom=05/03/2025',
        'dateFrom=2025-03-05&dateTo=2025-03-01',
        'odooStatus=done',
        'status=absent',
        'search=' + 'x'.repeat(101),
        'pageSize=500',
        'cameraId=CAM%20A;DROP',
        'unknown=1',
      ]) {
        const res = await auth(t.http().get(`/api/v1/attendance/logs?${q}`));
        expect([q, res.status, res.body.error?.code]).toEqual([q, 400, 'VALIDATION_ERROR']);
      }
    });
  });

  describe('manual entries and deletion', () => {
    it('creates a manual entry in its own log, audited, and refuses a second one that day with 409', async () => {
      const res = await auth(t.http().post('/api/v1/attendance/manual')).send({
        employeeId: 'EMP-00412',
        cameraId: 'CAM-A',
        timestamp: '2025-03-10T08:05:00Z',
        status: 'present',
        note: 'Badge forgotten',
      });
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({
        employeeId: 'EMP-00412',
        name: 'Sophia Martinez',
        department: 'Manufacturing',
        date: '2025-03-10',
        timeIn: '09:05:00', // Europe/Berlin (UTC+1 in March before DST)
        cameraId: 'CAM-A',
        cameraName: 'Main Entrance',
        status: 'present',
        source: 'manual',
        note: 'Badge forgotten',
        odooStatus: 'pending',
      });
      expect(res.body.data.id).toMatch(/^ATT-20250310-\d{3}$/);
      const id = res.body.data.id as string;

      const [audit] = await ds.query(
        `SELECT action, resource_type, actor FROM audit_logs WHERE action LIKE 'attendance.%' ORDER BY timestamp DESC LIMIT 1`,
      );
      expect(audit).toMatchObject({ action: 'attendance.createManual', resource_type: 'attendance', actor: 'admin@example.com' });

      const again = await auth(t.http().post('/api/v1/attendance/manual')).send({
        employeeId: 'EMP-00412',
        timestamp: '2025-03-10T15:00:00Z',
      });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('CONFLICT');
      expect(again.body.error.details).toMatchObject({ existingId: id, date: '2025-03-10' });

      // An automatic log the same day stays separate: manual data is never merged.
      const manualOnly = await list('source=manual&dateFrom=2025-03-10&dateTo=2025-03-10');
      expect(manualOnly.ids).toEqual([id]);

      const del = await auth(t.http().delete(`/api/v1/attendance/${id}`));
      expect(del.status).toBe(204);
      expect((await auth(t.http().delete(`/api/v1/attendance/${id}`))).status).toBe(404);
      const replaced = await auth(t.http().post('/api/v1/attendance/manual')).send({
        employeeId: 'EMP-00412',
        timestamp: '2025-03-10T15:00:00Z',
      });
      expect(replaced.status).toBe(201);
    });

    it('validates manual entries: 400 for malformed input, 422 for unknown people/cameras and impossible times', async () => {
      const cases: Array<[Record<string, unknown>, number]> = [
        [{}, 400],
        [{ employeeId: 'EMP-00412', timestamp: '2025-03-10 08:00' }, 400],
        [{ employeeId: 'EMP-00412', timestamp: '2025-03-10T08:00:00' }, 400],
        [{ employeeId: 'EMP-00412', timestamp: '2025-03-11T08:00:00Z', status: 'absent' }, 400],
        [{ employeeId: 'EMP-00412', timestamp: '2025-03-11T08:00:00Z', extra: true }, 400],
        [{ employeeId: 'EMP 1; DROP', timestamp: '2025-03-11T08:00:00Z' }, 400],
        [{ employeeId: 'EMP-00412', timestamp: '2025-03-11T08:00:00Z', note: 'x'.repeat(1001) }, 400],
        [{ employeeId: 'NOBODY', timestamp: '2025-03-11T08:00:00Z' }, 422],
        [{ employeeId: 'EMP-00412', cameraId: 'CAM-ZZ', timestamp: '2025-03-11T08:00:00Z' }, 422],
        [{ employeeId: 'EMP-00412', timestamp: '2099-01-01T08:00:00Z' }, 422],
        [{ employeeId: 'EMP-00412', timestamp: '2025-03-11T08:00:00Z', checkOut: '2025-03-11T07:00:00Z' }, 422],
        [{ employeeId: 'EMP-00412', timestamp: '2025-03-11T08:00:00Z', checkOut: '2025-03-13T07:00:00Z' }, 422],
      ];
      for (const [body, status] of cases) {
        const res = await auth(t.http().post('/api/v1/attendance/manual')).send(body);
        expect([JSON.stringify(body).slice(0, 80), res.status]).toEqual([JSON.stringify(body).slice(0, 80), status]);
      }
      const ok = await auth(t.http().post('/api/v1/attendance/manual')).send({
        employeeId: 'EMP-00500',
        timestamp: '2025-03-11T08:00:00+01:00',
        checkOut: '2025-03-11T16:30:00+01:00',
      });
      expect(ok.status).toBe(201);
      expect(ok.body.data).toMatchObject({
        date: '2025-03-11',
        timeIn: '08:00:00',
        timeOut: '16:30:00',
        status: 'present',
        source: 'manual',
      });
    });

    it('answers 400 for malformed log ids on delete', async () => {
      for (const id of ['nope', 'ATT-1-1', '00000000-0000-4000-8000-000000000000']) {
        expect((await auth(t.http().delete(`/api/v1/attendance/${id}`))).status).toBe(400);
      }
    });
  });

  describe('statistics, overview, pending, records', () => {
    it('aggregates by hour, day, camera and department over a range', async () => {
      const res = await auth(t.http().get('/api/v1/attendance/statistics?dateFrom=2025-03-01&dateTo=2025-03-09'));
      expect(res.status).toBe(200);
      const s = res.body.data;
      expect(s).toMatchObject({ dateFrom: '2025-03-01', dateTo: '2025-03-09', timezone: 'Europe/Berlin' });
      const count = (p: (x: Seed) => boolean): number => seed.filter(p).length;
      expect(s.totals).toMatchObject({
        total: seed.length,
        present: count((x) => x.status === 'present'),
        late: count((x) => x.status === 'late'),
        missed: count((x) => x.status === 'missed'),
        manual: count((x) => x.source === 'manual'),
        people: PEOPLE.length,
      });
      expect(s.byHour).toHaveLength(24);
      for (const h of [8, 9]) {
        expect(s.byHour[h].checkIns).toBe(count((x) => x.timeIn !== null && Number(x.timeIn.slice(0, 2)) === h));
      }
      expect(s.byHour.reduce((a: number, h: { checkIns: number }) => a + h.checkIns, 0)).toBe(count((x) => x.timeIn !== null));
      expect(s.byDay).toHaveLength(9);
      expect(s.byDay[2]).toMatchObject({ date: '2025-03-03', total: count((x) => x.date === '2025-03-03') });
      const camA = s.byCamera.find((c: { cameraId: string }) => c.cameraId === 'CAM-A');
      expect(camA).toMatchObject({ cameraName: 'Main Entrance', checkIns: count((x) => x.cameraId === 'CAM-A') });
      const rnd = s.byDepartment.find((d: { department: string }) => d.department === 'R&D');
      expect(rnd.total).toBe(count((x) => x.department === 'R&D'));
      expect(rnd.attendanceRate).toBeGreaterThan(0);

      const cam = await auth(t.http().get('/api/v1/attendance/statistics?dateFrom=2025-03-01&dateTo=2025-03-09&cameraId=CAM-B'));
      expect(cam.body.data.totals.total).toBe(count((x) => x.cameraId === 'CAM-B'));
      const dep = await auth(t.http().get('/api/v1/attendance/statistics?dateFrom=2025-03-01&dateTo=2025-03-09&department=manufacturing'));
      expect(dep.body.data.totals.total).toBe(count((x) => x.department === 'Manufacturing'));

      const def = await auth(t.http().get('/api/v1/attendance/statistics'));
      expect(def.status).toBe(200);
      expect(def.body.data.byDay).toHaveLength(7);
      for (const q of ['dateFrom=2024-01-01&dateTo=2025-03-01', 'dateFrom=2025-03-05&dateTo=2025-03-01', 'dateTo=yesterday']) {
        expect((await auth(t.http().get(`/api/v1/attendance/statistics?${q}`))).status).toBe(400);
      }
    });

    it('lists logs awaiting Odoo, oldest first, without missed ones', async () => {
      const res = await auth(t.http().get('/api/v1/attendance/pending?pageSize=200'));
      expect(res.status).toBe(200);
      const ids = res.body.data.map((l: { id: string }) => l.id);
      const expected = seed.filter((s) => s.odooStatus === 'pending' && s.timeIn !== null).map((s) => s.id);
      for (const id of expected) expect(ids).toContain(id);
      expect(res.body.data.every((l: { odooStatus: string; status: string }) => l.odooStatus === 'pending' && l.status !== 'missed')).toBe(
        true,
      );
      expect(res.body.meta.total).toBe(ids.length);
      const dates = res.body.data.map((l: { date: string }) => l.date);
      expect([...dates].sort()).toEqual(dates);
    });

    it('gives today at a glance and current presence', async () => {
      const ov = await auth(t.http().get('/api/v1/attendance/overview'));
      expect(ov.status).toBe(200);
      expect(ov.body.data).toEqual({
        date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        timezone: 'Europe/Berlin',
        expected: expect.any(Number),
        present: expect.any(Number),
        late: expect.any(Number),
        missed: expect.any(Number),
        notArrived: expect.any(Number),
        onSiteNow: expect.any(Number),
        manualEntries: expect.any(Number),
        attendanceCompletion: expect.any(Number),
      });
      await ds.query(
        `INSERT INTO attendance_records (id, person_id, name, department, status, accuracy, timestamp, camera_id, camera_name, thumbnail)
         VALUES ('EMP-00412', 'EMP-00412', 'Sophia Martinez', 'Manufacturing', 'on-site', 99.2, now(), 'CAM-A', 'Main Entrance', 'thumbnails/x.jpg'),
                ('EMP-00500', 'EMP-00500', 'Zoë Ångström', 'R&D', 'off-site', 97, now() - interval '1 hour', 'CAM-B', 'R&D Corridor', NULL)`,
      );
      const rec = await auth(t.http().get('/api/v1/attendance/records?limit=1'));
      expect(rec.status).toBe(200);
      expect(rec.body.data).toHaveLength(1);
      expect(rec.body.data[0]).toMatchObject({
        id: 'EMP-00412',
        personId: 'EMP-00412',
        status: 'on-site',
        accuracy: 99.2,
        cameraId: 'CAM-A',
        cameraName: 'Main Entrance',
      });
      expect(rec.body.data[0].thumbnail).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/face-attendance-bucket\/thumbnails\/x\.jpg\?X-Amz-/);
      expect((await auth(t.http().get('/api/v1/attendance/overview'))).body.data.onSiteNow).toBe(1);
      expect((await auth(t.http().get('/api/v1/attendance/records?limit=0'))).status).toBe(400);
    });
  });

  describe('shifts', () => {
    it('creates, lists with live compliance, updates and deletes shifts', async () => {
      const bad = [
        { name: 'x', startTime: '25:00', endTime: '17:00' },
        { name: 'x', startTime: '09:00', endTime: '09:00' },
        { name: 'x', startTime: '09:00', endTime: '17:00', timezone: 'Mars/Base' },
        { name: 'x', startTime: '09:00', endTime: '17:00', daysOfWeek: [0, 8] },
        { name: 'x', startTime: '09:00', endTime: '17:00', daysOfWeek: [] },
        { name: 'x', startTime: '09:00', endTime: '17:00', graceMinutes: -1 },
        { name: '', startTime: '09:00', endTime: '17:00' },
        { name: 'x', startTime: '09:00', endTime: '17:00', departments: 'Ops' },
      ];
      for (const body of bad) expect([body, (await auth(t.http().post('/api/v1/shifts')).send(body)).status]).toEqual([body, 400]);

      // A shift every day in the site timezone from 2 h ago to 2 h from now, for Manufacturing: running now.
      const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
      const hhmm = (ms: number): string => berlin.format(new Date(ms));
      const created = await auth(t.http().post('/api/v1/shifts')).send({
        id: 'SHIFT-ALLDAY',
        name: 'All day',
        startTime: hhmm(Date.now() - 2 * 3600_000),
        endTime: hhmm(Date.now() + 2 * 3600_000),
        location: 'Plant 1',
        departments: ['Manufacturing'],
        daysOfWeek: [1, 2, 3, 4, 5, 6, 7],
        graceMinutes: 5,
      });
      expect(created.status).toBe(201);
      expect(created.body.data).toMatchObject({
        id: 'SHIFT-ALLDAY',
        name: 'All day',
        location: 'Plant 1',
        expectedHeadcount: 2,
        compliance: 0,
        timezone: null,
        effectiveTimezone: 'Europe/Berlin',
        currentInstance: expect.objectContaining({ state: 'in-progress', expected: 2, present: 0 }),
      });
      expect(
        (await auth(t.http().post('/api/v1/shifts')).send({ id: 'SHIFT-ALLDAY', name: 'dup', startTime: '01:00', endTime: '02:00' }))
          .status,
      ).toBe(409);

      // Sophia is seen now by the engine path (a manual entry stands in for the camera here).
      const manual = await auth(t.http().post('/api/v1/attendance/manual')).send({
        employeeId: 'EMP-00413',
        timestamp: new Date().toISOString(),
      });
      expect(manual.status).toBe(201);
      expect(manual.body.data.shiftId).toBe('SHIFT-ALLDAY');

      const listed = await auth(t.http().get('/api/v1/shifts'));
      expect(listed.status).toBe(200);
      const s = listed.body.data.find((x: { id: string }) => x.id === 'SHIFT-ALLDAY');
      expect(s).toMatchObject({ expectedHeadcount: 2, compliance: 50 });
      for (const key of ['id', 'name', 'startTime', 'endTime', 'location', 'expectedHeadcount', 'compliance'])
        expect(s).toHaveProperty(key);

      const night = await auth(t.http().post('/api/v1/shifts')).send({
        name: 'Night',
        startTime: '22:00',
        endTime: '06:00',
        employeeIds: ['EMP-00777'],
        timezone: 'Asia/Kathmandu',
      });
      expect(night.status).toBe(201);
      expect(night.body.data.id).toMatch(/^SHIFT-[0-9A-F]{8}$/);
      expect(night.body.data).toMatchObject({ expectedHeadcount: 1, daysOfWeek: [1, 2, 3, 4, 5], effectiveTimezone: 'Asia/Kathmandu' });

      const upd = await auth(t.http().put(`/api/v1/shifts/${night.body.data.id}`)).send({
        endTime: '07:30',
        departments: ['R&D'],
        enabled: false,
      });
      expect(upd.status).toBe(200);
      expect(upd.body.data).toMatchObject({ startTime: '22:00', endTime: '07:30', expectedHeadcount: 2, enabled: false });
      expect((await auth(t.http().put(`/api/v1/shifts/${night.body.data.id}`)).send({ endTime: '22:00' })).status).toBe(400);
      expect((await auth(t.http().put('/api/v1/shifts/NOPE')).send({ name: 'x' })).status).toBe(404);

      expect((await auth(t.http().delete(`/api/v1/shifts/${night.body.data.id}`))).status).toBe(204);
      expect((await auth(t.http().get(`/api/v1/shifts/${night.body.data.id}`))).status).toBe(404);
      // Logs of a deleted shift stay, without their shift.
      expect((await auth(t.http().delete('/api/v1/shifts/SHIFT-ALLDAY'))).status).toBe(204);
      const kept = await ds.query(`SELECT shift_id FROM attendance_logs WHERE id = $1`, [manual.body.data.id]);
      expect(kept).toEqual([{ shift_id: null }]);
    });
  });

  describe('GET /system/summary', () => {
    it('gives the dashboard figures, cached for about 15 s', async () => {
      await ds.query(`UPDATE cameras SET status = 'online' WHERE id = 'CAM-A'`);
      await ds.query(
        `INSERT INTO alerts (id, title, level, timestamp, kind, subject) VALUES ('ALERT-T1', 'Unknown face', 'medium', now(), 'unknown_face', 'CAM-A')`,
      );
      await ds.query(
        `INSERT INTO detections (person_id, name, camera_id, confidence, timestamp, status) VALUES ('EMP-00412', 'Sophia', 'CAM-A', 99, now(), 'authorized')`,
      );
      const res = await auth(t.http().get('/api/v1/system/summary'));
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        activeCameras: 1,
        registeredPeople: PEOPLE.length,
        peopleDetectedToday: 1,
        unknownFaceAlerts: 1,
        manualOverrides: expect.any(Number),
        attendanceCompletion: expect.any(Number),
        lastSync: null,
      });
      await ds.query(`UPDATE cameras SET status = 'online' WHERE id = 'CAM-B'`);
      const cached = await auth(t.http().get('/api/v1/system/summary'));
      expect(cached.body.data).toEqual(res.body.data);
      const viewer = await t.userWithRole('ROLE-VIEWER');
      const asViewer = await t.http().get('/api/v1/system/summary').set('Authorization', `Bearer ${viewer.token}`);
      expect(asViewer.status).toBe(200);
    });
  });
});
