import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

export const PROVIDER_KINDS = ['builtin', 'http', 'compreface', 'codeproject'] as const;
export const PROVIDER_STATUSES = ['connected', 'degraded', 'offline'] as const;

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/** The settings in force (stored values over the defaults). */
export class ProviderSettingsDto {
  /** Similarity at or above which a face is that person (0..1). */
  matchThreshold: number;
  /** Similarity below which a face is confidently a stranger; between the two, frames are voted over. */
  unknownThreshold: number;
  /** Faces smaller than this (shorter side, px) are ignored. */
  minFaceSizePx: number;
  /** Faces blurrier than this (variance of the Laplacian) are ignored. */
  minSharpness: number;
  /** Detector confidence below which a face is ignored (0..1). */
  minDetectionScore: number;
  /** Frames of one person on one camera within this many seconds are one sighting. */
  debounceSeconds: number;
  /** Bound of one provider call, ms. */
  timeoutMs: number;
  /** Seconds after an Unknown Face alert during which the same camera raises no other. */
  unknownAlertCooldownSeconds: number;
}

/**
 * The detection provider. `apiKey` is `***` when one is stored (it is encrypted at rest and never
 * returned), null otherwise. `kind` picks the implementation: the built-in offline engine, the
 * generic HTTP provider, CompreFace or CodeProject.AI/DeepStack.
 */
export class ProviderConfigDto {
  providerName: string;
  /** Detect URL (http) or server base URL (compreface, codeproject); builtin://local for the built-in engine. */
  endpoint: string;
  apiKey: string | null;
  enabled: boolean;
  @ApiProperty({ enum: PROVIDER_STATUSES })
  status: string;
  /** ISO 8601: last health probe. */
  lastHeartbeat: string | null;
  /** Average provider call time over recent detections (or the last probe), ms. */
  averageLatencyMs: number;
  @ApiProperty({ enum: PROVIDER_KINDS })
  kind: string;
  settings: ProviderSettingsDto;
  /** ISO 8601. */
  updatedAt: string;
  version: number;
}

/** Settings to change; omitted keys are kept, null resets a key to its default. */
export class UpdateProviderSettingsDto {
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  matchThreshold?: number | null;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  unknownThreshold?: number | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(4096)
  minFaceSizePx?: number | null;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100_000)
  minSharpness?: number | null;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  minDetectionScore?: number | null;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3600)
  debounceSeconds?: number | null;

  @IsOptional()
  @IsInt()
  @Min(500)
  @Max(30_000)
  timeoutMs?: number | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86_400)
  unknownAlertCooldownSeconds?: number | null;
}

/**
 * PUT /detections/provider/config: fields omitted are kept. `apiKey`: `***` (or omitted) keeps the
 * stored key, an empty string or null removes it, anything else replaces it.
 */
export class UpdateProviderConfigDto {
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  providerName?: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  endpoint?: string;

  @IsOptional()
  @IsString()
  @MaxLength(400)
  apiKey?: string | null;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsOptional()
  @IsIn(PROVIDER_KINDS)
  @ApiPropertyOptional({ enum: PROVIDER_KINDS })
  kind?: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => UpdateProviderSettingsDto)
  settings?: UpdateProviderSettingsDto;
}

/** POST /detections/test-provider. */
export class TestProviderResultDto {
  @ApiProperty({ enum: PROVIDER_STATUSES })
  status: string;
  latencyMs: number;
  message: string;
}
