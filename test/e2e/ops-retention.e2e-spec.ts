import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { JobsProducer, QUEUES } from '@app/queue';
import { StorageService } from '@app/storage';
import { ORPHAN_THUMBNAIL_GRACE_MS, RetentionService } from '@app/system';
import { createTestApp, TestContext } from '../support/test-app';
import { createTestWorker } from '../support/test-worker';
import { eventually } from '../support/ws-client';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Non-default periods: proves every period is a setting. */
const PERIODS = { detections: 60, unknown: 7, audit: 100, metrics: 10, alerts: 20 };

describe('retention: the cleanup job removes exactly what is past each period, files included', () => {
  let t: TestContext;
  let worker: INestApplicationContext;
  let ds: DataSource;
  let storage: StorageService;
  const ago = (ms: number): Date => new Date(Date.now() - ms);
  const put = async (key: string): Promise<string> => {
    await storage.put(key, Buffer.from(`file ${key}`), { contentType: 'image/jpeg' });
    return key;
  };
  const exists = async (key: string): Promise<boolean> => (await storage.stat(key)) !== null;

  beforeAll(async () => {
    t = await createTestApp({
      SITE_TIMEZONE: 'Europe/Berlin',
      RETENTION_DETECTIONS_DAYS: String(PERIODS.detections),
      RETENTION_UNKNOWN_FACE_THUMBNAILS_DAYS: String(PERIODS.unknown),
      RETENTION_AUDIT_DAYS: String(PERIODS.audit),
      RETENTION_METRICS_DAYS: String(PERIODS.metrics),
      RETENTION_ALERTS_DAYS: String(PERIODS.alerts),
    });
    ds = t.app.get(DataSource);
    storage = t.app.get(StorageService);
    await ds.query(`INSERT INTO cameras (id, name, location, stream_type) VALUES ('CAM-R1', 'Gate', 'North', 'RTSP')`);
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  it('schedules the job daily at 02:00 site time and metrics every interval', async () => {
    worker = await createTestWorker();
    const queue = t.app.get<Queue>(getQueueToken(QUEUES.maintenance));
    const schedulers = await eventually(
      () => queue.getJobSchedulers(),
      (s) => s.some((x) => x.key === 'cleanup') && s.some((x) => x.key === 'collect-metrics'),
    );
    expect(schedulers.find((s) => s.key === 'cleanup')).toMatchObject({ name: 'cleanup', pattern: '0 2 * * *', tz: 'Europe/Berlin' });
    expect(schedulers.find((s) => s.key === 'collect-metrics')).toMatchObject({ name: 'collect-metrics', every: 60000 });
    const next = (schedulers.find((s) => s.key === 'cleanup') as { next?: number }).next!;
    const berlin = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    }).format(new Date(next));
    expect(berlin).toBe('02:00');
  });

  it('deletes old detections with their thumbnails, unknown-face thumbnails sooner, old logs, expired exports with files, old metrics and closed alerts', async () => {
    const det = async (status: string, age: number, key: string | null): Promise<string> => {
      const id = randomUUID();
      await ds.query(
        `INSERT INTO detections (id, camera_id, confidence, timestamp, status, thumbnail, person_id) VALUES ($1, 'CAM-R1', 90, $2, $3, $4, $5)`,
        [id, ago(age), status, key, status === 'authorized' ? 'EMP-1' : null],
      );
      return id;
    };
    const D = PERIODS.detections * DAY;
    const U = PERIODS.unknown * DAY;
    const oldAuthorized = await det('authorized', D + HOUR, await put('thumbnails/old-authorized.jpg'));
    const oldNoThumb = await det('visitor', D + 5 * DAY, null);
    const oldUnknown = await det('unknown', D + HOUR, await put('thumbnails/old-unknown.jpg'));
    const keptAuthorized = await det('authorized', D - HOUR, await put('thumbnails/kept-authorized.jpg'));
    const unknownPastThumb = await det('unknown', U + HOUR, await put('thumbnails/unknown-past.jpg'));
    const unknownRecent = await det('unknown', U - HOUR, await put('thumbnails/unknown-recent.jpg'));
    const authorizedPastUnknownPeriod = await det('authorized', U + 5 * DAY, await put('thumbnails/authorized-mid.jpg'));

    for (const age of [D + HOUR, D - HOUR]) {
      await ds.query(`INSERT INTO detection_event_logs (camera_id, timestamp, status) VALUES ('CAM-R1', $1, 'received')`, [ago(age)]);
    }
    for (const age of [PERIODS.audit * DAY + HOUR, PERIODS.audit * DAY - HOUR]) {
      await ds.query(
        `INSERT INTO audit_logs (actor, action, message, severity, timestamp) VALUES ('seed', 'seed.old', 'seed', 'info', $1)`,
        [ago(age)],
      );
    }
    const expiredKey = await put('exports/attendance/expired.csv');
    const liveKey = await put('exports/attendance/live.csv');
    const expired = randomUUID();
    const live = randomUUID();
    const expiredNoFile = randomUUID();
    await ds.query(
      `INSERT INTO export_jobs (id, type, format, status, s3_key, expires_at) VALUES
       ($1, 'attendance', 'csv', 'completed', $2, $3), ($4, 'attendance', 'csv', 'completed', $5, $6), ($7, 'attendance', 'pdf', 'failed', NULL, $3)`,
      [expired, expiredKey, ago(HOUR), live, liveKey, new Date(Date.now() + HOUR), expiredNoFile],
    );
    for (const age of [PERIODS.metrics * DAY + HOUR, PERIODS.metrics * DAY - HOUR]) {
      await ds.query(`INSERT INTO system_metrics (category, label, value, unit, timestamp) VALUES ('cpu', 'CPU usage', 12.5, '%', $1)`, [
        ago(age),
      ]);
    }
    const A = PERIODS.alerts * DAY;
    const alert = async (
      id: string,
      age: number,
      resolved: boolean,
      acknowledged: boolean,
      thumbnail: string | null = null,
    ): Promise<string> => {
      await ds.query(
        `INSERT INTO alerts (id, title, level, timestamp, acknowledged, resolved_at, kind, subject, thumbnail) VALUES ($1, 'seed', 'low', $2, $3, $4, 'seed', $1, $5)`,
        [id, ago(age), acknowledged, resolved ? ago(age - 1000) : null, thumbnail],
      );
      return id;
    };
    await alert('ALERT-OLD-RESOLVED', A + HOUR, true, false);
    await alert('ALERT-OLD-ACKED', A + HOUR, false, true);
    await alert('ALERT-OLD-OPEN', A + HOUR, false, false);
    await alert('ALERT-RECENT-CLOSED', A - HOUR, true, true);
    await alert('ALERT-UNKNOWN-FACE', HOUR, false, false, 'thumbnails/unknown-past.jpg');
    for (const age of [A + HOUR, A - HOUR]) {
      await ds.query(`INSERT INTO notifications (title, level, timestamp) VALUES ('seed', 'info', $1)`, [ago(age)]);
    }

    const producer = t.app.get(JobsProducer);
    const jobId = await producer.enqueue('cleanup', { trigger: 'manual', requestedBy: 'ops-test' });
    const job = await eventually(
      () => producer.getJob(jobId),
      (j) => j?.status === 'completed' || j?.status === 'failed',
      30000,
    );
    expect(job?.error).toBeNull();
    const report = job!.result as { removed: Record<string, number>; cutoffs: Record<string, string> };
    expect(report.removed).toEqual({
      detections: 3,
      detectionThumbnails: 1,
      unknownFaceThumbnails: 2,
      orphanThumbnails: 0,
      detectionEventLogs: 1,
      auditLogs: 1,
      exports: 2,
      exportFiles: 1,
      systemMetrics: 1,
      alerts: 2,
      notifications: 1,
    });

    const ids = (await ds.query(`SELECT id, thumbnail FROM detections ORDER BY id`)) as Array<{ id: string; thumbnail: string | null }>;
    const rows = new Map(ids.map((r) => [r.id, r.thumbnail]));
    for (const gone of [oldAuthorized, oldNoThumb, oldUnknown]) expect(rows.has(gone)).toBe(false);
    expect(rows.get(keptAuthorized)).toBe('thumbnails/kept-authorized.jpg');
    expect(rows.get(unknownPastThumb)).toBeNull();
    expect(rows.has(unknownPastThumb)).toBe(true);
    expect(rows.get(unknownRecent)).toBe('thumbnails/unknown-recent.jpg');
    expect(rows.get(authorizedPastUnknownPeriod)).toBe('thumbnails/authorized-mid.jpg');

    for (const key of ['thumbnails/old-authorized.jpg', 'thumbnails/old-unknown.jpg', 'thumbnails/unknown-past.jpg', expiredKey])
      expect([key, await exists(key)]).toEqual([key, false]);
    for (const key of ['thumbnails/kept-authorized.jpg', 'thumbnails/unknown-recent.jpg', 'thumbnails/authorized-mid.jpg', liveKey])
      expect([key, await exists(key)]).toEqual([key, true]);

    // (only the seeded rows: other jobs of the worker may log events of their own meanwhile)
    expect(await ds.query(`SELECT count(*)::int AS n FROM detection_event_logs WHERE timestamp < now() - interval '1 day'`)).toEqual([
      { n: 1 },
    ]);
    expect(await ds.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'seed.old'`)).toEqual([{ n: 1 }]);
    expect((await ds.query(`SELECT id FROM export_jobs`)).map((r: { id: string }) => r.id)).toEqual([live]);
    expect(await ds.query(`SELECT count(*)::int AS n FROM system_metrics WHERE label = 'CPU usage' AND value = 12.5`)).toEqual([{ n: 1 }]);
    expect((await ds.query(`SELECT id FROM alerts WHERE kind = 'seed' ORDER BY id`)).map((r: { id: string }) => r.id)).toEqual([
      'ALERT-OLD-OPEN',
      'ALERT-RECENT-CLOSED',
      'ALERT-UNKNOWN-FACE',
    ]);
    expect(await ds.query(`SELECT thumbnail FROM alerts WHERE id = 'ALERT-UNKNOWN-FACE'`)).toEqual([{ thumbnail: null }]);
    expect(await ds.query(`SELECT count(*)::int AS n FROM notifications WHERE title = 'seed'`)).toEqual([{ n: 1 }]);

    const cut = (days: number): number => Date.now() - days * DAY;
    expect(Math.abs(Date.parse(report.cutoffs.detections) - cut(PERIODS.detections))).toBeLessThan(60_000);
    expect(Math.abs(Date.parse(report.cutoffs.unknownFaceThumbnails) - cut(PERIODS.unknown))).toBeLessThan(60_000);

    const [audit] = await ds.query(`SELECT actor, context FROM audit_logs WHERE action = 'retention.cleanup'`);
    expect(audit.actor).toBe('ops-test');
    expect(audit.context.removed).toEqual(report.removed);
    expect(audit.context.periods).toEqual({
      detectionsDays: 60,
      unknownFaceThumbnailsDays: 7,
      auditDays: 100,
      metricsDays: 10,
      alertsDays: 20,
    });

    // a second run finds nothing more
    const again = await producer.enqueue('cleanup', { trigger: 'manual' });
    const second = await eventually(
      () => producer.getJob(again),
      (j) => j?.status === 'completed',
      30000,
    );
    expect(Object.values((second!.result as { removed: Record<string, number> }).removed).every((n) => n === 0)).toBe(true);
  });

  it('removes detection crops nothing points at once they are older than the grace period, and nothing else', async () => {
    const orphan = await put(`thumbnails/${randomUUID()}.jpg`); // a job killed between the crop and its row
    const withRow = randomUUID();
    const referenced = await put(`thumbnails/${withRow}.jpg`);
    await ds.query(
      `INSERT INTO detections (id, camera_id, confidence, timestamp, status, thumbnail) VALUES ($1, 'CAM-R1', 90, now(), 'unknown', $2)`,
      [withRow, referenced],
    );
    const alertOnly = await put(`thumbnails/${randomUUID()}.jpg`);
    await ds.query(
      `INSERT INTO alerts (id, title, level, timestamp, acknowledged, kind, subject, thumbnail) VALUES ('ALERT-CROP', 'seed', 'low', now(), false, 'seed', 'x', $1)`,
      [alertOnly],
    );
    const attendanceOnly = await put(`thumbnails/${randomUUID()}.jpg`);
    await ds.query(
      `INSERT INTO attendance_records (id, person_id, name, status, timestamp, thumbnail) VALUES ('EMP-CROP', 'EMP-CROP', 'Crop', 'on-site', now(), $1)`,
      [attendanceOnly],
    );
    // its detection row exists but no longer points at it (the thumbnail was cleared)
    const cleared = randomUUID();
    const clearedCrop = await put(`thumbnails/${cleared}.jpg`);
    await ds.query(
      `INSERT INTO detections (id, camera_id, confidence, timestamp, status, thumbnail) VALUES ($1, 'CAM-R1', 90, now(), 'unknown', NULL)`,
      [cleared],
    );
    const notOurs = await put('thumbnails/operator-note.jpg');
    const retention = worker.get(RetentionService);

    // Within the grace period (a job may be about to write the row): kept.
    expect((await retention.run('manual', 'ops-test')).removed.orphanThumbnails).toBe(0);
    expect(await exists(orphan)).toBe(true);

    // As the cleanup of a day later sees it (the crops are past the grace period by then).
    const later = new Date(Date.now() + ORPHAN_THUMBNAIL_GRACE_MS + HOUR);
    expect((await retention.run('manual', 'ops-test', later)).removed.orphanThumbnails).toBe(2);
    for (const key of [orphan, clearedCrop]) expect([key, await exists(key)]).toEqual([key, false]);
    for (const key of [referenced, alertOnly, attendanceOnly, notOurs]) expect([key, await exists(key)]).toEqual([key, true]);
  });
});
