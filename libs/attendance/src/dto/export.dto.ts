import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, IsOptional, ValidateNested } from 'class-validator';
import { LogFiltersDto } from './attendance.dto';

export const EXPORT_FORMATS = ['csv', 'pdf'] as const;
export const EXPORT_STATUSES = ['queued', 'processing', 'completed', 'failed'] as const;

export class CreateExportDto {
  @ApiProperty({ enum: EXPORT_FORMATS })
  @IsIn(EXPORT_FORMATS)
  format: 'csv' | 'pdf';

  /** The filters of GET /attendance/logs (no pagination: every matching row). */
  @ApiPropertyOptional({ type: LogFiltersDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => LogFiltersDto)
  filters?: LogFiltersDto;
}

/** 202: the export is queued; poll GET /exports/{exportId} (or GET /jobs/{jobId}). */
export class ExportAcceptedDto {
  jobId: string;
  exportId: string;
  @ApiProperty({ enum: EXPORT_STATUSES })
  status: string;
}

export class ExportDto {
  id: string;
  /** 'attendance' */
  type: string;
  @ApiProperty({ enum: EXPORT_FORMATS })
  format: string;
  @ApiProperty({ enum: EXPORT_STATUSES })
  status: string;
  /** 0..100 */
  progress: number;
  /** Rows written, once completed. */
  rowCount: number | null;
  filters: Record<string, unknown> | null;
  errorMessage: string | null;
  /** Background job producing the file. */
  jobId: string | null;
  createdAt: string;
  completedAt: string | null;
  /** When the file is deleted (7 days after completion). */
  expiresAt: string | null;
  /** Presigned download URL (valid until expiresAt, at most 7 days), once completed. */
  downloadUrl: string | null;
}
