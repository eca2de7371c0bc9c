import { Injectable, Optional } from '@nestjs/common';
import { badRequest, EnvDto, MASK, RedisService, rootLogger, SecretBox } from '@app/core';
import { AlertsService } from '@app/alerts';
import { FaceIndexService } from '@app/faces';
import { ProviderRejectedError, type ProviderHealth } from '@app/faces/engine/face-provider';
import { JOBS, JobsProducer, type RunTrigger } from '@app/queue';
import { PROVIDER_DEGRADED_ALERT, REDIS_KEYS } from './detections.constants';
import { DetectionProviderService } from './detection-provider.service';
import { ProviderConfigDto, TestProviderResultDto, UpdateProviderConfigDto } from './dto/provider-config.dto';
import type { DetectionProviderConfigEntity, DetectionProviderKind } from './entities/detection-provider-config.entity';
import { isExternalProviderKind } from './providers';
import { validateEndpoint } from './providers/provider-http';
import { effectiveSettings, mergeSettings } from './provider-settings';
import { ProviderConfigRepository } from './provider-config.repository';

export const BUILTIN_ENDPOINT = 'builtin://local';
/** Provider call latencies kept for averageLatencyMs, and how old they may be. */
const LATENCY_SAMPLES = 100;
const LATENCY_WINDOW_MS = 10 * 60_000;

/**
 * The detection provider configuration (singleton row): read masked, change with validation
 * (API key encrypted at rest; `***` keeps it), probe it (test-provider and the 5-minute
 * provider-health job), and keep its status, heartbeat and average latency.
 */
@Injectable()
export class ProviderConfigService {
  private readonly log = rootLogger().child({ context: 'ProviderConfig' });
  private readonly box: SecretBox;

  constructor(
    private readonly repo: ProviderConfigRepository,
    private readonly providers: DetectionProviderService,
    private readonly alerts: AlertsService,
    private readonly redis: RedisService,
    private readonly jobs: JobsProducer,
    env: EnvDto,
    @Optional() private readonly faceIndex?: FaceIndexService,
  ) {
    this.box = new SecretBox(env.ENCRYPTION_KEY);
  }

  /** The row (for the pipeline: read on every job, so a change applies at the next frame). */
  current(): Promise<DetectionProviderConfigEntity> {
    return this.repo.get();
  }

  async get(): Promise<ProviderConfigDto> {
    return this.toDto(await this.repo.get());
  }

  async update(dto: UpdateProviderConfigDto): Promise<ProviderConfigDto> {
    const { before, after } = await this.repo.update((current) => {
      const kind = (dto.kind ?? current.kind) as DetectionProviderKind;
      const endpoint = dto.endpoint ?? current.endpoint;
      this.assertEndpoint(kind, endpoint);
      let apiKey = current.apiKey;
      if (dto.apiKey === null || dto.apiKey === '') apiKey = null;
      else if (dto.apiKey !== undefined && dto.apiKey !== MASK) apiKey = this.box.encrypt(dto.apiKey.trim());
      let settings = current.settings ?? {};
      if (dto.settings) {
        const merged = mergeSettings(settings, dto.settings);
        if ('problems' in merged) throw badRequest('Invalid provider settings', { problems: merged.problems });
        settings = merged.settings;
      }
      const wiringChanged = kind !== current.kind || endpoint !== current.endpoint || apiKey !== current.apiKey;
      return {
        providerName: dto.providerName ?? current.providerName,
        endpoint,
        apiKey,
        enabled: dto.enabled ?? current.enabled,
        kind,
        settings,
        // A different provider has not been probed yet.
        ...(wiringChanged ? { status: 'offline' as const, lastHeartbeat: null, averageLatencyMs: 0 } : {}),
      };
    });
    this.faceIndex?.invalidateThresholds();
    const wiringChanged = before.kind !== after.kind || before.endpoint !== after.endpoint || before.apiKey !== after.apiKey;
    if (wiringChanged) {
      await this.redis.del(REDIS_KEYS.providerLatencies);
      await this.afterRewire(after);
    } else if (before.enabled !== after.enabled) {
      await this.enqueueHealth();
    }
    this.log.info({ kind: after.kind, enabled: after.enabled, rewired: wiringChanged }, 'detection provider configuration changed');
    return this.toDto(after);
  }

  /** POST /detections/test-provider: probes the configured provider now and records what it found. */
  async test(): Promise<TestProviderResultDto> {
    const config = await this.repo.get();
    const health = await this.probe(config);
    await this.record(config, health);
    return { status: health.status, latencyMs: Math.round(health.latencyMs), message: health.message };
  }

  /**
   * The provider-health job: probe, record status/heartbeat/average latency, and raise (or
   * resolve) the provider_degraded alert.
   */
  async checkHealth(trigger: RunTrigger): Promise<ProviderHealth & { kind: string; enabled: boolean }> {
    const config = await this.repo.get();
    if (!config.enabled) {
      const health: ProviderHealth = { status: 'offline', latencyMs: 0, message: 'Detection provider disabled' };
      await this.repo.recordHealth('offline', new Date(), await this.averageLatency(0));
      await this.alerts.resolve(PROVIDER_DEGRADED_ALERT, 'detection-provider');
      return { ...health, kind: config.kind, enabled: false };
    }
    const health = await this.probe(config);
    await this.record(config, health);
    this.log.info({ trigger, kind: config.kind, status: health.status, latencyMs: health.latencyMs }, 'provider health checked');
    return { ...health, kind: config.kind, enabled: true };
  }

  /** Remembers one real provider call's latency (pipeline). Never throws. */
  async recordLatency(latencyMs: number): Promise<void> {
    try {
      await this.redis.client
        .pipeline()
        .lpush(REDIS_KEYS.providerLatencies, `${Date.now()}:${Math.round(latencyMs)}`)
        .ltrim(REDIS_KEYS.providerLatencies, 0, LATENCY_SAMPLES - 1)
        .exec();
    } catch {
      /* statistics only */
    }
  }

  toDto(row: DetectionProviderConfigEntity): ProviderConfigDto {
    return {
      providerName: row.providerName,
      endpoint: row.endpoint,
      apiKey: row.apiKey ? MASK : null,
      enabled: row.enabled,
      status: row.status,
      lastHeartbeat: row.lastHeartbeat ? row.lastHeartbeat.toISOString() : null,
      averageLatencyMs: row.averageLatencyMs,
      kind: row.kind,
      settings: effectiveSettings(row.settings),
      updatedAt: row.updatedAt.toISOString(),
      version: row.version,
    };
  }

  // ---------------------------------------------------------------------------------------------

  private assertEndpoint(kind: DetectionProviderKind, endpoint: string): void {
    if (!isExternalProviderKind(kind)) return;
    if (endpoint === BUILTIN_ENDPOINT) {
      throw badRequest(`endpoint is required for the ${kind} provider`, { field: 'endpoint', issue: 'missing' });
    }
    try {
      validateEndpoint(endpoint, 'endpoint');
    } catch (err) {
      throw badRequest((err as Error).message, { field: 'endpoint', issue: 'invalid' });
    }
  }

  private async probe(config: DetectionProviderConfigEntity): Promise<ProviderHealth> {
    try {
      if (!isExternalProviderKind(config.kind)) await this.providers.warmBuiltin();
      return await this.providers.providerFor(config).health();
    } catch (err) {
      const message = err instanceof ProviderRejectedError ? err.message : `probe failed: ${(err as Error).message}`;
      return { status: 'offline', latencyMs: 0, message };
    }
  }

  private async record(config: DetectionProviderConfigEntity, health: ProviderHealth): Promise<void> {
    await this.repo.recordHealth(health.status, new Date(), await this.averageLatency(health.latencyMs));
    const subject = 'detection-provider';
    if (health.status === 'connected') {
      await this.alerts.resolve(PROVIDER_DEGRADED_ALERT, subject);
      return;
    }
    await this.alerts.raise({
      kind: PROVIDER_DEGRADED_ALERT,
      subject,
      title: health.status === 'offline' ? 'Detection Provider Offline' : 'Detection Provider Degraded',
      description: `${config.providerName} (${config.kind}): ${health.message}`,
      level: health.status === 'offline' ? 'high' : 'medium',
      tags: [PROVIDER_DEGRADED_ALERT, config.kind],
    });
  }

  /** Mean of the provider calls of the last 10 minutes; the probe's latency when there were none. */
  private async averageLatency(probeMs: number): Promise<number> {
    let samples: string[] = [];
    try {
      samples = await this.redis.client.lrange(REDIS_KEYS.providerLatencies, 0, LATENCY_SAMPLES - 1);
    } catch {
      /* no statistics: the probe alone */
    }
    const since = Date.now() - LATENCY_WINDOW_MS;
    const recent = samples
      .map((s) => s.split(':').map(Number) as [number, number])
      .filter(([at, ms]) => at >= since && Number.isFinite(ms));
    if (recent.length === 0) return probeMs;
    return recent.reduce((sum, [, ms]) => sum + ms, 0) / recent.length;
  }

  private async afterRewire(after: DetectionProviderConfigEntity): Promise<void> {
    await this.enqueueHealth();
    if (after.enabled && isExternalProviderKind(after.kind)) {
      // A new external gallery knows nobody yet: enrol every active profile there.
      try {
        await this.jobs.enqueue(JOBS.providerGallerySync, { trigger: 'manual' });
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'could not queue the provider gallery sync');
      }
    }
  }

  private async enqueueHealth(): Promise<void> {
    try {
      await this.jobs.enqueue(JOBS.providerHealth, { trigger: 'manual' });
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not queue a provider health check');
    }
  }
}
