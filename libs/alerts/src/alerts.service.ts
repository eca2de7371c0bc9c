import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Paginated, RedisService, VersionedCache, notFound, pageWindow, rootLogger, serviceUnavailable, unprocessable } from '@app/core';
import { RealtimePublisher, alertEvent, notificationEvent } from '@app/realtime';
import { AlertsRepository } from './alerts.repository';
import type { AlertLevel } from './entities/alert.entity';
import type { NotificationLevel } from './entities/notification.entity';
import {
  AlertDto,
  ClearNotificationsQueryDto,
  ClearedNotificationsDto,
  ListAlertsQueryDto,
  ListNotificationsQueryDto,
  MuteAlertDto,
  MutedKindsDto,
  NotificationDto,
} from './dto/alert.dto';

export interface RaiseAlert {
  /** What raised it: camera_offline, unknown_face, provider_degraded, odoo_sync_failures, disk_pressure, ... */
  kind: string;
  /** What it is about (camera id, provider, ...): one open alert per kind + subject. */
  subject: string;
  title: string;
  description?: string;
  level: AlertLevel;
  cameraId?: string | null;
  thumbnail?: string | null;
  tags?: string[];
}

/** Redis set of muted alert kinds: alerts of a muted kind are still recorded but not pushed. */
export const MUTED_KINDS_KEY = 'alerts:muted-kinds';

/**
 * GET /alerts pages, and the total of each filter (shared by its pages), are cached in Redis under
 * the current list version (VersionedCache 'alerts'); every change to the alerts table made through
 * this service bumps the version, so a cached page is never served after a change (any api
 * process). Entries also expire on their own.
 */
const ALERTS_CACHE_TTL_SECONDS = 30;

interface CachedPage {
  items: AlertDto[];
  meta: Paginated<AlertDto>['meta'];
}

/**
 * The one alert service every producer uses. An open alert of the same kind and subject is refreshed,
 * not duplicated; new alerts are published on the `alerts` channel unless their kind is muted.
 */
@Injectable()
export class AlertsService {
  constructor(
    private readonly repo: AlertsRepository,
    private readonly publisher: RealtimePublisher,
    private readonly redis: RedisService,
  ) {
    this.listCache = new VersionedCache<CachedPage | number>(redis, 'alerts', ALERTS_CACHE_TTL_SECONDS);
  }

  private readonly listCache: VersionedCache<CachedPage | number>;

  async raise(input: RaiseAlert): Promise<{ alert: AlertDto; created: boolean }> {
    const { alert, created } = await this.repo.upsertOpen({
      kind: input.kind,
      subject: input.subject.slice(0, 100),
      title: input.title.slice(0, 255),
      description: input.description ?? null,
      level: input.level,
      cameraId: input.cameraId ?? null,
      thumbnail: input.thumbnail ?? null,
      tags: input.tags ?? [input.kind],
    });
    const dto = AlertDto.from(alert);
    await this.bumpListVersion();
    if (created && !alert.muted && !(await this.isKindMuted(input.kind))) {
      await this.publisher.publish(alertEvent({ ...dto, cameraId: dto.cameraId ?? undefined }));
    }
    if (created) rootLogger().info({ alertId: dto.id, kind: input.kind, subject: input.subject }, 'alert raised');
    return { alert: dto, created };
  }

  /** Closes the open alert of this kind and subject (e.g. a camera came back). */
  async resolve(kind: string, subject: string): Promise<AlertDto | null> {
    const alert = await this.repo.resolveOpen(kind, subject);
    if (!alert) return null;
    await this.bumpListVersion();
    return AlertDto.from(alert);
  }

  /** Alerts, newest first, filtered by level(s), acknowledged, camera, kind, resolved, muted. */
  async list(q: ListAlertsQueryDto): Promise<Paginated<AlertDto>> {
    const { page, pageSize, skip, take } = pageWindow(q);
    const filter = {
      levels: q.level?.length ? [...new Set(q.level)].sort() : undefined,
      acknowledged: q.acknowledged,
      cameraId: q.cameraId,
      kind: q.kind,
      resolved: q.resolved,
      muted: q.muted,
    };
    const filterHash = createHash('sha1').update(JSON.stringify(filter)).digest('base64url');
    const pageVariant = `page:${filterHash}:${page}:${pageSize}`;
    const countVariant = `count:${filterHash}`;
    const cached = await this.listCache.readAll([pageVariant, countVariant]);
    const [cachedPage, cachedCount] = cached?.values ?? [];
    if (typeof cachedPage === 'object') return new Paginated(cachedPage.items, cachedPage.meta);
    const cachedTotal = typeof cachedCount === 'number' ? cachedCount : undefined;
    const [total, rows] = await Promise.all([
      cachedTotal ?? this.repo.countAlerts(filter),
      cachedTotal !== undefined && skip >= cachedTotal ? [] : this.repo.pageAlerts({ ...filter, skip, take }),
    ]);
    const result = Paginated.of(
      rows.map((a) => AlertDto.from(a)),
      total,
      page,
      pageSize,
    );
    if (cached) {
      const pageEntry: CachedPage = { items: result.items, meta: result.meta };
      await this.listCache.writeAll(
        cached.version,
        cachedTotal === undefined
          ? [
              [countVariant, total],
              [pageVariant, pageEntry],
            ]
          : [[pageVariant, pageEntry]],
      );
    }
    return result;
  }

  async acknowledge(id: string): Promise<AlertDto> {
    return this.setFlags(id, { acknowledged: true });
  }

  /** Mutes one alert; with `kind: true` also mutes its kind (new alerts of it are not pushed). */
  async mute(id: string, dto: MuteAlertDto = {}): Promise<AlertDto> {
    const alert = await this.setFlags(id, { muted: true });
    if (dto.kind) await this.setKindMuted(alert, true);
    return alert;
  }

  /** Unmutes one alert; with `kind: true` also unmutes its kind. */
  async unmute(id: string, dto: MuteAlertDto = {}): Promise<AlertDto> {
    const alert = await this.setFlags(id, { muted: false });
    if (dto.kind) await this.setKindMuted(alert, false);
    return alert;
  }

  async remove(id: string): Promise<void> {
    if (!(await this.repo.deleteAlert(id))) throw notFound('Alert', id);
    await this.bumpListVersion();
  }

  async mutedKinds(): Promise<MutedKindsDto> {
    try {
      return { kinds: (await this.redis.client.smembers(MUTED_KINDS_KEY)).sort() };
    } catch (err) {
      throw serviceUnavailable('Redis is unavailable: cannot read muted alert kinds', { reason: (err as Error).message });
    }
  }

  /** Forget every cached alert page (after changes made outside this service, e.g. retention). */
  async invalidateListCache(): Promise<void> {
    await this.bumpListVersion();
  }

  private async setFlags(id: string, flags: { acknowledged?: boolean; muted?: boolean }): Promise<AlertDto> {
    const alert = await this.repo.updateAlertFlags(id, flags);
    if (!alert) throw notFound('Alert', id);
    await this.bumpListVersion();
    return AlertDto.from(alert);
  }

  private async setKindMuted(alert: AlertDto, muted: boolean): Promise<void> {
    if (!alert.kind) throw unprocessable(`Alert '${alert.id}' has no kind to ${muted ? 'mute' : 'unmute'}`);
    try {
      if (muted) await this.redis.client.sadd(MUTED_KINDS_KEY, alert.kind);
      else await this.redis.client.srem(MUTED_KINDS_KEY, alert.kind);
    } catch (err) {
      throw serviceUnavailable(`Redis is unavailable: cannot ${muted ? 'mute' : 'unmute'} kind '${alert.kind}'`, {
        reason: (err as Error).message,
      });
    }
  }

  private async bumpListVersion(): Promise<void> {
    await this.listCache.invalidate();
  }

  async isOpen(kind: string, subject: string): Promise<boolean> {
    return (await this.repo.findOpen(kind, subject)) !== null;
  }

  async isKindMuted(kind: string): Promise<boolean> {
    try {
      return (await this.redis.client.sismember(MUTED_KINDS_KEY, kind)) === 1;
    } catch {
      return false;
    }
  }
}

export interface Notify {
  /** null = every user */
  userId: string | null;
  title: string;
  message?: string;
  level: NotificationLevel;
  link?: string;
  source?: string;
}

/** Per-user (or broadcast) notifications, stored and pushed on the `notifications` channel. */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly repo: AlertsRepository,
    private readonly publisher: RealtimePublisher,
  ) {}

  async notify(n: Notify): Promise<NotificationDto> {
    const row = await this.repo.insertNotification({
      userId: n.userId,
      title: n.title.slice(0, 255),
      message: n.message ?? null,
      level: n.level,
      link: n.link ?? null,
      source: n.source ?? null,
    });
    const dto = NotificationDto.from(row);
    await this.publisher.publish(notificationEvent({ ...dto }, n.userId));
    return dto;
  }

  /** The caller's notifications and the broadcasts they have not cleared, newest first. */
  async listFor(userId: string, q: ListNotificationsQueryDto): Promise<Paginated<NotificationDto>> {
    const { page, pageSize, skip, take } = pageWindow(q);
    const [rows, total] = await this.repo.listNotificationsFor(userId, { acknowledged: q.acknowledged, level: q.level, skip, take });
    return Paginated.of(
      rows.map((n) => NotificationDto.from(n, userId)),
      total,
      page,
      pageSize,
    );
  }

  /** Acknowledge one of the caller's notifications (or a broadcast, for them only); 404 for others'. */
  async acknowledgeFor(userId: string, id: string): Promise<NotificationDto> {
    const row = await this.repo.acknowledgeNotificationFor(id, userId);
    if (!row) throw notFound('Notification', id);
    return NotificationDto.from(row, userId);
  }

  /** Clear the caller's list (`scope=acknowledged`: only what they acknowledged). Never touches others'. */
  async clearFor(userId: string, q: ClearNotificationsQueryDto): Promise<ClearedNotificationsDto> {
    return { cleared: await this.repo.clearNotificationsFor(userId, q.scope === 'acknowledged') };
  }
}
