import { Transform, Type, plainToInstance } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  return value;
};

/**
 * Every variable the api, worker and cli read. One object, validated before Nest starts.
 * Defaults give a working single-machine install (local PostgreSQL, Redis, local S3 server).
 * `.env.example` mirrors this class: keep them in step.
 */
export class EnvDto {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @IsString()
  APP_NAME = 'Face Attendance System';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  API_PORT = 3000;

  @IsString()
  API_HOST = '0.0.0.0';

  /**
   * api processes on this host (node cluster sharing API_PORT): 1 = a single process (one per
   * container when an orchestrator runs replicas), 0 = one per CPU core.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(64)
  API_WORKERS = 1;

  /** Public base URL of the API, printed by the run script and used in links. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  PUBLIC_URL = 'http://localhost:3000';

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/cctv_attendance';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 20;

  @Transform(toBool)
  @IsBoolean()
  DATABASE_LOG_QUERIES = false;

  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379/0';

  /** Prefix for every Redis key (cache, rate limits, BullMQ, pub/sub): lets installs share a Redis. */
  @Matches(/^[a-zA-Z0-9:_-]{1,40}$/)
  REDIS_PREFIX = 'cctv';

  /** HMAC key for access tokens. Must be changed in production (min 32 chars). */
  @IsString()
  @MinLength(32)
  JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789abcdef';

  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(86400)
  JWT_ACCESS_TTL_SECONDS = 900;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(365)
  JWT_REFRESH_TTL_DAYS = 14;

  @Type(() => Number)
  @IsInt()
  @Min(4)
  @Max(15)
  BCRYPT_ROUNDS = 12;

  /** Key for encrypting secrets at rest (camera passwords, API keys): 32 bytes as 64 hex chars or base64. */
  @IsString()
  @MinLength(32)
  ENCRYPTION_KEY = 'dev-only-encryption-key-change-me-0123456789';

  @IsEmail()
  ADMIN_EMAIL = 'admin@example.com';

  @IsString()
  @MinLength(8)
  ADMIN_PASSWORD = 'admin12345';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  RATE_LIMIT_PER_MINUTE = 120;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  LOGIN_RATE_LIMIT_PER_MINUTE = 10;

  /** Comma-separated CORS origins, or * */
  @IsString()
  CORS_ORIGINS = 'http://localhost:3000,http://localhost:5173';

  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(104857600)
  BODY_LIMIT_BYTES = 1048576;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Transform(toBool)
  @IsBoolean()
  LOG_PRETTY = false;

  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  S3_ENDPOINT = 'http://127.0.0.1:9000';

  /** Endpoint used to sign presigned URLs handed to clients (defaults to S3_ENDPOINT). */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  S3_PUBLIC_ENDPOINT?: string;

  @IsString()
  @MinLength(3)
  S3_ACCESS_KEY = 'S3RVER';

  @IsString()
  @MinLength(3)
  S3_SECRET_KEY = 'S3RVER';

  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/)
  S3_BUCKET = 'face-attendance-bucket';

  @IsString()
  S3_REGION = 'us-east-1';

  /** Milliseconds to wait for the object store to answer a request (connect + response headers). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600000)
  S3_TIMEOUT_MS = 10000;

  @IsString()
  FFMPEG_PATH = '/usr/bin/ffmpeg';

  @IsString()
  FFPROBE_PATH = '/usr/bin/ffprobe';

  @IsString()
  CHROMIUM_PATH = '/usr/bin/chromium';

  /** IANA timezone of the site: attendance days and shifts are computed in it. */
  @IsString()
  SITE_TIMEZONE = 'UTC';

  /** Attendance: minutes without a sighting after which a person is no longer counted on-site. */
  @Type(() => Number)
  @IsInt()
  @Min(5)
  @Max(10080)
  ATTENDANCE_PRESENCE_TIMEOUT_MINUTES = 240;

  /** Attendance: seconds between runs of the mark-missed job (closes ended shifts, expires presence). */
  @Type(() => Number)
  @IsInt()
  @Min(30)
  @Max(86400)
  ATTENDANCE_MARK_MISSED_INTERVAL_SECONDS = 300;

  /** Exports: seconds one CSV/PDF export may take (PDF rendering included) before the attempt fails. */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(3600)
  EXPORT_TIMEOUT_SECONDS = 300;

  /** Exports: most rows a PDF export may hold (larger selections: use CSV). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200000)
  EXPORT_PDF_MAX_ROWS = 20000;

  /** Worker: concurrent detection jobs per process (the built-in engine uses one core per job). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  WORKER_DETECTION_CONCURRENCY = 2;

  /** Worker: sample enabled cameras continuously for detection (false: this worker only runs queued jobs). */
  @Transform(toBool)
  @IsBoolean()
  WORKER_SAMPLING_ENABLED = true;

  /** Worker: port of its internal health endpoint (0 = none). Not public. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  WORKER_HEALTH_PORT = 0;

  /** Worker: seconds to let active jobs finish on SIGTERM/SIGINT before the process exits anyway. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3600)
  WORKER_SHUTDOWN_TIMEOUT_SECONDS = 30;

  /** WebSocket: seconds between server pings; a client that did not pong since the last one is dropped. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3600)
  WS_HEARTBEAT_INTERVAL_SECONDS = 30;

  /** WebSocket: bytes queued for one client above which events are dropped and the client is cut off. */
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(104857600)
  WS_MAX_BUFFERED_BYTES = 1048576;

  /** Seconds between camera watchdog passes. */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(86400)
  CAMERA_WATCHDOG_INTERVAL_SECONDS = 120;

  /** Seconds a camera must stay offline before the watchdog raises a `Camera Offline` alert. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86400)
  CAMERA_OFFLINE_ALERT_SECONDS = 300;

  /** Consecutive good watchdog probes that end an offline episode (and resolve its alert). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10)
  CAMERA_RECOVERY_CHECKS = 2;

  /** Cameras the watchdog probes at the same time (each probe is one ffprobe process). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  CAMERA_WATCHDOG_CONCURRENCY = 6;

  /** ffmpeg socket I/O timeout for camera streams, ms (a silent server gives up after this). */
  @Type(() => Number)
  @IsInt()
  @Min(500)
  @Max(60000)
  CAMERA_SOCKET_TIMEOUT_MS = 5000;

  /** Overall bound of a connection test / watchdog probe, ms; the ffprobe child is killed after it. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(120000)
  CAMERA_PROBE_TIMEOUT_MS = 15000;

  /** Overall bound of a snapshot frame grab, ms; the ffmpeg child is killed after it. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(120000)
  CAMERA_GRAB_TIMEOUT_MS = 10000;

  /** ffmpeg/ffprobe children (probes, snapshots) one api process runs at once; more wait, then 503. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  CAMERA_MAX_CONCURRENT_STREAM_JOBS = 4;

  /** Odoo: bound of one call to Odoo in ms (connection + answer); a slower call counts as a transport error and is retried. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(600000)
  ODOO_REQUEST_TIMEOUT_MS = 30000;

  /** Faces: largest accepted enrolment image in bytes (per image; a larger one is refused with 413). */
  @Type(() => Number)
  @IsInt()
  @Min(65536)
  @Max(52428800)
  FACE_IMAGE_MAX_BYTES = 10485760;

  /** Faces: lifetime in seconds of the presigned URLs of enrolment images (GET /faces/{id}/images). */
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(604800)
  FACE_IMAGE_URL_TTL_SECONDS = 900;

  /** Expose Prometheus metrics at /metrics on this port (0 = on the API port, behind auth). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT = 0;

  /** Address the separate METRICS_PORT listener binds to (127.0.0.1: this host only; 0.0.0.0: all). */
  @IsString()
  METRICS_HOST = '127.0.0.1';

  /** Bearer token the METRICS_PORT listener (api and worker) requires; empty = no token on that port. */
  @IsString()
  METRICS_TOKEN = '';

  /** Seconds between system metric collections (CPU, memory, disk, event loop, queues) by the worker. */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(3600)
  METRICS_COLLECT_INTERVAL_SECONDS = 60;

  /** File system whose usage is collected and checked against ALERT_DISK_USAGE_PERCENT. */
  @IsString()
  METRICS_DISK_PATH = '/';

  /** Disk usage (percent) at which a `disk_pressure` alert is raised; resolved 5 points below. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  ALERT_DISK_USAGE_PERCENT = 90;

  /** Memory usage (percent, page cache counted as free) at which a `memory_pressure` alert is raised. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  ALERT_MEMORY_USAGE_PERCENT = 90;

  /** Retention: days detections (and their thumbnails, and detection event logs) are kept. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  RETENTION_DETECTIONS_DAYS = 90;

  /** Retention: days thumbnails of unknown faces are kept (the detection row stays until RETENTION_DETECTIONS_DAYS). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  RETENTION_UNKNOWN_FACE_THUMBNAILS_DAYS = 30;

  /** Retention: days audit log rows are kept. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  RETENTION_AUDIT_DAYS = 365;

  /** Retention: days system metric samples are kept. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  RETENTION_METRICS_DAYS = 30;

  /** Retention: days closed alerts (resolved or acknowledged) and notifications are kept. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  RETENTION_ALERTS_DAYS = 180;

  /** Retention: cron pattern (in SITE_TIMEZONE) of the daily cleanup job. */
  @Matches(/^\S+( \S+){4,5}$/, { message: 'RETENTION_CLEANUP_CRON must be a cron pattern of 5 or 6 fields' })
  RETENTION_CLEANUP_CRON = '0 2 * * *';

  /** Developer console: bound of one invoked request in ms. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(120000)
  DEVELOPER_INVOKE_TIMEOUT_MS = 15000;

  /** Git commit of the build, reported by /system/version. */
  @IsOptional()
  @IsString()
  GIT_COMMIT?: string;
}

export class EnvValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvValidationError';
  }
}

/** Validate a raw environment; throws EnvValidationError naming every offending variable. */
export function validateEnv(raw: Record<string, string | undefined>): EnvDto {
  const known = new Set(Object.keys(new EnvDto()));
  known.add('S3_PUBLIC_ENDPOINT');
  known.add('GIT_COMMIT');
  const input: Record<string, string> = {};
  for (const key of known) {
    const value = raw[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const env = plainToInstance(EnvDto, input, { exposeDefaultValues: true });
  const errors = validateSync(env, { whitelist: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new EnvValidationError(errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`));
  }
  if (env.NODE_ENV === 'production') {
    const weak: string[] = [];
    if (env.JWT_SECRET.startsWith('dev-only')) weak.push('JWT_SECRET: must be set in production');
    if (env.ENCRYPTION_KEY.startsWith('dev-only')) weak.push('ENCRYPTION_KEY: must be set in production');
    if (weak.length) throw new EnvValidationError(weak);
  }
  return env;
}

let cached: EnvDto | undefined;

/** The process-wide env (validated once). Tests may call resetEnv() after changing process.env. */
export function loadEnv(): EnvDto {
  cached ??= validateEnv(process.env);
  return cached;
}

export function resetEnv(): void {
  cached = undefined;
}
