import { Transform, Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '@app/core';
import { AuditLogEntity } from '../entities/audit-log.entity';

export const AUDIT_SEVERITIES = ['info', 'warning', 'critical'] as const;

export class AuditLogDto {
  id: string;
  actor: string;
  actorRole: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  message: string;
  context: Record<string, unknown> | null;
  severity: string;
  ipAddress: string | null;
  userAgent: string | null;
  timestamp: string;

  static from(a: AuditLogEntity): AuditLogDto {
    return {
      id: a.id,
      actor: a.actor,
      actorRole: a.actorRole,
      action: a.action,
      resourceType: a.resourceType,
      resourceId: a.resourceId,
      message: a.message,
      context: a.context,
      severity: a.severity,
      ipAddress: a.ipAddress,
      userAgent: a.userAgent,
      timestamp: a.timestamp.toISOString(),
    };
  }
}

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class ListAuditQueryDto extends PaginationQueryDto {
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(255)
  actor?: string;

  /** e.g. `cameras.create`, `auth.login_failed` */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  action?: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(50)
  resourceType?: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  resourceId?: string;

  @IsOptional()
  @IsIn(AUDIT_SEVERITIES)
  severity?: 'info' | 'warning' | 'critical';

  /** ISO-8601 lower bound (inclusive). */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  from?: Date;

  /** ISO-8601 upper bound (inclusive). */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  to?: Date;

  /** Text in the message. */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  search?: string;
}
