import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

export const BANNER_LEVELS = ['info', 'warning', 'critical'] as const;
export type BannerLevel = (typeof BANNER_LEVELS)[number];
/** Longest a banner may stay up: 30 days. */
export const BANNER_MAX_TTL_MINUTES = 30 * 24 * 60;
/** Default lifetime when neither expiresAt nor ttlMinutes is given: 24 hours. */
export const BANNER_DEFAULT_TTL_MINUTES = 24 * 60;
export const MAX_ACTIVE_BANNERS = 20;

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class BannerDto {
  id: string;
  message: string;
  @ApiProperty({ enum: BANNER_LEVELS })
  level: BannerLevel;
  createdAt: string;
  expiresAt: string;
  /** E-mail of who posted it. */
  createdBy: string;
}

export class CreateBannerDto {
  /** 1-500 characters of plain text. */
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  message: string;

  @IsOptional()
  @IsIn(BANNER_LEVELS)
  level?: BannerLevel;

  /** When it disappears (ISO 8601, future, at most 30 days ahead). Or give ttlMinutes; default 24 h. */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  expiresAt?: Date;

  /** Minutes until it disappears, 1..43200 (30 days). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(BANNER_MAX_TTL_MINUTES)
  ttlMinutes?: number;
}
