import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DataSource } from 'typeorm';
import { createTestApp, type TestContext } from '../support/test-app';

/**
 * GET /history/person/{employeeId}: a person's detections and attendance merged newest first,
 * paginated, filtered by kind and time range, on rows written to the real database.
 */
// Requests hit the real database and engine on a shared machine: no 5 s default.
jest.setTimeout(60_000);

describe('person history', () => {
  let t: TestContext;
  let admin: string;

  const get = (employeeId: string, query: Record<string, string | number> = {}, token = admin) =>
    t
      .http()
      .get(`/api/v1/history/person/${encodeURIComponent(employeeId)}`)
      .query(query)
      .set({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp({ SITE_TIMEZONE: 'Europe/Paris' });
    admin = (await t.login()).accessToken;
    const ds = t.app.get(DataSource);
    await ds.query(`INSERT INTO cameras (id, name, location, stream_type) VALUES ('CAM-H1', 'Main Entrance', 'Lobby', 'RTSP')`);
    const detection = (person: string | null, at: string, status: string, confidence: number, thumbnail: string | null = null) =>
      ds.query(
        `INSERT INTO detections (person_id, name, camera_id, confidence, timestamp, status, track_id, bounding_box, thumbnail)
         VALUES ($1, $2, 'CAM-H1', $3, $4, $5, 'TRACK-1', '{"top":1,"left":2,"width":30,"height":40}', $6)`,
        [person, person ? 'Ada Lovelace' : null, confidence, at, status, thumbnail],
      );
    await detection('EMP-ADA', '2025-11-03T08:59:00Z', 'authorized', 97.5, 'thumbnails/d1.jpg');
    await detection('EMP-ADA', '2025-11-04T09:10:00Z', 'authorized', 95.1);
    await detection('EMP-ADA', '2025-11-05T17:30:00Z', 'authorized', 93.3);
    await detection('EMP-BOB', '2025-11-04T09:00:00Z', 'authorized', 91);
    await detection(null, '2025-11-04T09:05:00Z', 'unknown', 60);
    await ds.query(
      `INSERT INTO attendance_logs (id, employee_id, name, department, date, time_in, time_out, camera_id, camera_name, accuracy, status, check_in_at, check_out_at)
       VALUES ('ATT-20251103-001', 'EMP-ADA', 'Ada Lovelace', 'R&D', '2025-11-03', '09:59:00', '18:00:00', 'CAM-H1', 'Main Entrance', 97.5, 'present', '2025-11-03T08:59:00Z', '2025-11-03T17:00:00Z'),
              ('ATT-20251104-001', 'EMP-ADA', 'Ada Lovelace', 'R&D', '2025-11-04', NULL, NULL, NULL, NULL, NULL, 'missed', NULL, NULL),
              ('ATT-20251104-002', 'EMP-BOB', 'Bob', 'Ops', '2025-11-04', '10:00:00', NULL, 'CAM-H1', 'Main Entrance', 91, 'present', '2025-11-04T09:00:00Z', NULL)`,
    );
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('merges detections and attendance of one person, newest first, paginated', async () => {
    const res = await get('EMP-ADA', { pageSize: 3 });
    expect(res.status).toBe(200);
    expect(res.body.meta).toEqual({ page: 1, pageSize: 3, total: 5, totalPages: 2 });
    expect(res.body.data.map((e: { kind: string; timestamp: string }) => [e.kind, e.timestamp])).toEqual([
      ['detection', '2025-11-05T17:30:00.000Z'],
      ['detection', '2025-11-04T09:10:00.000Z'],
      // a missed day sits at its start in the site timezone (Paris, UTC+1 in November)
      ['attendance', '2025-11-03T23:00:00.000Z'],
    ]);
    const page2 = await get('EMP-ADA', { pageSize: 3, page: 2 });
    const [attendance, first] = page2.body.data;
    expect(attendance).toMatchObject({
      kind: 'attendance',
      id: 'ATT-20251103-001',
      employeeId: 'EMP-ADA',
      cameraName: 'Main Entrance',
      status: 'present',
      confidence: 97.5,
      attendance: {
        date: '2025-11-03',
        timeIn: '09:59:00',
        timeOut: '18:00:00',
        checkOutAt: '2025-11-03T17:00:00.000Z',
        odooStatus: 'pending',
        source: 'auto',
      },
    });
    expect(first).toMatchObject({
      kind: 'detection',
      status: 'authorized',
      confidence: 97.5,
      cameraId: 'CAM-H1',
      cameraName: 'Main Entrance',
      detection: { trackId: 'TRACK-1', boundingBox: { top: 1, left: 2, width: 30, height: 40 } },
    });
    expect(first.detection.thumbnail).toMatch(/thumbnails\/d1\.jpg\?.*X-Amz-Signature=/);
  });

  it('filters by kind and by time range', async () => {
    const detections = await get('EMP-ADA', { kind: 'detection' });
    expect(detections.body.meta.total).toBe(3);
    expect(detections.body.data.every((e: { kind: string }) => e.kind === 'detection')).toBe(true);

    const attendance = await get('EMP-ADA', { kind: 'attendance' });
    expect(attendance.body.data.map((e: { id: string }) => e.id)).toEqual(['ATT-20251104-001', 'ATT-20251103-001']);

    const window = await get('EMP-ADA', { from: '2025-11-04T00:00:00Z', to: '2025-11-05T00:00:00Z' });
    expect(window.body.data.map((e: { id: string; kind: string }) => e.kind)).toEqual(['detection']);
    expect(window.body.meta.total).toBe(1);
  });

  it('answers an empty page for an unknown person and 400 for bad input', async () => {
    const none = await get('EMP-NOBODY');
    expect(none.status).toBe(200);
    expect(none.body.data).toEqual([]);
    expect(none.body.meta.total).toBe(0);
    expect((await get('EMP-ADA', { from: 'yesterday' })).status).toBe(400);
    expect((await get('EMP-ADA', { from: '2025-11-05', to: '2025-11-01' })).status).toBe(400);
    expect((await get('EMP-ADA', { kind: 'alerts' })).status).toBe(400);
    expect((await get('bad id!')).status).toBe(400);
  });

  it('needs history:read', async () => {
    const viewer = await t.userWithRole('ROLE-VIEWER');
    expect((await get('EMP-ADA', {}, viewer.token)).status).toBe(403);
    const operator = await t.userWithRole('ROLE-OPERATOR');
    expect((await get('EMP-ADA', {}, operator.token)).status).toBe(200);
  });
});
