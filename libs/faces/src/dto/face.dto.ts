import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PaginationQueryDto } from '@app/core';
import type { FaceImageEntity } from '../entities/face-image.entity';
import type { FaceProfileEntity } from '../entities/face-profile.entity';

export const FACE_PROFILE_STATUSES = ['active', 'pending', 'archived'] as const;
/** At most this many enrolment images per profile (and per request). */
export const MAX_IMAGES_PER_PROFILE = 5;
/** employeeId: the key shared with Odoo and the detections (detections.person_id). */
export const EMPLOYEE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);
/** Multipart and JSON: an empty string clears an optional text field. */
const trimOrNull = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim();
  return v === '' ? null : v;
};
/** Multipart sends booleans as text. */
const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return value;
};

export class FaceProfileDto {
  id: string;
  /** e.g. EMP-00412 (unique). */
  employeeId: string;
  name: string;
  department: string | null;
  /** active: matched by the cameras; pending: no usable image yet; archived: kept, not matched. */
  @ApiProperty({ enum: FACE_PROFILE_STATUSES })
  status: string;
  /** True when an operator set the status by hand; the automatic active/pending switch leaves it alone. */
  statusLocked: boolean;
  notes: string | null;
  imageCount: number;
  /** Face embeddings computed from the images (one per image). */
  embeddingCount: number;
  createdAt: string;
  updatedAt: string;

  static from(p: FaceProfileEntity, counts: { imageCount: number; embeddingCount: number }): FaceProfileDto {
    return {
      id: p.id,
      employeeId: p.employeeId,
      name: p.name,
      department: p.department,
      status: p.status,
      statusLocked: p.statusLocked,
      notes: p.notes,
      imageCount: counts.imageCount,
      embeddingCount: counts.embeddingCount,
      createdAt: p.createdAt.toISOString(),
      updatedAt: p.updatedAt.toISOString(),
    };
  }
}

export class FaceImageDto {
  id: string;
  profileId: string;
  /** Presigned GET URL of the stored JPEG (EXIF-rotated, metadata stripped). */
  url: string;
  /** When `url` stops working (ISO-8601 UTC). */
  urlExpiresAt: string;
  createdAt: string;

  static from(i: FaceImageEntity, url: string, expiresAt: Date): FaceImageDto {
    return {
      id: i.id,
      profileId: i.profileId,
      url,
      urlExpiresAt: expiresAt.toISOString(),
      createdAt: i.createdAt.toISOString(),
    };
  }
}

/** A profile with its images (create, read one, add images). */
export class FaceProfileDetailDto extends FaceProfileDto {
  images: FaceImageDto[];
}

export class ListFacesQueryDto extends PaginationQueryDto {
  /** Exact department, case-insensitive. */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  department?: string;

  /** Matches name, employeeId or department, case-insensitive. */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  search?: string;

  @IsOptional()
  @IsIn(FACE_PROFILE_STATUSES)
  status?: 'active' | 'pending' | 'archived';
}

/**
 * The text fields of POST /faces (multipart/form-data). The images come in the file field
 * `images` (or `images[]`), 0 to 5 of them, JPEG/PNG/WebP, each showing exactly one face.
 */
export class CreateFaceProfileDto {
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  name: string;

  /** Letters, digits, `.`, `_`, `-`; 1-50 characters; unique. */
  @Transform(trim)
  @IsString()
  @Matches(EMPLOYEE_ID_PATTERN, { message: 'employeeId must be 1-50 letters, digits, ".", "_" or "-"' })
  employeeId: string;

  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(255)
  department?: string | null;

  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(2000)
  notes?: string | null;
}

export class UpdateFaceProfileDto {
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  name?: string;

  /** Renaming the employeeId keeps past detections under the old id (they are history). */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Matches(EMPLOYEE_ID_PATTERN, { message: 'employeeId must be 1-50 letters, digits, ".", "_" or "-"' })
  employeeId?: string;

  /** Empty string or null clears it. */
  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(255)
  department?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(2000)
  notes?: string | null;

  /** Setting a status locks it (statusLocked becomes true) unless statusLocked: false is sent too. */
  @IsOptional()
  @IsIn(FACE_PROFILE_STATUSES)
  status?: 'active' | 'pending' | 'archived';

  /** false hands the status back to the automatic rule (active with an embedding, else pending). */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  statusLocked?: boolean;
}

/** One refused image of an upload (details of a 413/415/422). */
export class RejectedImageDto {
  /** Position of the file in the request, from 0. */
  index: number;
  /** The file name the client sent. */
  filename: string;
  /**
   * no_face, multiple_faces, face_too_small, face_too_blurry, low_detection_score,
   * different_person, unsupported_type, too_many_bytes, undecodable, too_large, too_small, empty.
   */
  code: string;
  reason: string;
}
