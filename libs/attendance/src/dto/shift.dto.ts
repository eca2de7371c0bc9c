import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { IsTimeZone, trim, WALL_CLOCK } from './validators';

export const INSTANCE_STATES = ['upcoming', 'in-progress', 'ended'] as const;

/** Live figures of the shift's current instance (or the latest one that started). */
export class ShiftInstanceDto {
  /** Day the instance starts (YYYY-MM-DD, shift timezone). */
  date: string;
  /** ISO-8601 UTC */
  startsAt: string;
  endsAt: string;
  @ApiProperty({ enum: INSTANCE_STATES })
  state: string;
  expected: number;
  present: number;
  late: number;
  missed: number;
}

export class ShiftDto {
  id: string;
  name: string;
  /** HH:MM wall clock in `timezone` (site timezone when null). */
  startTime: string;
  /** HH:MM; before or equal to startTime = ends the next day (night shift). */
  endTime: string;
  location: string | null;
  /** Active people the shift expects (live). */
  expectedHeadcount: number;
  /** (present + late) / expected x 100 for the current or latest instance (live). */
  compliance: number;
  /** addition: minutes after the start still on time. */
  graceMinutes: number;
  /** addition: departments expected ([] and no employeeIds = everyone). */
  departments: string[];
  /** addition: people expected by employee id. */
  employeeIds: string[];
  /** addition: ISO weekdays the shift starts on (1 = Monday .. 7 = Sunday). */
  daysOfWeek: number[];
  /** addition: IANA timezone, null = SITE_TIMEZONE. */
  timezone: string | null;
  /** addition: the timezone actually used. */
  effectiveTimezone: string;
  enabled: boolean;
  /** addition: minutes before the start from which a sighting counts for this shift. */
  checkInWindowMinutes: number;
  /** addition: minutes after the end until which a sighting counts for this shift. */
  checkOutWindowMinutes: number;
  /** addition: figures of the current or latest instance; null when the shift never ran. */
  currentInstance: ShiftInstanceDto | null;
  createdAt: string;
  updatedAt: string;
}

export class CreateShiftDto {
  /** Optional id (letters, digits, - and _); generated as SHIFT-XXXXXXXX when omitted. */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,50}$/, { message: 'id must be 1-50 letters, digits, - or _' })
  id?: string;

  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  name: string;

  /** HH:MM or HH:MM:SS */
  @IsString()
  @Matches(WALL_CLOCK, { message: 'startTime must be HH:MM or HH:MM:SS' })
  startTime: string;

  /** HH:MM or HH:MM:SS; before startTime = ends the next day. Must differ from startTime. */
  @IsString()
  @Matches(WALL_CLOCK, { message: 'endTime must be HH:MM or HH:MM:SS' })
  endTime: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(255)
  location?: string | null;

  /** 0..720, default 10. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(720)
  graceMinutes?: number;

  /** Departments expected on this shift (matched case-insensitively against face profiles). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(255, { each: true })
  departments?: string[];

  /** People expected by employee id. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5000)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(/^[A-Za-z0-9_.:-]{1,50}$/, { each: true, message: 'employeeIds must hold employee ids' })
  employeeIds?: string[];

  /** ISO weekdays 1 (Monday) .. 7 (Sunday); default Monday to Friday. */
  @ApiPropertyOptional({ type: [Number], example: [1, 2, 3, 4, 5] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(7)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(7, { each: true })
  daysOfWeek?: number[];

  /** IANA timezone; null or omitted = SITE_TIMEZONE. */
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsTimeZone()
  timezone?: string | null;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  /** 0..720, default 120. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(720)
  checkInWindowMinutes?: number;

  /** 0..720, default 240. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(720)
  checkOutWindowMinutes?: number;
}

/** Changes to a shift: only the fields given change. */
export class UpdateShiftDto extends PartialType(OmitType(CreateShiftDto, ['id'] as const)) {}

export type InstanceState = (typeof INSTANCE_STATES)[number];
