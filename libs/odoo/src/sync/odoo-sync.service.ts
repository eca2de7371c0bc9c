import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { Paginated, badRequest, pageWindow, serviceUnavailable, unprocessable } from '@app/core';
import type { AuthPrincipal } from '@app/core';
import { JOBS, JobsProducer, QUEUES, toJobStatus, type OdooSyncPayload } from '@app/queue';
import { OdooStatusDto, OdooSyncAcceptedDto, OdooSyncLogDto, type ListOdooSyncLogsQueryDto, type StartOdooSyncDto } from '../dto/odoo.dto';
import { ODOO_AUTO_SYNC_SCHEDULER } from '../odoo.constants';
import { OdooConfigService } from '../odoo-config.service';
import { OdooAttendanceRepository } from '../repositories/odoo-attendance.repository';
import { OdooConfigRepository } from '../repositories/odoo-config.repository';
import { OdooSyncLogRepository } from '../repositories/odoo-sync-log.repository';
import { OdooSyncLock } from './odoo-sync.lock';

const QUEUE_TIMEOUT_MS = 5000;
const UNFINISHED = ['active', 'waiting', 'delayed', 'prioritized'] as const;

/**
 * The api's side of the sync: starting one (POST /odoo/sync), its status and its history.
 *
 * Two syncs never run at once: the worker holds a Redis lock while it runs. A request for a full
 * sync while another manual full sync is queued or running is answered with that job's id
 * (`deduplicated: true`) instead of queueing a copy; a request naming logs is queued and runs after
 * the current one.
 */
@Injectable()
export class OdooSyncService {
  constructor(
    private readonly config: OdooConfigService,
    private readonly configRepo: OdooConfigRepository,
    private readonly attendance: OdooAttendanceRepository,
    private readonly syncLogs: OdooSyncLogRepository,
    private readonly lock: OdooSyncLock,
    private readonly producer: JobsProducer,
    @InjectQueue(QUEUES.odooSync) private readonly queue: Queue,
  ) {}

  async requestSync(dto: StartOdooSyncDto, actor: AuthPrincipal): Promise<OdooSyncAcceptedDto> {
    await this.config.requireConfigured();
    const recordIds = dto.recordIds ? [...new Set(dto.recordIds)] : undefined;
    if (recordIds) {
      const existing = new Set((await this.attendance.findExisting(recordIds)).map((e) => e.id));
      const unknown = recordIds.filter((id) => !existing.has(id));
      if (unknown.length > 0) {
        throw unprocessable(`Unknown attendance log ids: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', ...' : ''}`, [
          { field: 'recordIds', issue: `${unknown.length} ids do not exist` },
        ]);
      }
    } else {
      const running = await this.findUnfinishedFullSync(dto.retryFailed === true);
      if (running) return { ...running, deduplicated: true };
    }
    const payload: OdooSyncPayload = { trigger: 'manual', requestedBy: actor.userId };
    if (recordIds) payload.recordIds = recordIds;
    if (dto.retryFailed) payload.retryFailed = true;
    const jobId = await this.producer.enqueue(JOBS.odooSync, payload);
    return { jobId, status: 'queued', deduplicated: false };
  }

  async status(): Promise<OdooStatusDto> {
    const [config, counts, running, queued, scheduler] = await Promise.all([
      this.configRepo.get(),
      this.config.counts(),
      this.lock.current(),
      this.bounded('status', this.queue.getJobs(['waiting', 'delayed', 'prioritized'], 0, 1000)),
      this.bounded('status', this.queue.getJobScheduler(ODOO_AUTO_SYNC_SCHEDULER)),
    ]);
    const next = config.autoSync && scheduler?.next ? new Date(scheduler.next).toISOString() : null;
    return {
      status: config.status,
      autoSync: config.autoSync,
      lastSync: config.lastSync ? config.lastSync.toISOString() : null,
      pendingCount: counts.pending,
      failedCount: counts.failed,
      syncedCount: counts.synced,
      running: running !== null,
      runningJobId: running?.jobId ?? null,
      runningSince: running?.startedAt ?? null,
      // the scheduler's next tick (repeat:...) is not a queued sync
      queuedJobs: queued.filter((job) => job.name === JOBS.odooSync && !job.id?.startsWith('repeat:')).length,
      nextScheduledSync: next,
    };
  }

  async logs(q: ListOdooSyncLogsQueryDto): Promise<Paginated<OdooSyncLogDto>> {
    const from = q.from ? new Date(q.from) : undefined;
    const to = q.to ? new Date(q.to) : undefined;
    if (from && to && from > to) {
      throw badRequest('from must not be after to', [{ field: 'from', issue: 'must not be after to' }]);
    }
    const { page, pageSize, skip, take } = pageWindow(q);
    const [rows, total] = await this.syncLogs.list({
      result: q.result,
      employeeId: q.employeeId,
      attendanceLogId: q.attendanceLogId,
      from,
      to,
      skip,
      take,
    });
    return Paginated.of(
      rows.map((r) => OdooSyncLogDto.from(r)),
      total,
      page,
      pageSize,
    );
  }

  /** A queued or running manual sync of all pending logs (same retryFailed), if any. */
  private async findUnfinishedFullSync(retryFailed: boolean): Promise<{ jobId: string; status: 'queued' | 'active' } | null> {
    const jobs: Job[] = await this.bounded('requestSync', this.queue.getJobs([...UNFINISHED], 0, 200));
    for (const job of jobs) {
      const data = job.data as Partial<OdooSyncPayload> | undefined;
      if (job.name !== JOBS.odooSync || !job.id?.startsWith('sync_') || data?.trigger !== 'manual') continue;
      if ((data.recordIds?.length ?? 0) > 0 || (data.retryFailed === true) !== retryFailed) continue;
      const state = toJobStatus(await this.bounded('requestSync', job.getState()));
      if (state === 'queued' || state === 'active') return { jobId: job.id, status: state };
    }
    return null;
  }

  private async bounded<T>(operation: string, promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(serviceUnavailable('The job queue is unavailable', { operation })), QUEUE_TIMEOUT_MS);
      timer.unref();
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
