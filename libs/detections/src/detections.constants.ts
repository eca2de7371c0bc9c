/**
 * Names shared by the api and the worker sides of the detection pipeline: Redis keys (every one
 * carries REDIS_PREFIX through the shared client), alert kinds and storage keys.
 */

/** Alert kind raised for a stranger in front of a camera (subject = camera id). */
export const UNKNOWN_FACE_ALERT = 'unknown_face';
/** Alert kind raised while the detection provider is degraded or offline (subject = provider kind). */
export const PROVIDER_DEGRADED_ALERT = 'provider_degraded';

/** Storage key of a detection's face crop (spec: thumbnails/{detection_id}.jpg). */
export const thumbnailKey = (detectionId: string): string => `thumbnails/${detectionId}.jpg`;

/** Redis keys. `scope` of the live cache is a camera id or LIVE_ALL_SCOPE. */
export const LIVE_ALL_SCOPE = '*';
export const REDIS_KEYS = {
  /** List of rendered LiveDetectionDto JSON strings, newest first, capped. */
  liveList: (scope: string): string => `det:live:list:${scope}`,
  /** Epoch ms until which the list is considered fresh; absent = cold (not built yet). */
  liveMeta: (scope: string): string => `det:live:meta:${scope}`,
  /** Incremented by every write: a rebuild that raced with a write is discarded. */
  liveVersion: (scope: string): string => `det:live:ver:${scope}`,
  /** The live fast path's short-lived copy of a user's status and permissions. */
  livePrincipal: (userId: string): string => `det:live:principal:${userId}`,
  /** Short lock so that one process rebuilds a cold list while the others read PostgreSQL. */
  liveRebuildLock: (scope: string): string => `det:live:lock:${scope}`,
  /** Latest sampled frame of a camera: hash {jpeg, capturedAt, seq, width?}. */
  frame: (cameraId: string): string => `det:frame:${cameraId}`,
  /** Worker id holding the right to sample a camera (PX lease). */
  samplerLease: (cameraId: string): string => `det:lease:${cameraId}`,
  /** Public job id of the sampled detection in flight for a camera (no overlap). */
  busy: (cameraId: string): string => `det:busy:${cameraId}`,
  /** Open sighting tracks of a camera (JSON). */
  tracks: (cameraId: string): string => `det:tracks:${cameraId}`,
  /** Mutex around a camera's track update. */
  tracksLock: (cameraId: string): string => `det:tracks-lock:${cameraId}`,
  /** Cool-down of the Unknown Face alert of a camera. */
  unknownAlertGate: (cameraId: string): string => `det:unknown-alert:${cameraId}`,
  /** Recent provider call latencies (ms), newest first, for averageLatencyMs. */
  providerLatencies: 'det:provider:latencies',
  /** Last time the sampler wrote cameras.last_seen for a camera (write at most every 10 s). */
  seenGate: (cameraId: string): string => `det:seen:${cameraId}`,
} as const;

/** How many detections a live list keeps (and the largest `limit` of GET /detections/live). */
export const LIVE_LIST_CAP = 100;

/** Lifetime of the presigned thumbnail URLs rendered into the live cache (the SigV4 maximum). */
export const LIVE_THUMBNAIL_URL_SECONDS = 7 * 24 * 3600;
/**
 * A live list is rebuilt from PostgreSQL (fresh URLs) once it is older than this; until then it is
 * served as it is. Far below the URL lifetime, so a URL read from the cache is always valid.
 */
export const LIVE_REFRESH_MS = 24 * 3600 * 1000;

/** Lifetime of presigned thumbnail URLs returned by PostgreSQL reads (fallback, events). */
export const THUMBNAIL_URL_SECONDS = 3600;

/** Sampler defaults. */
export const SAMPLER = {
  /** Lease time-to-live: a dead worker's cameras are taken over after at most this long. */
  leaseMs: 15_000,
  /** How often a worker renews its leases and looks for unclaimed cameras. */
  reconcileMs: 5_000,
  /** A sampled frame older than this many intervals (min 10 s) is not used. */
  frameMaxAgeIntervals: 3,
  /** Bound of the in-flight marker of a camera (above the job's 30 s bound). */
  busyMs: 35_000,
  /** Largest frame width kept for detection (wider frames are downscaled by ffmpeg). */
  maxWidth: 1280,
} as const;

/** The pipeline's bound for one job (spec: timeout 30 s). */
export const DETECTION_JOB_TIMEOUT_MS = 30_000;
