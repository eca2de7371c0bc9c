import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PaginationQueryDto } from '@app/core';
import type { AttendanceLogEntity } from '../entities/attendance-log.entity';
import { IsCalendarDate, ISO_INSTANT, trim } from './validators';

export const ATTENDANCE_STATUSES = ['present', 'late', 'missed'] as const;
export const ODOO_STATUSES = ['synced', 'pending', 'failed'] as const;
export const LOG_SOURCES = ['auto', 'manual'] as const;
export const PRESENCE_STATUSES = ['on-site', 'off-site', 'remote'] as const;

const ID_CHARS = /^[A-Za-z0-9_.:-]{1,50}$/;

/** One person's attendance for one shift instance (or one day without shift, or a manual entry). */
export class AttendanceLogDto {
  /** e.g. ATT-20251105-001 */
  id: string;
  employeeId: string;
  name: string;
  department: string | null;
  /** YYYY-MM-DD: the day the shift started (site timezone). */
  date: string;
  /** HH:MM:SS wall clock of the first sighting, null when missed. */
  timeIn: string | null;
  /** HH:MM:SS wall clock of the last sighting, null until a second sighting. */
  timeOut: string | null;
  cameraId: string | null;
  cameraName: string | null;
  /** Best recognition confidence, 0..100. */
  accuracy: number | null;
  @ApiProperty({ enum: ATTENDANCE_STATUSES })
  status: string;
  @ApiProperty({ enum: ODOO_STATUSES })
  odooStatus: string;
  /** ISO-8601 UTC of the last successful sync. */
  odooSyncTime: string | null;
  /** addition: 'auto' from detections, 'manual' = an operator's override. */
  @ApiProperty({ enum: LOG_SOURCES })
  source: string;
  /** addition: the operator's note of a manual entry. */
  note: string | null;
  /** addition: the shift the log belongs to (null = no shift that day). */
  shiftId: string | null;
  /** addition: exact instants behind timeIn / timeOut (ISO-8601 UTC). */
  checkInAt: string | null;
  checkOutAt: string | null;

  static from(l: AttendanceLogEntity): AttendanceLogDto {
    return {
      id: l.id,
      employeeId: l.employeeId,
      name: l.name,
      department: l.department,
      date: l.date,
      timeIn: l.timeIn,
      timeOut: l.timeOut,
      cameraId: l.cameraId,
      cameraName: l.cameraName,
      accuracy: l.accuracy,
      status: l.status,
      odooStatus: l.odooStatus,
      odooSyncTime: l.odooSyncTime ? l.odooSyncTime.toISOString() : null,
      source: l.source,
      note: l.note,
      shiftId: l.shiftId,
      checkInAt: l.checkInAt ? l.checkInAt.toISOString() : null,
      checkOutAt: l.checkOutAt ? l.checkOutAt.toISOString() : null,
    };
  }
}

/** Where a person was last seen. */
export class AttendanceRecordDto {
  id: string;
  personId: string;
  name: string;
  role: string | null;
  department: string | null;
  @ApiProperty({ enum: PRESENCE_STATUSES })
  status: string;
  accuracy: number | null;
  /** ISO-8601 UTC of the latest sighting. */
  timestamp: string;
  cameraId: string | null;
  cameraName: string | null;
  /** Presigned URL of the face crop (valid 1 hour), or null. */
  thumbnail: string | null;
}

export class RecordsQueryDto {
  /** Most recent first, 1..500 (default 50). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number = 50;
}

/** Filters of the log list, also stored with an export. */
export class LogFiltersDto {
  /** Name or employee id, case-insensitive: 3+ characters match anywhere, 1-2 characters match the start. */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  search?: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  @Matches(ID_CHARS, { message: 'cameraId must be a camera id' })
  cameraId?: string;

  /** First log date, YYYY-MM-DD, inclusive. */
  @IsOptional()
  @IsCalendarDate()
  dateFrom?: string;

  /** Last log date, YYYY-MM-DD, inclusive. */
  @IsOptional()
  @IsCalendarDate()
  dateTo?: string;

  @ApiPropertyOptional({ enum: ODOO_STATUSES })
  @IsOptional()
  @IsIn(ODOO_STATUSES)
  odooStatus?: 'synced' | 'pending' | 'failed';

  @ApiPropertyOptional({ enum: ATTENDANCE_STATUSES })
  @IsOptional()
  @IsIn(ATTENDANCE_STATUSES)
  status?: 'present' | 'late' | 'missed';

  /** addition: automatic or manual entries only. */
  @ApiPropertyOptional({ enum: LOG_SOURCES })
  @IsOptional()
  @IsIn(LOG_SOURCES)
  source?: 'auto' | 'manual';
}

/** The filters of GET /attendance/logs with its pagination. */
export class ListLogsQueryDto extends IntersectionType(PaginationQueryDto, LogFiltersDto) {}

/**
 * A manual attendance entry (an operator's override). It is its own log (source 'manual'), never
 * merged with automatic data; one per person and day (409 otherwise).
 */
export class ManualEntryDto {
  /** Employee id of a registered (not archived) face profile. */
  @Transform(trim)
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{1,50}$/, { message: 'employeeId must be an employee id (letters, digits, _ . : -)' })
  employeeId: string;

  /** Camera the person was seen at, if any. */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Matches(ID_CHARS, { message: 'cameraId must be a camera id' })
  cameraId?: string;

  /** Arrival instant, ISO-8601 with offset, e.g. 2025-11-05T10:00:00Z. Not in the future. */
  @IsString()
  @Matches(ISO_INSTANT, { message: 'timestamp must be an ISO-8601 instant with Z or an offset' })
  timestamp: string;

  /** addition: departure instant (after `timestamp`, within 24 hours). */
  @IsOptional()
  @IsString()
  @Matches(ISO_INSTANT, { message: 'checkOut must be an ISO-8601 instant with Z or an offset' })
  checkOut?: string;

  /** present, late or missed; computed against the person's shift when omitted. */
  @ApiPropertyOptional({ enum: ATTENDANCE_STATUSES })
  @IsOptional()
  @IsIn(ATTENDANCE_STATUSES)
  status?: 'present' | 'late' | 'missed';

  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(1000)
  note?: string;
}

export class StatisticsQueryDto {
  /** First day, YYYY-MM-DD (default: 6 days before dateTo). */
  @IsOptional()
  @IsCalendarDate()
  dateFrom?: string;

  /** Last day, YYYY-MM-DD (default: today, site timezone). At most 366 days in all. */
  @IsOptional()
  @IsCalendarDate()
  dateTo?: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  @Matches(ID_CHARS, { message: 'cameraId must be a camera id' })
  cameraId?: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  department?: string;
}

export class StatusTotalsDto {
  /** Logs in the range. */
  total: number;
  present: number;
  late: number;
  missed: number;
  /** Manual entries among them. */
  manual: number;
  /** Distinct people. */
  people: number;
  /** (present + late) / (present + late + missed) x 100, 0 when there is nothing. */
  attendanceRate: number;
}

export class HourStatDto {
  /** 0..23, wall clock of the check-in. */
  hour: number;
  checkIns: number;
  late: number;
}

export class DayStatDto {
  date: string;
  total: number;
  present: number;
  late: number;
  missed: number;
  people: number;
}

export class CameraStatDto {
  cameraId: string;
  cameraName: string | null;
  /** Logs whose check-in was at this camera. */
  checkIns: number;
  people: number;
}

export class DepartmentStatDto {
  department: string | null;
  total: number;
  present: number;
  late: number;
  missed: number;
  people: number;
  attendanceRate: number;
}

export class AttendanceStatisticsDto {
  dateFrom: string;
  dateTo: string;
  /** The site timezone the days are counted in. */
  timezone: string;
  totals: StatusTotalsDto;
  /** 24 entries, hour 0..23. */
  byHour: HourStatDto[];
  /** One entry per day of the range (zeros included). */
  byDay: DayStatDto[];
  byCamera: CameraStatDto[];
  byDepartment: DepartmentStatDto[];
}

export class AttendanceOverviewDto {
  /** Today, site timezone. */
  date: string;
  timezone: string;
  /** People expected on today's shift instances that have started. */
  expected: number;
  present: number;
  late: number;
  missed: number;
  /** Expected people with no log yet today. */
  notArrived: number;
  /** People seen within the presence timeout and not expired. */
  onSiteNow: number;
  manualEntries: number;
  /** Expected people who attended (present or late) / expected x 100. */
  attendanceCompletion: number;
}
