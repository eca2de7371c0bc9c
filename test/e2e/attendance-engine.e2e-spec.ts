import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConfigModule, RedisModule, resetEnv } from '@app/core';
import { DatabaseModule } from '@app/database';
import { StorageModule } from '@app/storage';
import { QueueModule } from '@app/queue';
import { RealtimeModule } from '@app/realtime';
import { AlertsModule } from '@app/alerts';
import {
  AttendanceEngine,
  AttendanceMaintenanceService,
  AttendanceModule,
  AttendanceService,
  Clock,
  ManualClock,
  ShiftsService,
  type Sighting,
} from '@app/attendance';
import { createTestDatabase, TestDatabase } from '../support/test-db';
import { deleteRedisPrefix } from '../support/test-app';

/**
 * The attendance engine against real PostgreSQL and Redis, with a controlled clock. Site timezone is
 * Pacific/Kiritimati (UTC+14, no DST), far from UTC: a shift without its own timezone runs there.
 * Expected instants are computed with fixed offsets here, independently of the Intl code under test.
 */

const HOUR = 3_600_000;
const MIN = 60_000;
const KIRI = 14 * HOUR; // Pacific/Kiritimati
const KTM = (5 * 60 + 45) * MIN; // Asia/Kathmandu

/** First Monday at least 8 days from now (after the rows created by this test, as the engine requires). */
function futureMonday(): string {
  const d = new Date(Date.now() + 8 * 24 * HOUR);
  d.setUTCHours(0, 0, 0, 0);
  while (d.getUTCDay() !== 1) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
const addDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * 24 * HOUR).toISOString().slice(0, 10);
/** The instant at which a zone with fixed `offset` shows `date` `time`. */
const at = (date: string, time: string, offset: number): Date => new Date(Date.parse(`${date}T${time}Z`) - offset);
const compact = (date: string): string => date.replaceAll('-', '');

interface LogRow {
  id: string;
  employee_id: string;
  date: string;
  time_in: string | null;
  time_out: string | null;
  check_in_at: Date | null;
  check_out_at: Date | null;
  status: string;
  shift_id: string | null;
  shift_start: Date | null;
  camera_id: string | null;
  accuracy: string | null;
  odoo_status: string;
  odoo_attendance_id: number | null;
  source: string;
}

describe('attendance engine (real PostgreSQL, controlled clock)', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let ds: DataSource;
  let engine: AttendanceEngine;
  let maintenance: AttendanceMaintenanceService;
  let shifts: ShiftsService;
  let attendance: AttendanceService;
  const clock = new ManualClock(new Date());
  const prefix = `tatt${randomUUID().slice(0, 6)}`;
  const saved: Record<string, string | undefined> = {};
  const D = futureMonday(); // a Monday
  const cam = { cameraId: 'CAM-ENG-1', cameraName: 'Gate' };

  const sight = (
    employeeId: string,
    when: Date,
    over: Partial<Sighting> = {},
  ): Promise<{ logId: string | null; created: boolean; status: string | null }> =>
    engine.recordSighting({
      employeeId,
      name: `Person ${employeeId}`,
      department: 'Ops',
      ...cam,
      confidence: 90,
      timestamp: when,
      thumbnail: null,
      ...over,
    });

  const logsOf = async (employeeId: string): Promise<LogRow[]> =>
    ds.query(
      `SELECT id, employee_id, date::text AS date, time_in::text AS time_in, time_out::text AS time_out, check_in_at, check_out_at,
              status, shift_id, shift_start, camera_id, accuracy, odoo_status, odoo_attendance_id, source
         FROM attendance_logs WHERE employee_id = $1 ORDER BY date, id`,
      [employeeId],
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = {
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '25',
      REDIS_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      SITE_TIMEZONE: 'Pacific/Kiritimati',
    };
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    resetEnv();
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule,
        RedisModule,
        DatabaseModule.forRoot(),
        StorageModule,
        QueueModule.forRoot(),
        RealtimeModule,
        AlertsModule,
        AttendanceModule,
      ],
    })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    app = await moduleRef.init();
    ds = app.get(DataSource);
    engine = app.get(AttendanceEngine);
    maintenance = app.get(AttendanceMaintenanceService);
    shifts = app.get(ShiftsService);
    attendance = app.get(AttendanceService);

    await ds.query(
      `INSERT INTO cameras (id, name, location, stream_type, timezone) VALUES
         ('CAM-ENG-1', 'Gate', 'Lobby', 'RTSP', NULL), ('CAM-KTM', 'Kathmandu office', 'Nepal', 'RTSP', 'Asia/Kathmandu')`,
    );
    const people: Array<[string, string]> = [
      ['E1', 'Ops'],
      ['E2', 'Ops'],
      ['E3', 'Ops'],
      ['E4', 'Ops'],
      ['E5', 'Ops'],
      ['E6', 'Ops'],
      ['N1', 'Night'],
      ['N2', 'Night'],
      ['K1', 'Nepal'],
      ['U1', 'Visitors'],
      ['B1', 'Burst'],
    ];
    for (let i = 0; i < 20; i++) people.push([`P${String(i).padStart(2, '0')}`, 'Burst']);
    await ds.query(
      `INSERT INTO face_profiles (employee_id, name, department, status)
       SELECT e, 'Person ' || e, d, 'active' FROM unnest($1::text[], $2::text[]) AS t(e, d)`,
      [people.map((p) => p[0]), people.map((p) => p[1])],
    );
    await ds.query(`INSERT INTO face_profiles (employee_id, name, department, status) VALUES ('X1', 'Archived', 'Ops', 'archived')`);

    clock.set(new Date());
    // Day shift in the site timezone (Kiritimati), for the Ops department.
    await shifts.create({ id: 'DAY', name: 'Day', startTime: '09:00', endTime: '17:00', graceMinutes: 10, departments: ['ops'] });
    // Night shift in UTC, 22:00-06:00, by people.
    await shifts.create({ id: 'NIGHT', name: 'Night', startTime: '22:00', endTime: '06:00', timezone: 'UTC', employeeIds: ['N1', 'N2'] });
    // Kathmandu shift (UTC+05:45).
    await shifts.create({
      id: 'KTM',
      name: 'Kathmandu',
      startTime: '09:00',
      endTime: '17:00',
      timezone: 'Asia/Kathmandu',
      departments: ['Nepal'],
    });
    // Burst shift: every day, all day long in UTC, for the Burst department.
    await shifts.create({
      id: 'BURST',
      name: 'Burst',
      startTime: '00:00',
      endTime: '23:59',
      timezone: 'UTC',
      departments: ['Burst'],
      daysOfWeek: [1, 2, 3, 4, 5, 6, 7],
    });
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await deleteRedisPrefix(prefix);
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetEnv();
  });

  it('first sighting = time in, last = time out, in the site timezone; an earlier late-arriving sighting moves the check-in', async () => {
    const first = await sight('E1', at(D, '08:55:00', KIRI), { confidence: 91.5 });
    expect(first.created).toBe(true);
    expect(first.status).toBe('present');
    expect(first.logId).toMatch(new RegExp(`^ATT-${compact(D)}-\\d{3}$`));
    let [log] = await logsOf('E1');
    expect(log).toMatchObject({ date: D, time_in: '08:55:00', time_out: null, status: 'present', shift_id: 'DAY', source: 'auto' });
    // Kiritimati 09:00 on D is 19:00 UTC the day before.
    expect(new Date(log!.shift_start!).toISOString()).toBe(`${addDays(D, -1)}T19:00:00.000Z`);

    expect((await sight('E1', at(D, '12:00:00', KIRI))).created).toBe(false);
    await sight('E1', at(D, '17:20:00', KIRI), { confidence: 97 });
    const older = await sight('E1', at(D, '08:50:00', KIRI), { cameraId: 'CAM-KTM', cameraName: 'Kathmandu office' });
    expect(older).toEqual({ logId: first.logId, created: false, status: 'present' });

    const logs = await logsOf('E1');
    expect(logs).toHaveLength(1);
    log = logs[0];
    expect(log).toMatchObject({ id: first.logId, time_in: '08:50:00', time_out: '17:20:00', status: 'present', camera_id: 'CAM-KTM' });
    expect(new Date(log!.check_in_at!).toISOString()).toBe(at(D, '08:50:00', KIRI).toISOString());
    expect(new Date(log!.check_out_at!).toISOString()).toBe(at(D, '17:20:00', KIRI).toISOString());
    expect(Number(log!.accuracy)).toBe(97);

    // Presence: one record, at the latest sighting, never moved back by the older one.
    const [rec] = await ds.query(`SELECT person_id, status, camera_id, timestamp FROM attendance_records WHERE id = 'E1'`);
    expect(rec).toMatchObject({ person_id: 'E1', status: 'on-site', camera_id: 'CAM-ENG-1' });
    expect(new Date(rec.timestamp).toISOString()).toBe(at(D, '17:20:00', KIRI).toISOString());
  });

  it('is late after start + grace, on time at the boundary, and re-rated when an earlier sighting arrives', async () => {
    expect((await sight('E2', at(D, '09:10:00', KIRI))).status).toBe('present');
    expect((await sight('E3', at(D, '09:10:01', KIRI))).status).toBe('late');
    expect((await logsOf('E3'))[0]).toMatchObject({ status: 'late', time_in: '09:10:01' });
    expect((await sight('E3', at(D, '09:04:00', KIRI))).status).toBe('present');
    expect((await logsOf('E3'))[0]).toMatchObject({ status: 'present', time_in: '09:04:00', time_out: '09:10:01' });
  });

  it('marks people expected on a shift and never seen as missed once it has ended, idempotently', async () => {
    // E5 has a manual entry that day: not missed.
    clock.set(at(D, '16:00:00', KIRI));
    await attendance.manual({ employeeId: 'E5', timestamp: at(D, '09:30:00', KIRI).toISOString(), note: 'badge forgotten' });

    clock.set(at(D, '16:59:59', KIRI));
    await maintenance.markMissed();
    expect(await logsOf('E4')).toEqual([]);

    clock.set(at(D, '17:00:00', KIRI));
    const run = await maintenance.markMissed();
    expect(run.ran).toBe(true);
    const e4 = await logsOf('E4');
    expect(e4).toHaveLength(1);
    expect(e4[0]).toMatchObject({ date: D, status: 'missed', time_in: null, shift_id: 'DAY', source: 'auto' });
    expect(e4[0]!.id).toMatch(new RegExp(`^ATT-${compact(D)}-\\d{3}$`));
    expect((await logsOf('E6'))[0]).toMatchObject({ status: 'missed' });
    for (const seen of ['E1', 'E2', 'E3']) expect((await logsOf(seen)).map((l) => l.status)).not.toContain('missed');
    expect((await logsOf('E5')).map((l) => l.source)).toEqual(['manual']);
    expect(await logsOf('X1')).toEqual([]); // archived profiles are not expected

    const again = await maintenance.markMissed();
    expect(again.missed).toBe(0);
    expect(await logsOf('E4')).toHaveLength(1);

    // Seen after all (within the check-out window): the missed log becomes a late arrival.
    expect(await sight('E6', at(D, '17:30:00', KIRI))).toMatchObject({ created: false, status: 'late' });
    expect(await logsOf('E6')).toHaveLength(1);
    expect((await logsOf('E6'))[0]).toMatchObject({ status: 'late', time_in: '17:30:00' });
  });

  it('puts a night shift 22:00-06:00 on the day it starts and closes it at 06:00 the next day', async () => {
    const r = await sight('N1', at(D, '21:58:00', 0), { department: 'Night' });
    expect(r).toMatchObject({ created: true, status: 'present' });
    await sight('N1', at(addDays(D, 1), '02:00:00', 0), { department: 'Night' });
    await sight('N1', at(addDays(D, 1), '05:59:00', 0), { department: 'Night' });
    const [log] = await logsOf('N1');
    expect(await logsOf('N1')).toHaveLength(1);
    expect(log).toMatchObject({ id: r.logId, date: D, shift_id: 'NIGHT', time_in: '21:58:00', time_out: '05:59:00' });
    expect(log!.id.startsWith(`ATT-${compact(D)}-`)).toBe(true);

    clock.set(at(addDays(D, 1), '05:59:00', 0));
    await maintenance.markMissed();
    expect(await logsOf('N2')).toEqual([]);
    clock.set(at(addDays(D, 1), '06:00:00', 0));
    await maintenance.markMissed();
    expect(await logsOf('N2')).toEqual([expect.objectContaining({ date: D, status: 'missed', shift_id: 'NIGHT' })]);

    // Friday's night shift ends on Saturday morning and still belongs to Friday.
    const fri = addDays(D, 4);
    const sat = await sight('N1', at(addDays(fri, 1), '03:00:00', 0), { department: 'Night' });
    expect(sat.status).toBe('late');
    expect((await logsOf('N1')).find((l) => l.id === sat.logId)).toMatchObject({ date: fri, shift_id: 'NIGHT' });
  });

  it('computes a Kathmandu (UTC+05:45) shift in its own timezone', async () => {
    // 09:05 in Kathmandu = 03:20 UTC.
    const r = await sight('K1', new Date(Date.parse(`${D}T03:20:00Z`)), { department: 'Nepal', cameraId: 'CAM-KTM' });
    expect(r.status).toBe('present');
    const [log] = await logsOf('K1');
    expect(log).toMatchObject({ date: D, time_in: '09:05:00', shift_id: 'KTM' });
    expect(new Date(log!.shift_start!).toISOString()).toBe(at(D, '09:00:00', KTM).toISOString());
    const late = await sight('K1', at(addDays(D, 1), '09:16:00', KTM), { department: 'Nepal' });
    expect(late).toMatchObject({ created: true, status: 'late' });
  });

  it('records a sighting outside every shift of the person on an unscheduled log dated in the camera timezone', async () => {
    // U1 (department Visitors) has no shift. 20:30 UTC is 02:15 the next day in Kathmandu.
    const when = new Date(Date.parse(`${D}T20:30:00Z`));
    const r = await sight('U1', when, { department: 'Visitors', cameraId: 'CAM-KTM', cameraName: 'Kathmandu office' });
    expect(r).toMatchObject({ created: true, status: 'present' });
    await sight('U1', new Date(when.getTime() + 2 * HOUR), { department: 'Visitors', cameraId: 'CAM-KTM' });
    const logs = await logsOf('U1');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ date: addDays(D, 1), shift_id: null, shift_start: null, time_in: '02:15:00', time_out: '04:15:00' });
  });

  it('turns a synced log back to pending when its check-out moves, keeping the Odoo id', async () => {
    const [log] = await logsOf('E2');
    await ds.query(`UPDATE attendance_logs SET odoo_status = 'synced', odoo_attendance_id = 4242, odoo_sync_time = now() WHERE id = $1`, [
      log!.id,
    ]);
    await sight('E2', at(D, '16:45:00', KIRI));
    const [after] = await logsOf('E2');
    expect(after).toMatchObject({ odoo_status: 'pending', odoo_attendance_id: 4242, time_out: '16:45:00' });
  });

  it('creates exactly one log for a burst of 20 concurrent sightings of one person', async () => {
    // D + 2: the Burst shift of D was closed (B1 missed) by an earlier run.
    const base = at(addDays(D, 2), '10:00:00', 0).getTime();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sight('B1', new Date(base + i * 1000), { department: 'Burst' })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.logId)).size).toBe(1);
    const logs = (await logsOf('B1')).filter((l) => l.date === addDays(D, 2));
    expect(logs).toHaveLength(1);
    expect(logs[0]!.id).toBe(results[0]!.logId);
    expect(new Date(logs[0]!.check_in_at!).getTime()).toBe(base);
    expect(new Date(logs[0]!.check_out_at!).getTime()).toBe(base + 19_000);
  });

  it('numbers concurrent new logs of one day without duplicates or gaps', async () => {
    const day = addDays(D, 2);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sight(`P${String(i).padStart(2, '0')}`, at(day, '11:00:00', 0), { department: 'Burst' })),
    );
    expect(results.every((r) => r.created)).toBe(true);
    const numbers = results.map((r) => Number(r.logId!.split('-')[2])).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(20);
    expect(numbers[19]! - numbers[0]!).toBe(19);
    const ids: Array<{ id: string }> = await ds.query(`SELECT id FROM attendance_logs WHERE date = $1::date ORDER BY id`, [day]);
    expect(ids.every((r) => r.id.startsWith(`ATT-${compact(day)}-`))).toBe(true);
  });

  it('expires presence after the timeout and counts expected people in the overview', async () => {
    clock.set(at(D, '12:00:00', KIRI));
    const overview = await attendance.overview();
    expect(overview.date).toBe(D);
    expect(overview.timezone).toBe('Pacific/Kiritimati');
    // DAY expects E1..E6 (6), KTM expects K1 (started 09:00 Kathmandu = 17:15 Kiritimati: not yet), BURST 20 + B1.
    expect(overview.expected).toBeGreaterThanOrEqual(6);
    expect(overview.present).toBeGreaterThanOrEqual(3);

    clock.set(at(addDays(D, 6), '12:00:00', 0));
    const run = await maintenance.markMissed();
    expect(run.presenceExpired).toBeGreaterThan(0);
    const [onSite] = await ds.query(`SELECT count(*)::int AS n FROM attendance_records WHERE status = 'on-site'`);
    expect(onSite.n).toBe(0);
  });
});
