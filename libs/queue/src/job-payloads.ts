import { UnrecoverableError } from 'bullmq';
import { plainToInstance } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';
import type { JobName } from './queue.constants';

/**
 * Job payloads: small, JSON-only, validated on enqueue and again in the processor (validatePayload),
 * as request bodies are. Payloads carry ids, never whole records: the processor reads fresh state.
 */

export const DETECT_TRIGGERS = ['manual', 'sampler'] as const;
export const RUN_TRIGGERS = ['manual', 'scheduled'] as const;
export type DetectTrigger = (typeof DETECT_TRIGGERS)[number];
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export class DetectFramePayload {
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  cameraId: string;

  @IsIn(DETECT_TRIGGERS)
  trigger: DetectTrigger;

  /** User id of the person who pressed "send frame" (manual only). */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  requestedBy?: string;
}

export const GALLERY_SYNC_ACTIONS = ['enrolled', 'updated', 'erased'] as const;
export type GallerySyncAction = (typeof GALLERY_SYNC_ACTIONS)[number];

/**
 * provider-gallery-sync: one profile's change (profileId, employeeId, action) from `faces:changed`,
 * or every active profile when profileId is omitted (after switching to an external provider).
 */
export class ProviderGallerySyncPayload {
  @IsIn([...RUN_TRIGGERS, 'faces-changed'])
  trigger: RunTrigger | 'faces-changed';

  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f-]{36}$/i, { message: 'profileId must be a UUID' })
  profileId?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  employeeId?: string;

  /** The employeeId the profile had before an update renamed it (forgotten at the provider). */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  previousEmployeeId?: string;

  @IsOptional()
  @IsIn(GALLERY_SYNC_ACTIONS)
  action?: GallerySyncAction;
}

export class SampleCamerasPayload {
  @IsIn(RUN_TRIGGERS)
  trigger: RunTrigger;
}

export class OdooSyncPayload {
  /** Attendance record ids to push; all pending records when omitted. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10000)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  recordIds?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(64)
  requestedBy?: string;

  @IsIn(RUN_TRIGGERS)
  trigger: RunTrigger;

  /** Also retry logs whose last push failed (otherwise retried only once the log changes). */
  @IsOptional()
  @IsBoolean()
  retryFailed?: boolean;
}

export class ExportPayload {
  /** Id of the export row that holds the filters, format and status. */
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  exportId: string;
}

/** Payload of the periodic maintenance jobs (camera-watchdog, provider-health, collect-metrics, cleanup). */
export class MaintenancePayload {
  @IsIn(RUN_TRIGGERS)
  trigger: RunTrigger;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  requestedBy?: string;
}

export class MarkMissedPayload extends MaintenancePayload {
  /** Start day (YYYY-MM-DD, shift timezone) of the shift instances to close; omitted = every instance of the last 2 days that has ended. */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be YYYY-MM-DD' })
  date?: string;
}

/** Object keys (or one prefix) of erased face data to delete from storage. */
export class FaceStorageErasePayload {
  /** Profile the files belonged to (logs only: the profile row is already gone). */
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: 'profileId must be a UUID' })
  profileId: string;

  /** Keys under faces/<profileId>/ to delete. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Matches(/^(faces\/[0-9a-f-]{36}\/[^/]{1,200}|thumbnails\/[0-9a-f-]{36}\.jpg)$/, {
    each: true,
    message: 'keys must be faces/<profileId>/<file> or thumbnails/<detectionId>.jpg',
  })
  keys?: string[];

  /** Delete everything under faces/<profileId>/ (a whole profile). */
  @IsOptional()
  @Matches(/^faces\/[0-9a-f-]{36}\/$/, { message: 'prefix must be faces/<profileId>/' })
  prefix?: string;
}

export interface JobPayloadMap {
  'detect-frame': DetectFramePayload;
  'sample-cameras': SampleCamerasPayload;
  'odoo-sync': OdooSyncPayload;
  'export-attendance': ExportPayload;
  'camera-watchdog': MaintenancePayload;
  'provider-health': MaintenancePayload;
  'provider-gallery-sync': ProviderGallerySyncPayload;
  'collect-metrics': MaintenancePayload;
  cleanup: MaintenancePayload;
  'mark-missed': MarkMissedPayload;
  'face-storage-erase': FaceStorageErasePayload;
  'face-storage-sweep': MaintenancePayload;
}
export type JobPayload<N extends JobName> = JobPayloadMap[N];

type PayloadClass<T> = new () => T;

export const JOB_PAYLOAD_CLASSES: { readonly [N in JobName]: PayloadClass<JobPayloadMap[N]> } = {
  'detect-frame': DetectFramePayload,
  'sample-cameras': SampleCamerasPayload,
  'odoo-sync': OdooSyncPayload,
  'export-attendance': ExportPayload,
  'camera-watchdog': MaintenancePayload,
  'provider-health': MaintenancePayload,
  'provider-gallery-sync': ProviderGallerySyncPayload,
  'collect-metrics': MaintenancePayload,
  cleanup: MaintenancePayload,
  'mark-missed': MarkMissedPayload,
  'face-storage-erase': FaceStorageErasePayload,
  'face-storage-sweep': MaintenancePayload,
};

/**
 * A payload that fails validation. Extends BullMQ's UnrecoverableError: a processor that throws it
 * fails the job at once instead of retrying a payload that can never become valid.
 */
export class InvalidJobPayloadError extends UnrecoverableError {
  constructor(
    readonly payloadType: string,
    readonly problems: string[],
  ) {
    super(`invalid ${payloadType}: ${problems.join('; ')}`);
    this.name = 'InvalidJobPayloadError';
  }
}

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => `${path}: ${m}`);
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/** Validate job data against its payload class; unknown properties are rejected. */
export function validatePayload<T extends object>(cls: PayloadClass<T>, data: unknown): T {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InvalidJobPayloadError(cls.name, ['payload must be an object']);
  }
  const instance = plainToInstance(cls, data);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length > 0) throw new InvalidJobPayloadError(cls.name, flatten(errors));
  return instance;
}

/** validatePayload for a job by its name (processors: `validateJobPayload(job.name, job.data)`). */
export function validateJobPayload<N extends JobName>(name: N, data: unknown): JobPayloadMap[N] {
  return validatePayload(JOB_PAYLOAD_CLASSES[name] as PayloadClass<JobPayloadMap[N]>, data);
}
