import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsISO8601, IsIn, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { PaginationQueryDto } from '@app/core';
import { CAMERA_ID_PATTERN } from '@app/cameras/camera-id';
import { LIVE_LIST_CAP } from '../detections.constants';

export const DETECTION_STATUSES = ['authorized', 'visitor', 'unknown'] as const;
export const DETECTION_EVENT_STATUSES = ['received', 'processing', 'error'] as const;

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);
const CAMERA_ID_MESSAGE = 'cameraId must be a camera id (1-50 letters, digits, - or _)';

/** Face box in pixels of the analysed frame. */
export class BoundingBoxDto {
  top: number;
  left: number;
  width: number;
  height: number;
}

/**
 * One sighting: a person seen by a camera over consecutive frames (folded into one row).
 * `thumbnail` is a presigned URL of the face crop (valid for at least a day), or null.
 */
export class LiveDetectionDto {
  id: string;
  /** employeeId of the recognised person (authorized or visitor); null when unknown. */
  personId: string | null;
  name: string | null;
  cameraId: string;
  /** 0..100: match similarity for a recognised person, detector confidence for an unknown face. */
  confidence: number;
  /** ISO 8601: capture time of the first frame of the sighting. */
  timestamp: string;
  trackId: string | null;
  boundingBox: BoundingBoxDto | null;
  thumbnail: string | null;
  @ApiProperty({ enum: DETECTION_STATUSES })
  status: string;
}

/** GET /detections/live: newest sightings first. */
export class LiveDetectionsQueryDto {
  /** Only this camera's detections. */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Matches(CAMERA_ID_PATTERN, { message: CAMERA_ID_MESSAGE })
  cameraId?: string;

  /** How many, 1..100 (default 20). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(LIVE_LIST_CAP)
  limit?: number = 20;
}

/** POST /detections/send-frame. */
export class SendFrameDto {
  /** The camera to grab a frame from. */
  @Transform(trim)
  @IsString()
  @Matches(CAMERA_ID_PATTERN, { message: CAMERA_ID_MESSAGE })
  cameraId: string;
}

/** The queued detection job; poll GET /jobs/{jobId}. */
export class SendFrameResultDto {
  jobId: string;
  @ApiProperty({ enum: ['queued'] })
  status: 'queued';
}

/** One detection job's call to the provider (the developer console's event log). */
export class DetectionEventDto {
  id: string;
  cameraId: string;
  cameraName: string | null;
  /** ISO 8601: when the job started. */
  timestamp: string;
  /** processing (in flight), received (provider answered), error. */
  @ApiProperty({ enum: DETECTION_EVENT_STATUSES })
  status: string;
  /** Provider call time, ms (null until it answered). */
  latencyMs: number | null;
  /** The provider's raw answer (secrets removed) and what the pipeline made of it. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  payload: Record<string, unknown> | null;
  errorMessage: string | null;
}

/** GET /detections/events filters. */
export class ListDetectionEventsQueryDto extends PaginationQueryDto {
  @IsOptional()
  @IsIn(DETECTION_EVENT_STATUSES)
  @ApiPropertyOptional({ enum: DETECTION_EVENT_STATUSES })
  status?: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  @Matches(CAMERA_ID_PATTERN, { message: CAMERA_ID_MESSAGE })
  cameraId?: string;

  /** ISO 8601, inclusive. */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** ISO 8601, exclusive. */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
