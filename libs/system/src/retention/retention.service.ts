import { Injectable } from '@nestjs/common';
import { EnvDto, rootLogger } from '@app/core';
import { StorageService } from '@app/storage';
import { AuditService } from '@app/audit';
import { AlertsService } from '@app/alerts';
import { KeyedRow, RetentionRepository } from './retention.repository';

const DAY_MS = 86_400_000;
const BATCH = 1000;
/**
 * A crop younger than this may still get its row: a crop is stored when a track opens, its row
 * when the track is decided, at the latest when the track closes or its state expires from Redis
 * (3 x debounceSeconds + 60 s; debounceSeconds is at most 3,600 s, so about 3 h).
 */
export const ORPHAN_THUMBNAIL_GRACE_MS = 6 * 3_600_000;
const DETECTION_THUMBNAIL = /^thumbnails\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.jpg$/;

export interface RetentionPeriods {
  detectionsDays: number;
  unknownFaceThumbnailsDays: number;
  auditDays: number;
  metricsDays: number;
  alertsDays: number;
}

export interface RetentionReport {
  handled: true;
  ranAt: string;
  /** Everything older than these instants was removed. */
  cutoffs: { detections: string; unknownFaceThumbnails: string; audit: string; metrics: string; alerts: string };
  removed: {
    detections: number;
    detectionThumbnails: number;
    unknownFaceThumbnails: number;
    orphanThumbnails: number;
    detectionEventLogs: number;
    auditLogs: number;
    exports: number;
    exportFiles: number;
    systemMetrics: number;
    alerts: number;
    notifications: number;
  };
  durationMs: number;
}

/** Object keys of rows (null and URL-like values are not ours to delete). */
function keysOf(rows: readonly KeyedRow[]): string[] {
  return [...new Set(rows.map((r) => r.key).filter((k): k is string => !!k && !/^[a-z]+:\/\//i.test(k)))];
}

/**
 * The daily `cleanup` job: removes what is past its retention period (RETENTION_* settings):
 * detections with their thumbnails and detection event logs, thumbnails of unknown faces (sooner),
 * detection crops nothing points at (older than ORPHAN_THUMBNAIL_GRACE_MS), audit logs, expired exports with their files, system metrics, and closed alerts and notifications.
 * Objects are deleted before the rows pointing at them. Reports counts as the job result and in an
 * audit row.
 */
@Injectable()
export class RetentionService {
  private readonly log = rootLogger().child({ context: 'Retention' });

  constructor(
    private readonly env: EnvDto,
    private readonly repo: RetentionRepository,
    private readonly storage: StorageService,
    private readonly audit: AuditService,
    private readonly alerts: AlertsService,
  ) {}

  periods(): RetentionPeriods {
    return {
      detectionsDays: this.env.RETENTION_DETECTIONS_DAYS,
      unknownFaceThumbnailsDays: this.env.RETENTION_UNKNOWN_FACE_THUMBNAILS_DAYS,
      auditDays: this.env.RETENTION_AUDIT_DAYS,
      metricsDays: this.env.RETENTION_METRICS_DAYS,
      alertsDays: this.env.RETENTION_ALERTS_DAYS,
    };
  }

  async run(trigger: 'manual' | 'scheduled', requestedBy?: string, now = new Date()): Promise<RetentionReport> {
    const started = performance.now();
    const p = this.periods();
    const before = (days: number): Date => new Date(now.getTime() - days * DAY_MS);
    const cut = {
      detections: before(p.detectionsDays),
      unknownFaceThumbnails: before(p.unknownFaceThumbnailsDays),
      audit: before(p.auditDays),
      metrics: before(p.metricsDays),
      alerts: before(p.alertsDays),
    };
    const removed: RetentionReport['removed'] = {
      detections: 0,
      detectionThumbnails: 0,
      unknownFaceThumbnails: 0,
      orphanThumbnails: 0,
      detectionEventLogs: 0,
      auditLogs: 0,
      exports: 0,
      exportFiles: 0,
      systemMetrics: 0,
      alerts: 0,
      notifications: 0,
    };

    // 1. Unknown faces lose their thumbnail sooner than detections their row.
    for (;;) {
      const rows = await this.repo.unknownThumbnailsBefore(cut.unknownFaceThumbnails, BATCH);
      if (rows.length === 0) break;
      const keys = keysOf(rows);
      await this.storage.removeMany(keys);
      await this.repo.clearThumbnails(
        rows.map((r) => r.id),
        keys,
      );
      removed.unknownFaceThumbnails += keys.length;
      if (rows.length < BATCH) break;
    }

    // 2. Detections, their thumbnails, and detection event logs.
    for (;;) {
      const rows = await this.repo.detectionsBefore(cut.detections, BATCH);
      if (rows.length === 0) break;
      const keys = keysOf(rows);
      await this.storage.removeMany(keys);
      removed.detectionThumbnails += keys.length;
      removed.detections += await this.repo.deleteDetections(
        rows.map((r) => r.id),
        keys,
      );
      if (rows.length < BATCH) break;
    }
    removed.detectionEventLogs = await this.repo.deleteOlder('detection_event_logs', 'timestamp', cut.detections, BATCH);

    // 2b. Face crops nothing points at (a detection job killed between the crop and its row).
    // A failure here (object storage unreachable) must not stop the rest of the cleanup.
    removed.orphanThumbnails = await this.removeOrphanThumbnails(new Date(now.getTime() - ORPHAN_THUMBNAIL_GRACE_MS)).catch(
      (err: unknown) => {
        this.log.warn({ err: (err as Error).message }, 'could not sweep unreferenced detection crops; next run tries again');
        return 0;
      },
    );

    // 3. Expired exports and their files.
    for (;;) {
      const rows = await this.repo.expiredExports(now, BATCH);
      if (rows.length === 0) break;
      const keys = keysOf(rows);
      await this.storage.removeMany(keys);
      removed.exportFiles += keys.length;
      removed.exports += await this.repo.deleteExports(rows.map((r) => r.id));
      if (rows.length < BATCH) break;
    }

    // 4. Audit logs, metrics, closed alerts, notifications.
    removed.auditLogs = await this.repo.deleteOlder('audit_logs', 'timestamp', cut.audit, BATCH);
    removed.systemMetrics = await this.repo.deleteOlder('system_metrics', 'timestamp', cut.metrics, BATCH);
    removed.alerts = await this.repo.deleteOlder('alerts', 'timestamp', cut.alerts, BATCH, 'AND (resolved_at IS NOT NULL OR acknowledged)');
    removed.notifications = await this.repo.deleteOlder('notifications', 'timestamp', cut.alerts, BATCH);
    if (removed.alerts > 0 || removed.unknownFaceThumbnails > 0 || removed.detections > 0) await this.alerts.invalidateListCache();

    const report: RetentionReport = {
      handled: true,
      ranAt: now.toISOString(),
      cutoffs: {
        detections: cut.detections.toISOString(),
        unknownFaceThumbnails: cut.unknownFaceThumbnails.toISOString(),
        audit: cut.audit.toISOString(),
        metrics: cut.metrics.toISOString(),
        alerts: cut.alerts.toISOString(),
      },
      removed,
      durationMs: Math.round(performance.now() - started),
    };
    const total = Object.values(removed).reduce((a, b) => a + b, 0);
    await this.audit.record({
      actor: requestedBy ?? 'system',
      action: 'retention.cleanup',
      resourceType: 'retention',
      message: `Retention cleanup (${trigger}) removed ${total} item(s)`,
      context: { trigger, periods: p, cutoffs: report.cutoffs, removed },
      severity: 'info',
    });
    this.log.info({ trigger, removed, durationMs: report.durationMs }, 'retention cleanup done');
    return report;
  }

  /** Deletes detection crops older than `before` that no detection or alert points at; returns how many. */
  private async removeOrphanThumbnails(before: Date): Promise<number> {
    let removed = 0;
    let batch: string[] = [];
    const flush = async (): Promise<void> => {
      const orphans = await this.repo.unreferencedThumbnails(batch);
      batch = [];
      if (orphans.length === 0) return;
      await this.storage.removeMany(orphans);
      removed += orphans.length;
      this.log.info({ count: orphans.length, sample: orphans.slice(0, 3) }, 'removed unreferenced detection crops');
    };
    for await (const { key, lastModified } of this.storage.listObjects('thumbnails/')) {
      if (!DETECTION_THUMBNAIL.test(key) || !lastModified || lastModified >= before) continue;
      batch.push(key);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    return removed;
  }
}
