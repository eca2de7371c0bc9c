import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  ValidationArguments,
  ValidationOptions,
  registerDecorator,
} from 'class-validator';
import { LANGUAGE_CODES } from './languages';
import { canonicalTimeZone } from './timezones';

export const THEMES = ['dark', 'light', 'system'] as const;
export const GRID_MODES = ['2x2', '3x3', '4x4'] as const;
/** Bounds of the free-form `preferences` object. */
export const CUSTOM_PREFERENCES_MAX_BYTES = 16 * 1024;
export const CUSTOM_PREFERENCES_MAX_DEPTH = 5;

export class LanguageDto {
  code: string;
  name: string;
  nativeName: string;
  @ApiProperty({ enum: ['ltr', 'rtl'] })
  direction: 'ltr' | 'rtl';
}

export class TimeZoneDto {
  /** IANA name, e.g. Europe/Berlin. */
  id: string;
  /** Current UTC offset, e.g. +01:00. */
  offset: string;
  offsetMinutes: number;
}

export class PreferencesDto {
  @ApiProperty({ enum: THEMES })
  theme: string;
  @ApiProperty({ enum: GRID_MODES })
  gridMode: string;
  autoRotate: boolean;
  /** A code of GET /i18n/languages. */
  language: string;
  /** IANA time zone name. */
  timezone: string;
  /** Free-form frontend settings (JSON object, at most 16 KiB and 5 levels deep). */
  @ApiProperty({ type: 'object', additionalProperties: true })
  preferences: Record<string, unknown>;
  /** null while the defaults were never changed. */
  updatedAt: string | null;
}

/** Depth of a JSON value (a scalar is 0, `{}` is 1). */
export function jsonDepth(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  let max = 0;
  for (const c of children) max = Math.max(max, jsonDepth(c));
  return max + 1;
}

function IsBoundedJsonObject(opts?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isBoundedJsonObject',
      target: target.constructor,
      propertyName: String(propertyName),
      options: opts,
      validator: {
        validate(value: unknown): boolean {
          if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
          let size: number;
          try {
            size = Buffer.byteLength(JSON.stringify(value), 'utf8');
          } catch {
            return false;
          }
          return size <= CUSTOM_PREFERENCES_MAX_BYTES && jsonDepth(value) <= CUSTOM_PREFERENCES_MAX_DEPTH;
        },
        defaultMessage(args: ValidationArguments): string {
          return `${args.property} must be a JSON object of at most ${CUSTOM_PREFERENCES_MAX_BYTES} bytes and ${CUSTOM_PREFERENCES_MAX_DEPTH} levels`;
        },
      },
    });
}

function IsTimeZone(opts?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isTimeZone',
      target: target.constructor,
      propertyName: String(propertyName),
      options: opts,
      validator: {
        validate: (value: unknown): boolean => typeof value === 'string' && canonicalTimeZone(value) !== null,
        defaultMessage: (args: ValidationArguments): string =>
          `${args.property} must be an IANA time zone name (see GET /settings/timezones)`,
      },
    });
}

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/**
 * PUT /settings/preferences: every field optional; given fields replace the stored ones (the
 * `preferences` object as a whole), the others keep their value.
 */
export class UpdatePreferencesDto {
  @IsOptional()
  @IsIn(THEMES)
  theme?: (typeof THEMES)[number];

  @IsOptional()
  @IsIn(GRID_MODES)
  gridMode?: (typeof GRID_MODES)[number];

  @IsOptional()
  @IsBoolean()
  autoRotate?: boolean;

  /** A code of GET /i18n/languages. */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @IsIn(LANGUAGE_CODES, { message: 'language must be a code of GET /i18n/languages' })
  language?: string;

  /** IANA time zone name (aliases are stored under their canonical name). */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @IsTimeZone()
  timezone?: string;

  /** Free-form frontend settings: a JSON object, at most 16 KiB and 5 levels deep. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  @IsBoundedJsonObject()
  preferences?: Record<string, unknown>;
}
