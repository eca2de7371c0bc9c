import { Injectable } from '@nestjs/common';
import { rootLogger } from '@app/core';
import { AlertsService, NotificationsService } from '@app/alerts';
import type { OdooSyncPayload } from '@app/queue';
import type { OdooClient } from '../client/odoo.client';
import { OdooError } from '../client/odoo.errors';
import type { OdooCallEvent } from '../client/odoo.types';
import type { OdooConnectionStatus } from '../entities/odoo-config.entity';
import { DEFAULT_SYNC_SETTINGS, ODOO_ALERT_KIND, ODOO_ALERT_SUBJECT, type OdooSyncSettings } from '../odoo.constants';
import { OdooConfigService, OdooNotConfiguredError } from '../odoo-config.service';
import { OdooAttendanceRepository } from '../repositories/odoo-attendance.repository';
import { OdooConfigRepository } from '../repositories/odoo-config.repository';
import { OdooEmployeeDirectory, type EmployeeScope } from './odoo-employee.directory';
import { withRetry } from './odoo-retry';
import { OdooSyncEngine, SyncAbortError, toAbort } from './odoo-sync.engine';
import { OdooSyncLock } from './odoo-sync.lock';
import type { OdooSyncRunResult, SyncOutcome } from './odoo-sync.types';

/** What the processor passes in about the BullMQ job. */
export interface SyncJobContext {
  jobId: string | null;
  /** 1-based attempt number of this run. */
  attempt: number;
  maxAttempts: number;
  progress?: (progress: SyncProgress) => Promise<void> | void;
}

export interface SyncProgress {
  total: number;
  processed: number;
  synced: number;
  failed: number;
}

/** busy: another sync holds the lock (the processor re-queues or skips the job). */
export type SyncRunOutcome = { kind: 'busy' } | { kind: 'done'; result: OdooSyncRunResult };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One sync run (the worker's side of POST /odoo/sync and of the 30-minute schedule): takes the
 * run lock, authenticates, pushes the logs in batches through OdooSyncEngine and records every
 * outcome, then updates the config counters, raises or resolves the failure alert and notifies the
 * user who asked for it.
 */
@Injectable()
export class OdooSyncRunner {
  /** Tuning (tests and the benchmark change it; production uses the defaults). */
  settings: OdooSyncSettings = { ...DEFAULT_SYNC_SETTINGS };
  private readonly log = rootLogger().child({ context: 'OdooSync' });

  constructor(
    private readonly configService: OdooConfigService,
    private readonly configRepo: OdooConfigRepository,
    private readonly attendance: OdooAttendanceRepository,
    private readonly lock: OdooSyncLock,
    private readonly employees: OdooEmployeeDirectory,
    private readonly alerts: AlertsService,
    private readonly notifications: NotificationsService,
  ) {}

  async run(payload: OdooSyncPayload, job: SyncJobContext): Promise<SyncRunOutcome> {
    const started = new Date();
    const settings = this.settings;
    const result = emptyResult(payload.trigger, started);
    const config = await this.configRepo.get();

    if (payload.trigger === 'scheduled' && !config.autoSync) {
      return this.done(result, 'skipped', 'Automatic sync is off');
    }
    const onCall = (event: OdooCallEvent): void => {
      result.calls += 1;
      result.odooMs += event.durationMs;
      result.callsByOperation[event.operation] = (result.callsByOperation[event.operation] ?? 0) + 1;
    };
    let client: OdooClient;
    try {
      client = this.configService.createClient(this.configService.connectionFor(config), onCall);
    } catch (err) {
      // Not configured, a key that no longer decrypts, or a stored URL the client refuses.
      if (!(err instanceof OdooNotConfiguredError) && !(err instanceof OdooError)) throw err;
      const done = this.done(result, 'failed', err.message);
      if (config.autoSync) {
        // Automatic sync is on but cannot run (e.g. the key no longer decrypts): someone must act.
        await this.alerts.raise({
          kind: ODOO_ALERT_KIND,
          subject: ODOO_ALERT_SUBJECT,
          title: 'Odoo sync cannot run',
          description: err.message,
          level: 'high',
          tags: ['odoo', ODOO_ALERT_KIND],
        });
      }
      await this.notifyRequester(payload, done.result);
      return done;
    }

    const held = await this.lock.acquire({ jobId: job.jobId, trigger: payload.trigger }, settings.lockTtlMs, settings.lockRenewMs);
    if (!held) return { kind: 'busy' };
    const checkpoint = (): void => {
      if (held.lost) {
        throw new SyncAbortError(
          'lock-lost',
          'The sync lost its lock (it stalled longer than the lock TTL); stopping so that two runs never overlap',
          true,
        );
      }
    };

    const policy = { attempts: settings.retryAttempts, baseDelayMs: settings.retryBaseDelayMs, maxDelayMs: settings.retryMaxDelayMs };
    const scope: EmployeeScope = { baseUrl: config.baseUrl, database: config.database, field: config.employeeMatchField };
    const explicit = payload.recordIds !== undefined && payload.recordIds.length > 0;
    const retryFailed = explicit || payload.retryFailed === true;
    const recheckUnknown = retryFailed;
    const engine = new OdooSyncEngine({
      client,
      settings,
      matchField: config.employeeMatchField,
      lookupEmployees: (codes) =>
        this.employees.resolve(
          scope,
          codes,
          settings.employeeCacheSeconds,
          (misses) => withRetry(() => client.searchReadEmployees(config.employeeMatchField, misses), policy),
          recheckUnknown,
        ),
      forgetEmployee: (code) => this.employees.forget(scope, code),
      findOwners: (ids) => this.attendance.findOwners(ids),
      checkpoint,
    });

    let talkedToOdoo = false;
    try {
      let ids: string[];
      if (explicit) {
        // Logs without a check-in (missed shifts) have nothing to send: counted as unchanged.
        const existing = await this.attendance.findExisting([...new Set(payload.recordIds)]);
        ids = existing.filter((e) => e.hasCheckIn).map((e) => e.id);
        result.unchanged += existing.length - ids.length;
        result.total = existing.length;
      } else {
        ids = await this.attendance.findIdsToSync({ retryFailed, limit: settings.maxLogsPerRun });
        result.total = ids.length;
      }
      this.log.info({ jobId: job.jobId, trigger: payload.trigger, total: ids.length }, 'odoo sync started');
      if (ids.length > 0) {
        // Nothing to push, nothing to ask: an idle run does not call Odoo at all.
        try {
          await withRetry(() => client.authenticate(), policy);
        } catch (err) {
          throw toAbort(err, policy.attempts);
        }
        talkedToOdoo = true;
      }

      let processed = 0;
      for (let start = 0; start < ids.length; start += settings.batchSize) {
        checkpoint();
        const chunk = ids.slice(start, start + settings.batchSize);
        const logs = await this.attendance.loadForSync(chunk, retryFailed);
        result.unchanged += chunk.length - logs.length;
        const outcomes = new Map<string, SyncOutcome>();
        try {
          await engine.syncBatch(logs, outcomes);
        } finally {
          // Whatever reached Odoo is recorded, also when the batch was interrupted.
          await this.attendance.recordOutcomes([...outcomes.values()]);
          tally(result, outcomes, new Set(chunk));
          await this.configService.invalidateCounts();
        }
        processed += chunk.length;
        await job.progress?.({ total: ids.length, processed, synced: result.synced, failed: result.failed });
      }
    } catch (err) {
      if (!(err instanceof SyncAbortError)) throw err;
      const final = !err.retryable || job.attempt >= job.maxAttempts;
      await this.finishAborted(err, result, final);
      if (!final) throw err;
      const done = this.done(result, 'failed', err.message);
      await this.notifyRequester(payload, done.result);
      return done;
    } finally {
      await held.release();
    }

    const done = this.done(result, 'completed');
    await this.finishCompleted(done.result, config.failureAlertThreshold, talkedToOdoo ? 'connected' : config.status);
    await this.notifyRequester(payload, done.result);
    this.log.info({ jobId: job.jobId, ...summary(done.result) }, 'odoo sync finished');
    return done;
  }

  // ------------------------------------------------------------------ endings

  private async finishCompleted(result: OdooSyncRunResult, threshold: number, status: OdooConnectionStatus): Promise<void> {
    const counts = await this.configService.counts();
    await this.configRepo.recordRun({
      status,
      lastSync: new Date(result.finishedAt),
      pendingCount: counts.pending,
      failureCount: counts.failed,
    });
    if (counts.failed > threshold) {
      await this.alerts.raise({
        kind: ODOO_ALERT_KIND,
        subject: ODOO_ALERT_SUBJECT,
        title: `${counts.failed} attendance logs failed to sync to Odoo`,
        description: `${counts.failed} attendance logs could not be pushed to Odoo (alert threshold ${threshold}). GET /odoo/logs?result=failure lists the reasons; fix them in Odoo and sync again with retryFailed.`,
        level: 'medium',
        tags: ['odoo', ODOO_ALERT_KIND],
      });
    } else {
      await this.alerts.resolve(ODOO_ALERT_KIND, ODOO_ALERT_SUBJECT);
    }
  }

  private async finishAborted(err: SyncAbortError, result: OdooSyncRunResult, final: boolean): Promise<void> {
    const status: OdooConnectionStatus | null = err.kind === 'unreachable' ? 'disconnected' : err.kind === 'lock-lost' ? null : 'error';
    await this.configService.invalidateCounts();
    const counts = await this.configService.counts();
    const current = await this.configRepo.get();
    await this.configRepo.recordRun({ status: status ?? current.status, pendingCount: counts.pending, failureCount: counts.failed });
    this.log.warn({ kind: err.kind, final, ...summary(result), error: err.message }, 'odoo sync stopped');
    if (final && err.kind !== 'lock-lost') {
      await this.alerts.raise({
        kind: ODOO_ALERT_KIND,
        subject: ODOO_ALERT_SUBJECT,
        title: err.kind === 'auth' ? 'Odoo refused the sync credentials' : 'Odoo sync failed',
        description: `${err.message}. ${counts.pending} attendance logs are waiting to be pushed.`,
        level: 'high',
        tags: ['odoo', ODOO_ALERT_KIND],
      });
    }
  }

  private async notifyRequester(payload: OdooSyncPayload, result: OdooSyncRunResult): Promise<void> {
    if (payload.trigger !== 'manual' || !payload.requestedBy || !UUID.test(payload.requestedBy)) return;
    try {
      const ok = result.status === 'completed';
      await this.notifications.notify({
        userId: payload.requestedBy,
        title: ok ? 'Odoo Sync Complete' : 'Odoo Sync Failed',
        message: ok
          ? `${result.synced} attendance logs synced, ${result.failed} failed${result.remaining ? `, ${result.remaining} left for the next run` : ''}.`
          : `The sync stopped: ${result.reason ?? 'unknown error'}.`,
        level: !ok ? 'critical' : result.failed > 0 ? 'warning' : 'info',
        link: result.failed > 0 || !ok ? '/attendance?odooStatus=failed' : '/attendance',
        source: 'odoo',
      });
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'odoo sync notification failed');
    }
  }

  private done(
    result: OdooSyncRunResult,
    status: OdooSyncRunResult['status'],
    reason?: string,
  ): { kind: 'done'; result: OdooSyncRunResult } {
    const finished = new Date();
    result.status = status;
    if (reason) result.reason = reason;
    result.remaining = Math.max(0, result.total - result.synced - result.failed - result.unchanged);
    result.finishedAt = finished.toISOString();
    result.durationMs = finished.getTime() - Date.parse(result.startedAt);
    result.odooMs = Math.round(result.odooMs);
    return { kind: 'done', result };
  }
}

function emptyResult(trigger: OdooSyncRunResult['trigger'], started: Date): OdooSyncRunResult {
  return {
    status: 'completed',
    trigger,
    total: 0,
    synced: 0,
    failed: 0,
    unchanged: 0,
    remaining: 0,
    created: 0,
    adopted: 0,
    checkOuts: 0,
    reconciled: 0,
    calls: 0,
    callsByOperation: {},
    odooMs: 0,
    durationMs: 0,
    startedAt: started.toISOString(),
    finishedAt: started.toISOString(),
  };
}

/** Counts the outcomes of the batch's own logs (not the side updates of older logs closed to make room). */
function tally(result: OdooSyncRunResult, outcomes: Map<string, SyncOutcome>, batch: Set<string>): void {
  for (const o of outcomes.values()) {
    if (!batch.has(o.logId)) continue;
    if (o.result === 'failure') {
      result.failed += 1;
      continue;
    }
    result.synced += 1;
    if (o.action === 'create') result.created += 1;
    else if (o.action === 'adopt') result.adopted += 1;
    else if (o.action === 'check_out') result.checkOuts += 1;
    else if (o.action === 'reconcile') result.reconciled += 1;
  }
}

function summary(r: OdooSyncRunResult): Record<string, number> {
  return {
    total: r.total,
    synced: r.synced,
    failed: r.failed,
    created: r.created,
    adopted: r.adopted,
    checkOuts: r.checkOuts,
    calls: r.calls,
  };
}
