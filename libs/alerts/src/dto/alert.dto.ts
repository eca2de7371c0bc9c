import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, Matches } from 'class-validator';
import { PaginationQueryDto } from '@app/core';
import { AlertEntity } from '../entities/alert.entity';
import { NotificationEntity } from '../entities/notification.entity';

export const ALERT_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export const NOTIFICATION_LEVELS = ['info', 'warning', 'critical'] as const;
/** Alert ids: `ALERT-` and up to 44 letters, digits, `-` or `_` (e.g. ALERT-MJ2K1X0Q-3FA9C1). */
export const ALERT_ID_PATTERN = /^ALERT-[A-Za-z0-9_-]{1,44}$/;
/** Alert kinds: lower-case snake case (camera_offline, unknown_face, disk_pressure, ...). */
export const ALERT_KIND_PATTERN = /^[a-z][a-z0-9_]{0,49}$/;
const CAMERA_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,49}$/;

/** Query booleans: `true`/`false` (also 1/0); anything else stays as is and fails @IsBoolean. */
export const queryBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return value;
};

/** `a,b` or repeated parameters -> ['a','b'] (trimmed, empty parts dropped). */
const csvList = ({ value }: { value: unknown }): unknown => {
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]));
  return parts.map((p) => (typeof p === 'string' ? p.trim() : p)).filter((p) => p !== '');
};

export class AlertDto {
  id: string;
  title: string;
  description: string | null;
  @ApiProperty({ enum: ALERT_LEVELS })
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
  @ApiProperty({ enum: NOTIFICATION_LEVELS })
  level: string;
  /** For a broadcast: whether the caller acknowledged it. */
  acknowledged: boolean;
  link: string | null;
  timestamp: string;
  /** null = broadcast to every user */
  userId: string | null;
  source: string | null;

  /** `viewerId`: whose acknowledgement of a broadcast to show (none: as created). */
  static from(n: NotificationEntity, viewerId?: string): NotificationDto {
    const acknowledged = n.userId === null && viewerId !== undefined ? (n.acknowledgedBy ?? []).includes(viewerId) : n.acknowledged;
    return {
      id: n.id,
      title: n.title,
      message: n.message,
      level: n.level,
      acknowledged,
      link: n.link,
      timestamp: n.timestamp.toISOString(),
      userId: n.userId,
      source: n.source,
    };
  }
}

export class ListAlertsQueryDto extends PaginationQueryDto {
  /** One level or several, comma-separated: `high,critical`. */
  @ApiPropertyOptional({ type: String, description: 'low | medium | high | critical, or a comma-separated list' })
  @IsOptional()
  @Transform(csvList)
  @IsArray()
  @ArrayMaxSize(4)
  @IsIn(ALERT_LEVELS, { each: true })
  level?: Array<(typeof ALERT_LEVELS)[number]>;

  /** true: acknowledged only; false: not yet acknowledged. */
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  acknowledged?: boolean;

  /** Alerts about this camera. */
  @IsOptional()
  @Matches(CAMERA_ID_PATTERN, { message: 'cameraId must be a camera id like CAM-01' })
  cameraId?: string;

  /** What raised it, e.g. camera_offline. */
  @IsOptional()
  @Matches(ALERT_KIND_PATTERN, { message: 'kind must be lower-case snake case, e.g. camera_offline' })
  kind?: string;

  /** true: only alerts whose cause went away; false: only open ones. */
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  resolved?: boolean;

  /** true: muted only; false: not muted. */
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  muted?: boolean;
}

export class MuteAlertDto {
  /** Also mute every alert of this alert's kind (new ones are recorded but not pushed). */
  @IsOptional()
  @IsBoolean()
  kind?: boolean;
}

export class MutedKindsDto {
  /** Alert kinds whose new alerts are recorded but not pushed on the `alerts` channel. */
  kinds: string[];
}

export class ListNotificationsQueryDto extends PaginationQueryDto {
  /** true: acknowledged only; false: not yet acknowledged. */
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  acknowledged?: boolean;

  @IsOptional()
  @IsIn(NOTIFICATION_LEVELS)
  level?: (typeof NOTIFICATION_LEVELS)[number];
}

export const CLEAR_SCOPES = ['acknowledged', 'all'] as const;

export class ClearNotificationsQueryDto {
  /** `acknowledged`: only those you acknowledged; `all` (default): every notification in your list. */
  @IsOptional()
  @IsIn(CLEAR_SCOPES)
  scope?: (typeof CLEAR_SCOPES)[number];
}

export class ClearedNotificationsDto {
  /** How many notifications left the caller's list. */
  cleared: number;
}
