import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional } from 'class-validator';
import { PaginationQueryDto } from '@app/core';

export const HISTORY_KINDS = ['all', 'detection', 'attendance'] as const;

export class PersonHistoryQueryDto extends PaginationQueryDto {
  /** Entries at or after this instant (ISO-8601; a bare date means its midnight UTC). */
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'from must be an ISO-8601 date or date-time' })
  from?: Date;

  /** Entries before this instant (ISO-8601, exclusive). */
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'to must be an ISO-8601 date or date-time' })
  to?: Date;

  /** Only detections, only attendance, or both (default). */
  @IsOptional()
  @IsIn(HISTORY_KINDS)
  kind?: 'all' | 'detection' | 'attendance';
}

export class HistoryBoundingBoxDto {
  top: number;
  left: number;
  width: number;
  height: number;
}

/** Detection facts of a timeline entry. */
export class HistoryDetectionDto {
  trackId: string | null;
  boundingBox: HistoryBoundingBoxDto | null;
  /** Presigned URL of the face thumbnail, when one was kept. */
  thumbnail: string | null;
}

/** Attendance facts of a timeline entry. */
export class HistoryAttendanceDto {
  /** YYYY-MM-DD (site day). */
  date: string;
  /** HH:MM:SS wall-clock, null when absent. */
  timeIn: string | null;
  timeOut: string | null;
  checkOutAt: string | null;
  @ApiProperty({ enum: ['synced', 'pending', 'failed'] })
  odooStatus: string;
  @ApiProperty({ enum: ['auto', 'manual'] })
  source: string;
}

/** One entry of a person's timeline, newest first. */
export class PersonHistoryEntryDto {
  @ApiProperty({ enum: ['detection', 'attendance'] })
  kind: string;
  /** Detection id (UUID) or attendance log id (ATT-...). */
  id: string;
  /** When it happened (attendance: check-in instant, or the start of the day when missed). */
  timestamp: string;
  employeeId: string;
  name: string | null;
  cameraId: string | null;
  cameraName: string | null;
  /** Detection: authorized/visitor/unknown; attendance: present/late/missed. */
  status: string;
  /** Detection confidence or attendance accuracy, 0..100. */
  confidence: number | null;
  @ApiPropertyOptional({ type: HistoryDetectionDto })
  detection?: HistoryDetectionDto;
  @ApiPropertyOptional({ type: HistoryAttendanceDto })
  attendance?: HistoryAttendanceDto;
}
