import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PaginationQueryDto } from '@app/core';
import type { OdooConfigEntity } from '../entities/odoo-config.entity';
import type { OdooSyncLogEntity } from '../entities/odoo-sync-log.entity';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);
/** Blank optional text becomes null (cleared). */
const trimToNull = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const t = value.trim();
  return t === '' ? null : t;
};

export const ODOO_STATUSES = ['connected', 'disconnected', 'error'] as const;
export const ODOO_MATCH_FIELDS = ['barcode', 'identification_id'] as const;
export const ODOO_PROTOCOLS = ['jsonrpc', 'json2'] as const;
export const ODOO_SYNC_RESULTS = ['success', 'failure'] as const;
export const ODOO_SYNC_ACTIONS = ['create', 'adopt', 'check_out', 'reconcile', 'none'] as const;

/** The Odoo connection settings and sync counters. The API key is never returned: `***` when set, null when not. */
export class OdooConfigDto {
  /** e.g. https://odoo.example.com */
  baseUrl: string;
  /** Odoo database name. */
  database: string;
  company: string | null;
  /** The Odoo user (login) the API key belongs to. */
  login: string | null;
  /** `***` when a key is stored, null when none. */
  @ApiProperty({ type: String, nullable: true, example: '***' })
  apiKey: string | null;
  /** Push pending attendance every 30 minutes. */
  autoSync: boolean;
  @ApiProperty({ enum: ODOO_STATUSES })
  status: string;
  /** End of the last sync run that reached Odoo (ISO-8601 UTC). */
  lastSync: string | null;
  /** Attendance logs waiting to be pushed. */
  pendingCount: number;
  /** Attendance logs whose last push failed. */
  failureCount: number;
  /** hr.employee field holding our employee id. */
  @ApiProperty({ enum: ODOO_MATCH_FIELDS })
  employeeMatchField: string;
  /** jsonrpc (Odoo 8 and later) or json2 (the JSON-2 API of Odoo 19+). */
  @ApiProperty({ enum: ODOO_PROTOCOLS })
  protocol: string;
  /** An alert is raised when more logs than this have failed to sync (0 = at the first failure). */
  failureAlertThreshold: number;
  updatedAt: string;

  static from(c: OdooConfigEntity, counts: { pending: number; failed: number }, maskedKey: string | null): OdooConfigDto {
    return {
      baseUrl: c.baseUrl,
      database: c.database,
      company: c.company,
      login: c.login,
      apiKey: maskedKey,
      autoSync: c.autoSync,
      status: c.status,
      lastSync: c.lastSync ? c.lastSync.toISOString() : null,
      pendingCount: counts.pending,
      failureCount: counts.failed,
      employeeMatchField: c.employeeMatchField,
      protocol: c.protocol,
      failureAlertThreshold: c.failureAlertThreshold,
      updatedAt: c.updatedAt.toISOString(),
    };
  }
}

/**
 * Changes to the Odoo settings; omitted fields keep their value. `apiKey`: a new key, `***` (or
 * omitted) to keep the stored one, null or empty to remove it.
 */
export class UpdateOdooConfigDto {
  /** http(s) URL of the Odoo server, e.g. https://odoo.example.com */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(2048)
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'baseUrl must be an http(s) URL' })
  baseUrl?: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  database?: string;

  @IsOptional()
  @Transform(trimToNull)
  @IsString()
  @MaxLength(255)
  company?: string | null;

  /** Login of the Odoo user the API key belongs to. */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  login?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: "New key; '***' or omitted keeps the stored one; null or '' removes it.",
  })
  @IsOptional()
  @Transform(trimToNull)
  @IsString()
  @MaxLength(256)
  apiKey?: string | null;

  @IsOptional()
  @IsBoolean()
  autoSync?: boolean;

  @ApiPropertyOptional({ enum: ODOO_MATCH_FIELDS })
  @IsOptional()
  @IsIn(ODOO_MATCH_FIELDS)
  employeeMatchField?: 'barcode' | 'identification_id';

  @ApiPropertyOptional({ enum: ODOO_PROTOCOLS })
  @IsOptional()
  @IsIn(ODOO_PROTOCOLS)
  protocol?: 'jsonrpc' | 'json2';

  /** 0..100000: an alert is raised when more logs than this have failed. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100000)
  failureAlertThreshold?: number;
}

/** Result of POST /odoo/test. */
export class OdooTestResultDto {
  @ApiProperty({ enum: ODOO_STATUSES })
  status: string;
  /** e.g. '19.0'; null when the server could not be reached. */
  serverVersion: string | null;
  /** Round trip of the authentication call, in ms; null when it did not complete. */
  latencyMs: number | null;
  message: string;
}

/** Start a sync of pending logs, or of the given logs. */
export class StartOdooSyncDto {
  /** Attendance log ids to push (1..1000); all logs waiting to be pushed when omitted. */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(50, { each: true })
  recordIds?: string[];

  /** Also retry logs whose last push failed (they are otherwise retried once they change). */
  @IsOptional()
  @IsBoolean()
  retryFailed?: boolean;
}

/** A sync was queued, or one already queued or running answers for this request. */
export class OdooSyncAcceptedDto {
  /** Job id, for GET /jobs/{id}. */
  jobId: string;
  @ApiProperty({ enum: ['queued', 'active'] })
  status: string;
  /** True when an identical sync already queued or running was returned instead of adding another. */
  deduplicated: boolean;
}

export class OdooStatusDto {
  @ApiProperty({ enum: ODOO_STATUSES })
  status: string;
  autoSync: boolean;
  lastSync: string | null;
  pendingCount: number;
  failedCount: number;
  syncedCount: number;
  /** A sync is running now (in any worker). */
  running: boolean;
  runningJobId: string | null;
  runningSince: string | null;
  /** Sync jobs waiting in the queue. */
  queuedJobs: number;
  /** Next automatic sync (when autoSync is on). */
  nextScheduledSync: string | null;
}

export class ListOdooSyncLogsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: ODOO_SYNC_RESULTS })
  @IsOptional()
  @IsIn(ODOO_SYNC_RESULTS)
  result?: 'success' | 'failure';

  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  employeeId?: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  attendanceLogId?: string;

  /** ISO-8601 instant: rows at or after it. */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 date or date-time' })
  from?: string;

  /** ISO-8601 instant: rows at or before it. */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 date or date-time' })
  to?: string;
}

export class OdooSyncLogDto {
  id: string;
  timestamp: string;
  employeeId: string;
  @ApiProperty({ enum: ODOO_SYNC_RESULTS })
  result: string;
  message: string | null;
  attendanceLogId: string | null;
  @ApiProperty({ enum: ODOO_SYNC_ACTIONS, nullable: true })
  action: string | null;

  static from(s: OdooSyncLogEntity): OdooSyncLogDto {
    return {
      id: s.id,
      timestamp: s.timestamp.toISOString(),
      employeeId: s.employeeId,
      result: s.result,
      message: s.message,
      attendanceLogId: s.attendanceLogId,
      action: s.action,
    };
  }
}
