/**
 * The one job catalogue: every queue, every job name, which queue a job goes to and its default
 * retry policy. Producers (api and worker) enqueue through JobsProducer; processors (worker only)
 * switch on these names.
 */

export const QUEUES = {
  detection: 'detection',
  odooSync: 'odoo-sync',
  exports: 'exports',
  maintenance: 'maintenance',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export const QUEUE_NAMES: readonly QueueName[] = Object.values(QUEUES);

export const JOBS = {
  /** Grab one frame from a camera and run detection on it (manual or from the sampler). */
  detectFrame: 'detect-frame',
  /** Fan-out: enqueue detect-frame for every camera due for sampling. */
  sampleCameras: 'sample-cameras',
  /** Push pending attendance records (or the given ones) to Odoo. */
  odooSync: 'odoo-sync',
  /** Render an attendance export (CSV/PDF) and store it. */
  exportAttendance: 'export-attendance',
  /** Mark cameras offline whose last frame is too old; raise alerts. */
  cameraWatchdog: 'camera-watchdog',
  /** Probe the detection provider and record its health. */
  providerHealth: 'provider-health',
  /** Enrol at / erase from an external detection provider's gallery (one profile, or every active one). */
  providerGallerySync: 'provider-gallery-sync',
  /** Sample CPU, memory, disk and queue depths into system metrics. */
  collectMetrics: 'collect-metrics',
  /** Delete data past its retention (detections, audit, exports, metrics). */
  cleanup: 'cleanup',
  /** Close the attendance day: mark scheduled shifts without a check-in as missed. */
  markMissed: 'mark-missed',
  /** Remove a face profile's or image's files from object storage after the database erased it (retried). */
  faceStorageErase: 'face-storage-erase',
  /** Remove files under faces/ that no face_images row owns any more (safety net of the erasure). */
  faceStorageSweep: 'face-storage-sweep',
} as const;
export type JobName = (typeof JOBS)[keyof typeof JOBS];
export const JOB_NAMES: readonly JobName[] = Object.values(JOBS);

export interface BackoffPolicy {
  type: 'exponential' | 'fixed';
  /** Milliseconds: the first retry delay (exponential doubles it each time). */
  delay: number;
}

export interface RetentionPolicy {
  /** Seconds a finished job is kept (for GET /jobs/{id}). */
  age: number;
  /** At most this many finished jobs of the queue are kept. */
  count: number;
}

export interface JobDefinition {
  queue: QueueName;
  attempts: number;
  backoff?: BackoffPolicy;
  removeOnComplete: RetentionPolicy;
  removeOnFail: RetentionPolicy;
}

const HOUR = 3600;
const DAY = 24 * HOUR;

const keepShort = { removeOnComplete: { age: HOUR, count: 1000 }, removeOnFail: { age: DAY, count: 1000 } };
const keepLong = { removeOnComplete: { age: DAY, count: 1000 }, removeOnFail: { age: 7 * DAY, count: 5000 } };

export const JOB_CATALOGUE: Readonly<Record<JobName, JobDefinition>> = {
  'detect-frame': {
    queue: QUEUES.detection,
    attempts: 3,
    backoff: { type: 'exponential', delay: 1000 },
    ...keepShort,
  },
  'sample-cameras': { queue: QUEUES.detection, attempts: 1, ...keepShort },
  'provider-gallery-sync': {
    queue: QUEUES.detection,
    attempts: 5,
    backoff: { type: 'exponential', delay: 5000 },
    ...keepLong,
  },
  'odoo-sync': {
    queue: QUEUES.odooSync,
    attempts: 5,
    backoff: { type: 'exponential', delay: 5000 },
    ...keepLong,
  },
  'export-attendance': {
    queue: QUEUES.exports,
    attempts: 2,
    backoff: { type: 'fixed', delay: 5000 },
    ...keepLong,
  },
  'camera-watchdog': { queue: QUEUES.maintenance, attempts: 1, ...keepShort },
  'provider-health': { queue: QUEUES.maintenance, attempts: 1, ...keepShort },
  'collect-metrics': { queue: QUEUES.maintenance, attempts: 1, ...keepShort },
  cleanup: { queue: QUEUES.maintenance, attempts: 2, backoff: { type: 'fixed', delay: 60000 }, ...keepLong },
  'mark-missed': { queue: QUEUES.maintenance, attempts: 3, backoff: { type: 'exponential', delay: 10000 }, ...keepLong },
  'face-storage-erase': {
    queue: QUEUES.maintenance,
    attempts: 12,
    backoff: { type: 'exponential', delay: 15000 },
    ...keepLong,
  },
  'face-storage-sweep': { queue: QUEUES.maintenance, attempts: 2, backoff: { type: 'fixed', delay: 60000 }, ...keepLong },
};

/**
 * Public job ids carry their queue: `det_<uuid>`, `sync_<uuid>`, `exp_<uuid>`, `mnt_<uuid>`
 * (or the prefix + a caller's de-duplication key). getJob finds the queue from the prefix alone.
 */
export const QUEUE_ID_PREFIX: Readonly<Record<QueueName, string>> = {
  detection: 'det_',
  'odoo-sync': 'sync_',
  exports: 'exp_',
  maintenance: 'mnt_',
};

/** The queue a public job id belongs to, or null when the id has no known prefix. */
export function queueOfJobId(id: string): QueueName | null {
  for (const queue of QUEUE_NAMES) {
    if (id.startsWith(QUEUE_ID_PREFIX[queue]) && id.length > QUEUE_ID_PREFIX[queue].length) return queue;
  }
  return null;
}

export function isJobName(value: string): value is JobName {
  return (JOB_NAMES as readonly string[]).includes(value);
}

/** Key prefix of BullMQ's Redis keys: `<REDIS_PREFIX>:bull`. */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}:bull`;
}
