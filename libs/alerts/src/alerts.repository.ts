import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, In, IsNull, Not, Repository } from 'typeorm';
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

export interface AlertFilter {
  levels?: string[];
  acknowledged?: boolean;
  cameraId?: string;
  kind?: string;
  resolved?: boolean;
  muted?: boolean;
  skip: number;
  take: number;
}

export interface NotificationFilter {
  acknowledged?: boolean;
  level?: string;
  skip: number;
  take: number;
}

/**
 * Rows of an `UPDATE/DELETE ... RETURNING` run through `DataSource.query`: TypeORM's PostgreSQL
 * driver answers those as `[rows, affectedCount]` (other commands as `rows`).
 */
export function returnedRows<T>(raw: unknown): T[] {
  if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number') return raw[0] as T[];
  return raw as T[];
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
    const rows = returnedRows<{ id: string }>(
      await this.dataSource.query(
        `UPDATE alerts SET resolved_at = now(), updated_at = now() WHERE kind = $1 AND subject = $2 AND resolved_at IS NULL RETURNING id`,
        [kind, subject],
      ),
    );
    return rows[0] ? this.alerts.findOneBy({ id: rows[0].id }) : null;
  }

  findOpen(kind: string, subject: string): Promise<AlertEntity | null> {
    return this.alerts
      .createQueryBuilder('a')
      .where('a.kind = :kind AND a.subject = :subject AND a.resolved_at IS NULL', { kind, subject })
      .getOne();
  }

  private alertWhere(f: Omit<AlertFilter, 'skip' | 'take'>): Record<string, unknown> {
    const where: Record<string, unknown> = {};
    if (f.levels?.length) where.level = In(f.levels);
    if (f.acknowledged !== undefined) where.acknowledged = f.acknowledged;
    if (f.cameraId) where.cameraId = f.cameraId;
    if (f.kind) where.kind = f.kind;
    if (f.resolved !== undefined) where.resolvedAt = f.resolved ? Not(IsNull()) : IsNull();
    if (f.muted !== undefined) where.muted = f.muted;
    return where;
  }

  /** One page of the alerts matching the filter, newest first (ties by id). */
  pageAlerts(f: AlertFilter): Promise<AlertEntity[]> {
    return this.alerts.find({ where: this.alertWhere(f), order: { timestamp: 'DESC', id: 'DESC' }, skip: f.skip, take: f.take });
  }

  /** How many alerts match the filter. */
  countAlerts(f: Omit<AlertFilter, 'skip' | 'take'>): Promise<number> {
    return this.alerts.count({ where: this.alertWhere(f) });
  }

  findAlert(id: string): Promise<AlertEntity | null> {
    return this.alerts.findOneBy({ id });
  }

  /** Sets acknowledged/muted on one alert; returns it, or null when it does not exist. */
  async updateAlertFlags(id: string, flags: { acknowledged?: boolean; muted?: boolean }): Promise<AlertEntity | null> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    if (flags.acknowledged !== undefined) {
      params.push(flags.acknowledged);
      sets.push(`acknowledged = $${params.length}`);
    }
    if (flags.muted !== undefined) {
      params.push(flags.muted);
      sets.push(`muted = $${params.length}`);
    }
    if (sets.length === 0) return this.findAlert(id);
    const rows = returnedRows<{ id: string }>(
      await this.dataSource.query(`UPDATE alerts SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 RETURNING id`, params),
    );
    return rows[0] ? this.findAlert(id) : null;
  }

  /** Deletes one alert; false when it did not exist. */
  async deleteAlert(id: string): Promise<boolean> {
    const res = await this.alerts.delete({ id });
    return (res.affected ?? 0) > 0;
  }

  /** The caller's notifications and the broadcasts they have not cleared, newest first. */
  async listNotificationsFor(userId: string, f: NotificationFilter): Promise<[NotificationEntity[], number]> {
    const qb = this.notifications
      .createQueryBuilder('n')
      .where('(n.user_id = :userId OR (n.user_id IS NULL AND NOT (:userId = ANY(n.dismissed_by))))', { userId });
    if (f.acknowledged !== undefined) {
      qb.andWhere('(CASE WHEN n.user_id IS NULL THEN :userId = ANY(n.acknowledged_by) ELSE n.acknowledged END) = :ack', {
        ack: f.acknowledged,
      });
    }
    if (f.level) qb.andWhere('n.level = :level', { level: f.level });
    return qb.orderBy('n.timestamp', 'DESC').addOrderBy('n.id', 'DESC').skip(f.skip).take(f.take).getManyAndCount();
  }

  /**
   * Acknowledges a notification for this user: their own (the row's flag) or a broadcast they still
   * see (their id added to acknowledged_by). Null when it is neither (unknown, or someone else's).
   */
  async acknowledgeNotificationFor(id: string, userId: string): Promise<NotificationEntity | null> {
    const raw: unknown = await this.dataSource.query(
      `UPDATE notifications
          SET acknowledged = CASE WHEN user_id IS NULL THEN acknowledged ELSE true END,
              acknowledged_by = CASE
                WHEN user_id IS NULL AND NOT ($2 = ANY(acknowledged_by)) THEN array_append(acknowledged_by, $2::uuid)
                ELSE acknowledged_by END
        WHERE id = $1 AND (user_id = $2 OR (user_id IS NULL AND NOT ($2 = ANY(dismissed_by))))
        RETURNING id`,
      [id, userId],
    );
    return returnedRows<{ id: string }>(raw)[0] ? this.notifications.findOneBy({ id }) : null;
  }

  /**
   * Clears the caller's list: deletes their own notifications and hides broadcasts from them
   * (`acknowledgedOnly`: only those they acknowledged). Returns how many left the list.
   */
  async clearNotificationsFor(userId: string, acknowledgedOnly: boolean): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const own = returnedRows<{ id: string }>(
        await m.query(`DELETE FROM notifications WHERE user_id = $1 ${acknowledgedOnly ? 'AND acknowledged' : ''} RETURNING id`, [userId]),
      );
      const broadcasts = returnedRows<{ id: string }>(
        await m.query(
          `UPDATE notifications SET dismissed_by = array_append(dismissed_by, $1::uuid)
            WHERE user_id IS NULL AND NOT ($1 = ANY(dismissed_by)) ${acknowledgedOnly ? 'AND $1 = ANY(acknowledged_by)' : ''}
            RETURNING id`,
          [userId],
        ),
      );
      return own.length + broadcasts.length;
    });
  }

  async insertNotification(n: {
    userId: string | null;
    title: string;
    message: string | null;
    level: NotificationLevel;
    link: string | null;
    source: string | null;
  }): Promise<NotificationEntity> {
    return this.notifications.save(this.notifications.create({ ...n, acknowledged: false, timestamp: new Date() }));
  }
}
