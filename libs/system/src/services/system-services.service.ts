import { Injectable } from '@nestjs/common';
import type { AuthPrincipal } from '@app/core';
import { RedisService, conflict, notFound, rootLogger, serviceUnavailable } from '@app/core';
import { JobsProducer, QueueDepth } from '@app/queue';
import { AuditService } from '@app/audit';
import { HealthService, type DependencyCheck } from '../health/health.service';
import { WorkerRegistryService } from '../workers/worker-registry.service';
import type { WorkerHeartbeat } from '../workers/worker-heartbeat';
import { ApiHeartbeatService, type ApiHeartbeat } from './api-heartbeat';
import { SystemStatusRepository } from './system-status.repository';
import { RestartResultDto, SystemServiceDto } from '../dto/system.dto';

/** Every cache key of the application lives under this prefix (after REDIS_PREFIX); `redis-cache` restart deletes them. */
export const CACHE_KEY_PREFIX = 'cache:';
export const SERVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,149}$/;

/** `3d 4h 12m`, `5m 3s`. */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m ${s % 60}s`;
}

const secondsSince = (iso: string, now: number): number => Math.max(0, Math.round((now - Date.parse(iso)) / 1000));

function dependency(id: string, name: string, kind: string, check: DependencyCheck): SystemServiceDto {
  return {
    id,
    name,
    kind,
    status: check.status === 'up' ? (check.latencyMs > 1000 ? 'degraded' : 'running') : 'stopped',
    version: null,
    uptime: null,
    uptimeSeconds: null,
    lastHeartbeat: null,
    lastRestart: null,
    restartable: false,
    restartAction: null,
    details: { latencyMs: check.latencyMs, ...(check.error ? { error: check.error } : {}) },
  };
}

interface RestartContext {
  actor: AuthPrincipal;
  ip: string | null;
  userAgent: string | null;
}

/**
 * GET /system/health/services and POST /system/services/{id}/restart: the live state of the api
 * processes and workers (heartbeats in Redis), PostgreSQL, Redis, object storage, the detection
 * provider and Odoo (their recorded status), and the safe restarts the API can carry out:
 *
 * - `worker-queues`: every worker drains and restarts its queue consumers;
 * - `worker:<host>:<pid>`: that worker does;
 * - `redis-cache`: every application cache key (`cache:*`) is deleted (recomputed on next use);
 * - `detection-provider`: a provider health probe is queued (reconnects and records its status).
 */
@Injectable()
export class SystemServicesService {
  private readonly log = rootLogger().child({ context: 'SystemServices' });

  constructor(
    private readonly redis: RedisService,
    private readonly health: HealthService,
    private readonly workers: WorkerRegistryService,
    private readonly apis: ApiHeartbeatService,
    private readonly producer: JobsProducer,
    private readonly status: SystemStatusRepository,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<SystemServiceDto[]> {
    const now = Date.now();
    const [ready, apis, workers, depths, provider, odoo, restarts] = await Promise.all([
      this.health.ready(),
      this.apis.listApis().catch(() => [] as ApiHeartbeat[]),
      this.workers.listWorkers().catch(() => [] as WorkerHeartbeat[]),
      this.producer.queueDepths().catch(() => null),
      this.status.providerStatus(),
      this.status.odooStatus(),
      this.status.lastRestarts(),
    ]);
    const out: SystemServiceDto[] = [];
    for (const a of apis) out.push(this.apiService(a, now));
    for (const w of workers) out.push(this.workerService(w, now));
    out.push(this.queuesService(workers, depths, restarts.get('worker-queues') ?? null));
    out.push(dependency('postgres', 'PostgreSQL', 'database', ready.checks.postgres));
    out.push(dependency('redis', 'Redis', 'database', ready.checks.redis));
    out.push({
      ...dependency('redis-cache', 'Redis cache', 'cache', ready.checks.redis),
      restartable: true,
      restartAction: 'Deletes every application cache entry; values are recomputed on next use',
      lastRestart: restarts.get('redis-cache')?.toISOString() ?? null,
    });
    out.push(dependency('object-storage', 'Object storage (S3)', 'storage', ready.checks.storage));
    out.push({
      id: 'detection-provider',
      name: provider ? `Detection provider (${provider.providerName})` : 'Detection provider',
      kind: 'provider',
      status:
        !provider || !provider.enabled
          ? 'stopped'
          : provider.status === 'connected'
            ? 'running'
            : provider.status === 'degraded'
              ? 'degraded'
              : 'stopped',
      version: null,
      uptime: null,
      uptimeSeconds: null,
      lastHeartbeat: provider?.lastHeartbeat?.toISOString() ?? null,
      lastRestart: restarts.get('detection-provider')?.toISOString() ?? null,
      restartable: true,
      restartAction: 'Queues a provider health probe that reconnects and records its status',
      details: provider
        ? { kind: provider.kind, enabled: provider.enabled, status: provider.status, averageLatencyMs: provider.averageLatencyMs }
        : { configured: false },
    });
    out.push({
      id: 'odoo',
      name: 'Odoo',
      kind: 'integration',
      status:
        !odoo || !odoo.configured ? 'stopped' : odoo.status === 'connected' ? 'running' : odoo.status === 'error' ? 'degraded' : 'stopped',
      version: null,
      uptime: null,
      uptimeSeconds: null,
      lastHeartbeat: odoo?.lastSync?.toISOString() ?? null,
      lastRestart: null,
      restartable: false,
      restartAction: null,
      details: odoo
        ? {
            status: odoo.status,
            configured: odoo.configured,
            autoSync: odoo.autoSync,
            pendingCount: odoo.pendingCount,
            failureCount: odoo.failureCount,
          }
        : { configured: false },
    });
    return out;
  }

  async restart(id: string, ctx: RestartContext): Promise<RestartResultDto> {
    const requestedAt = new Date();
    const result = await this.execute(id, ctx.actor.email, requestedAt);
    await this.audit.record({
      actor: ctx.actor.email,
      actorRole: ctx.actor.roleId,
      action: 'system.service_restarted',
      resourceType: 'system',
      resourceId: id,
      message: `${ctx.actor.email} restarted ${id}: ${result.message}`,
      context: { service: id, action: result.action, affected: result.affected },
      severity: 'warning',
      ipAddress: ctx.ip,
      userAgent: ctx.userAgent,
    });
    this.log.info({ service: id, action: result.action, affected: result.affected, by: ctx.actor.email }, 'service restart');
    return result;
  }

  private async execute(id: string, requestedBy: string, at: Date): Promise<RestartResultDto> {
    const requestedAt = at.toISOString();
    if (id === 'worker-queues') {
      const workers = await this.workers.listWorkers();
      if (workers.length === 0) throw serviceUnavailable('No worker process is running: nothing to restart');
      const reached = await this.workers.restartQueues(undefined, requestedBy);
      await this.status.recordRestart({ id, name: 'Job queues', kind: 'queue', status: 'running', details: { workers: reached } }, at);
      return {
        id,
        action: 'restart-queues',
        affected: reached,
        message: `Asked ${reached} worker process(es) to drain and restart their queue consumers`,
        requestedAt,
      };
    }
    if (id.startsWith('worker:')) {
      const workerId = id.slice('worker:'.length);
      const worker = (await this.workers.listWorkers()).find((w) => w.id === workerId);
      if (!worker) throw notFound('Service', id);
      const reached = await this.workers.restartQueues(worker.id, requestedBy);
      if (reached === 0) throw serviceUnavailable(`Worker '${worker.id}' did not receive the command`);
      return {
        id,
        action: 'restart-queues',
        affected: 1,
        message: `Asked worker ${worker.id} to drain and restart its queue consumers`,
        requestedAt,
      };
    }
    if (id === 'redis-cache') {
      const deleted = await this.flushCache();
      await this.status.recordRestart({ id, name: 'Redis cache', kind: 'cache', status: 'running', details: { deletedKeys: deleted } }, at);
      return {
        id,
        action: 'flush-cache',
        affected: deleted,
        message: `Deleted ${deleted} cache entr${deleted === 1 ? 'y' : 'ies'}`,
        requestedAt,
      };
    }
    if (id === 'detection-provider') {
      const jobId = await this.producer.enqueue('provider-health', { trigger: 'manual', requestedBy: requestedBy.slice(0, 64) });
      await this.status.recordRestart({ id, name: 'Detection provider', kind: 'provider', status: 'running', details: { jobId } }, at);
      return { id, action: 'probe-provider', affected: 1, message: `Queued provider health probe ${jobId}`, requestedAt };
    }
    if (['postgres', 'redis', 'object-storage', 'odoo'].includes(id) || id.startsWith('api:')) {
      if (id.startsWith('api:') && !(await this.apis.listApis()).some((a) => `api:${a.id}` === id)) throw notFound('Service', id);
      throw conflict(`Service '${id}' cannot be restarted from the API`, { restartable: false });
    }
    throw notFound('Service', id);
  }

  /** Deletes `cache:*` keys of this installation (SCAN, never KEYS). */
  private async flushCache(): Promise<number> {
    try {
      const client = this.redis.client;
      let cursor = '0';
      let deleted = 0;
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${this.redis.prefix}${CACHE_KEY_PREFIX}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) deleted += await client.del(...keys.map((k) => k.slice(this.redis.prefix.length)));
      } while (cursor !== '0');
      return deleted;
    } catch (err) {
      throw serviceUnavailable('Redis is unavailable: cannot flush the cache', { reason: (err as Error).message });
    }
  }

  private apiService(a: ApiHeartbeat, now: number): SystemServiceDto {
    const uptimeSeconds = secondsSince(a.startedAt, now);
    return {
      id: `api:${a.id}`,
      name: `API ${a.id}`,
      kind: 'process',
      status: a.eventLoopLagP99Ms > 200 ? 'degraded' : 'running',
      version: a.version,
      uptime: formatUptime(uptimeSeconds),
      uptimeSeconds,
      lastHeartbeat: a.lastBeatAt,
      lastRestart: a.startedAt,
      restartable: false,
      restartAction: null,
      details: {
        host: a.host,
        pid: a.pid,
        commit: a.commit,
        eventLoopLagP99Ms: a.eventLoopLagP99Ms,
        rssMb: a.rssMb,
        port: a.port,
        current: a.id === this.apis.id,
      },
    };
  }

  private workerService(w: WorkerHeartbeat, now: number): SystemServiceDto {
    const uptimeSeconds = secondsSince(w.startedAt, now);
    return {
      id: `worker:${w.id}`,
      name: `Worker ${w.id}`,
      kind: 'worker',
      status: w.pausedQueues.length > 0 ? 'degraded' : 'running',
      version: w.version,
      uptime: formatUptime(uptimeSeconds),
      uptimeSeconds,
      lastHeartbeat: w.lastBeatAt,
      lastRestart: w.lastRestartAt ?? w.startedAt,
      restartable: true,
      restartAction: 'Drains and restarts this worker’s queue consumers',
      details: {
        host: w.host,
        pid: w.pid,
        commit: w.commit,
        queues: w.queues,
        pausedQueues: w.pausedQueues,
        restarts: w.restarts,
        startedAt: w.startedAt,
      },
    };
  }

  private queuesService(workers: WorkerHeartbeat[], depths: Record<string, QueueDepth> | null, lastRestart: Date | null): SystemServiceDto {
    const consumed = new Set(workers.flatMap((w) => w.queues));
    const paused = new Set(workers.flatMap((w) => w.pausedQueues));
    return {
      id: 'worker-queues',
      name: 'Job queues',
      kind: 'queue',
      status: workers.length === 0 ? 'stopped' : paused.size > 0 || depths === null ? 'degraded' : 'running',
      version: null,
      uptime: null,
      uptimeSeconds: null,
      lastHeartbeat:
        workers
          .map((w) => w.lastBeatAt)
          .sort()
          .at(-1) ?? null,
      lastRestart: lastRestart?.toISOString() ?? null,
      restartable: true,
      restartAction: 'Every worker drains and restarts its queue consumers',
      details: {
        workers: workers.length,
        consumedQueues: [...consumed].sort(),
        pausedQueues: [...paused].sort(),
        restarts: workers.reduce((n, w) => n + w.restarts, 0),
        depths,
      },
    };
  }
}
