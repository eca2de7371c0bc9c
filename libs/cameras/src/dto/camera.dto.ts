import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsIP,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  Validate,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { PaginationQueryDto } from '@app/core';
import { CAMERA_ID_PATTERN } from '../camera-id';
import { STREAM_TYPES } from '../stream/stream-url';

export const CAMERA_STATUSES = ['online', 'offline', 'maintenance'] as const;
/** Statuses an operator may set: maintenance (out of monitoring) or offline (back in; probes decide). */
export const SETTABLE_CAMERA_STATUSES = ['offline', 'maintenance'] as const;
export const RTSP_TRANSPORTS = ['tcp', 'udp'] as const;

export const MIN_SAMPLE_INTERVAL_MS = 250;
export const MAX_SAMPLE_INTERVAL_MS = 3_600_000;
export const MAX_TAGS = 20;

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);
const toBool = ({ value }: { value: unknown }): unknown => {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return value;
};
/** Trimmed, empty ones dropped, duplicates removed (first spelling wins). */
const cleanTags = ({ value }: { value: unknown }): unknown => {
  if (!Array.isArray(value)) return value;
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (const tag of value) {
    if (typeof tag !== 'string') {
      out.push(tag);
      continue;
    }
    const t = tag.trim();
    if (t === '' || seen.has(t.toLowerCase())) continue;
    seen.add(t.toLowerCase());
    out.push(t);
  }
  return out;
};

/** True for an IANA time zone name this runtime knows (Europe/Paris, UTC, ...). */
export function isTimeZone(value: unknown): boolean {
  if (typeof value !== 'string' || value === '' || value.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

@ValidatorConstraint({ name: 'isTimeZone' })
class IsTimeZoneConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return isTimeZone(value);
  }
  defaultMessage(): string {
    return 'timezone must be an IANA time zone such as Europe/Paris';
  }
}

/**
 * A camera as the API shows it. `streamUrl` is always MASKED (`rtsp://admin:***@host/...`); the real
 * URL is stored encrypted and only handed to ffmpeg. `thumbnail` is a presigned URL of the newest
 * snapshot (valid for an hour), or null.
 */
export class CameraDto {
  /** e.g. CAM-01 */
  id: string;
  name: string;
  location: string;
  @ApiProperty({ enum: STREAM_TYPES })
  streamType: string;
  @ApiProperty({ enum: CAMERA_STATUSES })
  status: string;
  /** Frames per second measured by the last probe. */
  fps: number;
  /** Milliseconds until the stream was described by the last probe. */
  latency: number;
  /** Mbit/s measured by the last probe. */
  bitrate: number;
  /** e.g. 1920x1080 */
  resolution: string | null;
  /** ISO 8601: last time the camera answered a probe or delivered a frame. */
  lastSeen: string | null;
  ipAddress: string | null;
  tags: string[];
  /** Presigned URL of the newest snapshot, or null. */
  thumbnail: string | null;
  /** The stream URL with its password replaced by *** (never the real one). */
  streamUrl: string | null;
  /** ISO 8601: last probe (connection test or watchdog). */
  lastChecked: string | null;
  enabled: boolean;
  @ApiProperty({ enum: RTSP_TRANSPORTS })
  rtspTransport: string;
  /** Milliseconds between frames sampled for detection. */
  sampleIntervalMs: number;
  /** Frame sampling for detection on or off. */
  samplingEnabled: boolean;
  /** IANA time zone of the camera's site; null = the site default (SITE_TIMEZONE). */
  timezone: string | null;
  /** Video codec reported by the last probe (h264, hevc, mjpeg). */
  codec: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A new camera. */
export class CreateCameraDto {
  /** Optional; the next free CAM-NN when omitted. Letters, digits, - and _ (at most 50). */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Matches(CAMERA_ID_PATTERN, { message: 'id must be 1-50 letters, digits, - or _ (e.g. CAM-07)' })
  id?: string;

  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  name: string;

  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  location: string;

  @ApiProperty({ enum: STREAM_TYPES })
  @IsIn(STREAM_TYPES)
  streamType: string;

  /**
   * rtsp(s)://, http(s):// (MJPEG or HLS .m3u8), /dev/videoN (USB), tcp:// or udp:// (Socket), or an
   * absolute path / file:/// URL (Local File). Credentials are encrypted at rest. On update, sending
   * back the masked URL unchanged keeps the stored one.
   */
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  streamUrl: string;

  /** Default true. */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  /** IPv4 or IPv6; taken from the stream URL's host when it is an IP address and this is omitted. */
  @IsOptional()
  @Transform(trim)
  @IsIP()
  ipAddress?: string | null;

  /** At most 20 tags of at most 50 characters (trimmed, duplicates dropped). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @Transform(cleanTags)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(50, { each: true })
  tags?: string[];

  /** RTSP over TCP (default) or UDP. */
  @ApiPropertyOptional({ enum: RTSP_TRANSPORTS })
  @IsOptional()
  @IsIn(RTSP_TRANSPORTS)
  rtspTransport?: string;

  /** Milliseconds between frames sampled for detection: 250..3600000 (default 2000). */
  @IsOptional()
  @IsInt()
  @Min(MIN_SAMPLE_INTERVAL_MS)
  @Max(MAX_SAMPLE_INTERVAL_MS)
  sampleIntervalMs?: number;

  /** Frame sampling for detection (default true). */
  @IsOptional()
  @IsBoolean()
  samplingEnabled?: boolean;

  /** IANA time zone of the camera's site; null = SITE_TIMEZONE. */
  @IsOptional()
  @Transform(trim)
  @Validate(IsTimeZoneConstraint)
  timezone?: string | null;

  /** Only `maintenance` (taken out of monitoring) or `offline` (back in; the next probe decides). */
  @ApiPropertyOptional({ enum: SETTABLE_CAMERA_STATUSES })
  @IsOptional()
  @IsIn(SETTABLE_CAMERA_STATUSES, { message: 'status can only be set to offline or maintenance; online comes from probes' })
  status?: string;
}

/** Partial update: omitted fields keep their value; the id cannot change. */
export class UpdateCameraDto extends PartialType(OmitType(CreateCameraDto, ['id'] as const)) {}

export class CameraStateDto {
  @IsBoolean()
  enabled: boolean;
}

export class ListCamerasQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: CAMERA_STATUSES })
  @IsOptional()
  @IsIn(CAMERA_STATUSES)
  status?: string;

  @ApiPropertyOptional({ enum: STREAM_TYPES })
  @IsOptional()
  @IsIn(STREAM_TYPES)
  streamType?: string;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  enabled?: boolean;

  /** Matches id, name, location, IP address or a tag (case-insensitive). */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  search?: string;
}

export class CameraSummaryDto {
  /** Camera id. */
  id: string;
  /** Detections since midnight (site time zone). */
  detectionsToday: number;
  /** Detections of unknown faces since midnight. */
  unknownFaces: number;
  /** Share of today's watchdog checks that found the camera online, 0..100 (0 before the first check). */
  uptimePercent: number;
  /** Watchdog checks today (0 = uptimePercent has no sample yet). */
  uptimeSamples: number;
}

export class ConnectionTestDto {
  success: boolean;
  /** Milliseconds until the stream was described. */
  latencyMs: number;
  /** Mbit/s. */
  bitrate: number;
  /** Connection OK, or why it failed (never contains the password). */
  message: string;
  codec: string | null;
  resolution: string | null;
  fps: number;
  /** TIMEOUT, REFUSED, NOT_FOUND, INVALID_DATA or FAILED when success is false. */
  errorCode?: string;
}

export class SnapshotDto {
  /** Storage key of the snapshot: snapshots/{cameraId}/{timestamp}.jpg */
  assetId: string;
  /** Presigned URL (valid for an hour). */
  url: string;
  /** ISO 8601 capture time. */
  timestamp: string;
}
