import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { Job, JobsOptions, JobState, Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { ApiException, ErrorCode, rootLogger } from '@app/core';
import { JobPayloadMap, validateJobPayload } from './job-payloads';
import {
  BackoffPolicy,
  isJobName,
  JOB_CATALOGUE,
  JobName,
  QUEUE_ID_PREFIX,
  QUEUE_NAMES,
  QueueName,
  queueOfJobId,
  QUEUES,
} from './queue.constants';

export interface EnqueueOptions {
  /**
   * De-duplication key: while a job with the same key exists (waiting, running, or kept after it
   * finished), enqueueing again returns the existing job's id instead of adding another.
   * Letters, digits, `_`, `-`, `.` only (BullMQ forbids `:`).
   */
  jobId?: string;
  attempts?: number;
  backoff?: BackoffPolicy;
  /** Milliseconds before the job becomes runnable. */
  delay?: number;
  /** 1 (highest) .. 2_097_152; omitted = normal FIFO. */
  priority?: number;
}

export type JobStatus = 'queued' | 'active' | 'completed' | 'failed';

export interface JobView {
  id: string;
  name: JobName;
  queue: QueueName;
  status: JobStatus;
  /** What the processor reported with job.updateProgress (0 until then). */
  progress: number | string | boolean | object;
  /** The processor's return value once completed, else null. */
  result: unknown;
  /** The last failure message (also set while a failed attempt waits for its retry). */
  error: string | null;
  /** Attempts made so far. */
  attempts: number;
  maxAttempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/** Redis (BullMQ) did not answer in time. Answered as 503. */
export class QueueUnavailableError extends ApiException {
  constructor(operation: string) {
    super(HttpStatus.SERVICE_UNAVAILABLE, ErrorCode.SERVICE_UNAVAILABLE, 'The job queue is unavailable', { operation });
    this.name = 'QueueUnavailableError';
  }
}

const CUSTOM_ID = /^[A-Za-z0-9_.-]{1,200}$/;
const REDIS_TIMEOUT_MS = 5000;

export function toJobStatus(state: JobState | 'unknown'): JobStatus | null {
  switch (state) {
    case 'active':
      return 'active';
    case 'completed':
      return 'completed';
    case 'failed':
      return 'failed';
    case 'waiting':
    case 'delayed':
    case 'prioritized':
    case 'waiting-children':
      return 'queued';
    default:
      return null;
  }
}

function iso(ms: number | undefined): string | null {
  return ms ? new Date(ms).toISOString() : null;
}

/**
 * The one producer: picks the queue from the catalogue, applies the job type's retry and retention
 * policy, validates the payload and returns a public job id (`det_…`, `sync_…`, `exp_…`, `mnt_…`).
 */
@Injectable()
export class JobsProducer {
  private readonly queues: Readonly<Record<QueueName, Queue>>;

  constructor(
    @InjectQueue(QUEUES.detection) detection: Queue,
    @InjectQueue(QUEUES.odooSync) odooSync: Queue,
    @InjectQueue(QUEUES.exports) exports: Queue,
    @InjectQueue(QUEUES.maintenance) maintenance: Queue,
  ) {
    this.queues = { detection, 'odoo-sync': odooSync, exports, maintenance };
    // Without a listener BullMQ prints connection errors to the console; they belong in the log
    // (readiness already reports an unreachable Redis).
    for (const queue of Object.values(this.queues)) {
      queue.on('error', (err: Error) => rootLogger().debug({ queue: queue.name, err: err.message }, 'queue connection error'));
    }
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayloadMap[N], opts: EnqueueOptions = {}): Promise<string> {
    const def = JOB_CATALOGUE[name];
    const data = validateJobPayload(name, payload);
    if (opts.jobId !== undefined && !CUSTOM_ID.test(opts.jobId)) {
      throw new Error(`jobId '${opts.jobId}' must match ${CUSTOM_ID.source}`);
    }
    const id = `${QUEUE_ID_PREFIX[def.queue]}${opts.jobId ?? randomUUID()}`;
    const backoff = opts.backoff ?? def.backoff;
    const jobOpts: JobsOptions = {
      jobId: id,
      attempts: opts.attempts ?? def.attempts,
      ...(backoff ? { backoff } : {}),
      ...(opts.delay !== undefined ? { delay: opts.delay } : {}),
      ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
      removeOnComplete: def.removeOnComplete,
      removeOnFail: def.removeOnFail,
    };
    const job = await this.withTimeout('enqueue', this.queues[def.queue].add(name, { ...data }, jobOpts));
    return job.id ?? id;
  }

  /** A job by its public id, or null when unknown (never existed, or removed after its retention). */
  async getJob(id: string): Promise<JobView | null> {
    const queue = queueOfJobId(id);
    if (!queue) return null;
    // State first, then the job hash: the data read is at least as new as the state, so a
    // 'completed' job always comes with its result (the other order races with the worker).
    const status = toJobStatus(await this.withTimeout('getJob', this.queues[queue].getJobState(id)));
    if (!status) return null;
    const job = await this.withTimeout('getJob', this.queues[queue].getJob(id));
    if (!job || !job.id || !isJobName(job.name)) return null;
    return this.view(job, queue, status);
  }

  /** Counts per queue for metrics: waiting includes prioritized and waiting-children. */
  async queueDepths(): Promise<Record<QueueName, QueueDepth>> {
    const entries = await Promise.all(
      QUEUE_NAMES.map(async (name) => {
        const c = await this.withTimeout(
          'queueDepths',
          this.queues[name].getJobCounts('waiting', 'prioritized', 'waiting-children', 'active', 'delayed', 'failed'),
        );
        const depth: QueueDepth = {
          waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0),
          active: c.active ?? 0,
          delayed: c.delayed ?? 0,
          failed: c.failed ?? 0,
        };
        return [name, depth] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<QueueName, QueueDepth>;
  }

  private view(job: Job, queue: QueueName, status: JobStatus): JobView {
    const progress: JobView['progress'] = job.progress ?? 0;
    return {
      id: job.id!,
      name: job.name as JobName,
      queue,
      status,
      progress,
      result: status === 'completed' ? ((job.returnvalue as unknown) ?? null) : null,
      error: job.failedReason || null,
      attempts: job.attemptsMade,
      maxAttempts: job.opts.attempts ?? 1,
      createdAt: new Date(job.timestamp).toISOString(),
      startedAt: iso(job.processedOn),
      finishedAt: status === 'completed' || status === 'failed' ? iso(job.finishedOn) : null,
    };
  }

  private async withTimeout<T>(operation: string, promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new QueueUnavailableError(operation)), REDIS_TIMEOUT_MS);
      timer.unref();
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
