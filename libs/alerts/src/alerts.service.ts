import { Injectable } from '@nestjs/common';
import { RedisService, rootLogger } from '@app/core';
import { RealtimePublisher, alertEvent, notificationEvent } from '@app/realtime';
import { AlertsRepository } from './alerts.repository';
import type { AlertLevel } from './entities/alert.entity';
import type { NotificationLevel } from './entities/notification.entity';
import { AlertDto, NotificationDto } from './dto/alert.dto';

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
 * The one alert service every producer uses. An open alert of the same kind and subject is refreshed,
 * not duplicated; new alerts are published on the `alerts` channel unless their kind is muted.
 */
@Injectable()
export class AlertsService {
  constructor(
    private readonly repo: AlertsRepository,
    private readonly publisher: RealtimePublisher,
    private readonly redis: RedisService,
  ) {}

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
    if (created && !alert.muted && !(await this.isKindMuted(input.kind))) {
      await this.publisher.publish(alertEvent({ ...dto, cameraId: dto.cameraId ?? undefined }));
    }
    if (created) rootLogger().info({ alertId: dto.id, kind: input.kind, subject: input.subject }, 'alert raised');
    return { alert: dto, created };
  }

  /** Closes the open alert of this kind and subject (e.g. a camera came back). */
  async resolve(kind: string, subject: string): Promise<AlertDto | null> {
    const alert = await this.repo.resolveOpen(kind, subject);
    return alert ? AlertDto.from(alert) : null;
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
}
