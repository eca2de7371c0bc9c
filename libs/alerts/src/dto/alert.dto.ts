import { AlertEntity } from '../entities/alert.entity';
import { NotificationEntity } from '../entities/notification.entity';

export class AlertDto {
  id: string;
  title: string;
  description: string | null;
  /** low | medium | high | critical */
  level: string;
  timestamp: string;
  cameraId: string | null;
  acknowledged: boolean;
  muted: boolean;
  tags: string[];
  /** What raised it (camera_offline, unknown_face, provider_degraded, odoo_sync_failures, ...). */
  kind: string | null;
  subject: string | null;
  resolvedAt: string | null;
  thumbnail: string | null;

  static from(a: AlertEntity): AlertDto {
    return {
      id: a.id,
      title: a.title,
      description: a.description,
      level: a.level,
      timestamp: a.timestamp.toISOString(),
      cameraId: a.cameraId,
      acknowledged: a.acknowledged,
      muted: a.muted,
      tags: a.tags,
      kind: a.kind,
      subject: a.subject,
      resolvedAt: a.resolvedAt ? a.resolvedAt.toISOString() : null,
      thumbnail: a.thumbnail,
    };
  }
}

export class NotificationDto {
  id: string;
  title: string;
  message: string | null;
  /** info | warning | critical */
  level: string;
  acknowledged: boolean;
  link: string | null;
  timestamp: string;
  /** null = broadcast to every user */
  userId: string | null;
  source: string | null;

  static from(n: NotificationEntity): NotificationDto {
    return {
      id: n.id,
      title: n.title,
      message: n.message,
      level: n.level,
      acknowledged: n.acknowledged,
      link: n.link,
      timestamp: n.timestamp.toISOString(),
      userId: n.userId,
      source: n.source,
    };
  }
}
