import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { CreateCameraDto } from './camera.dto';

export const CAMERA_EXPORT_VERSION = 1;
export const MAX_IMPORT_ROWS = 1000;

export const EXPORT_NOTE =
  'streamUrl values are masked (passwords replaced by ***). Importing a row whose streamUrl is still the masked URL ' +
  "of an existing camera keeps that camera's stored URL; new cameras need the full URL with its password.";

const toBool = ({ value }: { value: unknown }): unknown => {
  if (value === 'true' || value === '1' || value === '') return true;
  if (value === 'false' || value === '0') return false;
  return value;
};

/** One camera of an export / import file (its configuration; no runtime state). */
export class CameraExportRowDto {
  id: string;
  name: string;
  location: string;
  streamType: string;
  /** Masked: the password is replaced by ***. */
  streamUrl: string | null;
  enabled: boolean;
  ipAddress: string | null;
  tags: string[];
  rtspTransport: string;
  sampleIntervalMs: number;
  samplingEnabled: boolean;
  timezone: string | null;
}

/** GET /cameras/export: every camera's configuration, stream URLs masked. */
export class CameraExportDto {
  /** Format version (1). */
  version: number;
  exportedAt: string;
  /** How masked stream URLs are handled on import. */
  note: string;
  cameras: CameraExportRowDto[];
}

/**
 * A row as import validates it: the fields of a new camera, all optional (an existing id updates
 * only the fields present; a new camera needs name, location, streamType and streamUrl).
 */
export class CameraImportRowDto extends PartialType(OmitType(CreateCameraDto, ['status'] as const)) {}

/** POST /cameras/import body: an export document (version, exportedAt and note are ignored). */
export class CameraImportDto {
  @IsOptional()
  @IsInt()
  version?: number;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  exportedAt?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string;

  /** At most 1000 rows, each validated like a camera (see CameraImportRowDto). */
  @ApiProperty({ type: [CameraImportRowDto] })
  @IsArray()
  @ArrayMaxSize(MAX_IMPORT_ROWS)
  @IsObject({ each: true })
  cameras: Record<string, unknown>[];
}

export class CameraImportQueryDto {
  /** Validate and report only; nothing is written. */
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  dryRun?: boolean;

  /** Import the valid rows even when some are rejected (default: all or nothing). */
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  partial?: boolean;
}

export class ImportIssueDto {
  field: string;
  issue: string;
}

export class ImportedRowDto {
  /** 0-based index in `cameras`. */
  row: number;
  id: string;
}

export class RejectedRowDto {
  row: number;
  /** The row's id when it had a readable one. */
  id: string | null;
  reasons: ImportIssueDto[];
}

export class CameraImportReportDto {
  dryRun: boolean;
  partial: boolean;
  /** True when the valid rows were written. */
  applied: boolean;
  total: number;
  created: ImportedRowDto[];
  updated: ImportedRowDto[];
  rejected: RejectedRowDto[];
}
