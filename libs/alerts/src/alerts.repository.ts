import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, Repository } from 'typeorm';
import { AlertEntity, AlertLevel } from './entities/alert.entity';
import { NotificationEntity, NotificationLevel } from './entities/notification.entity';

export interface RaiseAlertRow {
  kind: string;
  subject: string;
  title: string;
  description: string | null;
  level: AlertLevel;
  cameraId: string | null;
  thumbnail: string | null;
  tags: string[];
}

/** Sortable, unique alert ids: ALERT-<time base36>-<random>. */
export function newAlertId(now = Date.now()): string {
  return `ALERT-${now.toString(36).toUpperCase()}-${randomBytes(3).toString('hex').toUpperCase()}`;
}

@Injectable()
export class AlertsRepository {
  readonly alerts: Repository<AlertEntity>;
  readonly notifications: Repository<NotificationEntity>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.alerts = dataSource.getRepository(AlertEntity);
    this.notifications = dataSource.getRepository(NotificationEntity);
  }

  /**
   * Inserts an open alert for (kind, subject) or, when one is already open, refreshes it (time,
   * description, level) instead of adding another. `created` tells which happened.
   */
  async upsertOpen(row: RaiseAlertRow): Promise<{ alert: AlertEntity; created: boolean }> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `INSERT INTO alerts (id, title, description, level, timestamp, camera_id, tags, kind, subject, thumbnail)
       VALUES ($1, $2, $3, $4, now(), $5, $6::jsonb, $7, $8, $9)
       ON CONFLICT (kind, subject) WHERE resolved_at IS NULL AND kind IS NOT NULL
       DO UPDATE SET timestamp = now(), description = EXCLUDED.description, level = EXCLUDED.level,
                     thumbnail = COALESCE(EXCLUDED.thumbnail, alerts.thumbnail), updated_at = now()
       RETURNING id, (xmax = 0) AS inserted`,
      [newAlertId(), row.title, row.description, row.level, row.cameraId, JSON.stringify(row.tags), row.kind, row.subject, row.thumbnail],
    );
    const id = String(rows[0].id);
    const alert = await this.alerts.findOneByOrFail({ id });
    return { alert, created: rows[0].inserted === true };
  }

  /** Marks the open alert of (kind, subject) resolved; returns it, or null when none was open. */
  async resolveOpen(kind: string, subject: string): Promise<AlertEntity | null> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `UPDATE alerts SET resolved_at = now(), updated_at = now() WHERE kind = $1 AND subject = $2 AND resolved_at IS NULL RETURNING id`,
      [kind, subject],
    );
    return rows[0] ? this.alerts.findOneBy({ id: rows[0].id }) : null;
  }

  findOpen(kind: string, subject: string): Promise<AlertEntity | null> {
    return this.alerts.createQueryBuilder('a').where('a.kind = :kind AND a.subject = :subject AND a.resolved_at IS NULL', { kind, subject }).getOne();
  }

  async insertNotification(n: { userId: string | null; title: string; message: string | null; level: NotificationLevel; link: string | null; source: string | null }): Promise<NotificationEntity> {
    return this.notifications.save(this.notifications.create({ ...n, acknowledged: false, timestamp: new Date() }));
  }
}
