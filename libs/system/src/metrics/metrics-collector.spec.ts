import { describe, expect, it } from '@jest/globals';
import type { EnvDto, RedisService } from '@app/core';
import type { JobsProducer } from '@app/queue';
import type { AlertsService, RaiseAlert } from '@app/alerts';
import { MetricsCollectorService } from './system-metrics.service';
import type { SystemMetricsRepository } from './system-metrics.repository';

/** The collector with fakes; `usage` sets the disk threshold relative to the real disk usage. */
function collector(diskThreshold: number, memoryThreshold = 100) {
  const raised: RaiseAlert[] = [];
  const resolved: string[] = [];
  const stored: unknown[] = [];
  const cached: unknown[] = [];
  const env = {
    METRICS_DISK_PATH: '/',
    METRICS_COLLECT_INTERVAL_SECONDS: 60,
    ALERT_DISK_USAGE_PERCENT: diskThreshold,
    ALERT_MEMORY_USAGE_PERCENT: memoryThreshold,
  } as EnvDto;
  const redis = {
    prefix: 't:',
    client: { scan: async () => ['0', []], mget: async () => [] },
    setJson: async (_k: string, v: unknown) => void cached.push(v),
  } as unknown as RedisService;
  const repo = { insertSamples: async (rows: unknown[]) => void stored.push(...rows) } as unknown as SystemMetricsRepository;
  const producer = {
    queueDepths: async () => ({
      detection: { waiting: 1, active: 0, delayed: 0, failed: 0 },
      'odoo-sync': { waiting: 0, active: 0, delayed: 0, failed: 2 },
      exports: { waiting: 0, active: 0, delayed: 0, failed: 0 },
      maintenance: { waiting: 0, active: 1, delayed: 0, failed: 0 },
    }),
  } as unknown as JobsProducer;
  const alerts = {
    raise: async (a: RaiseAlert) => {
      raised.push(a);
      return { alert: {}, created: true };
    },
    resolve: async (kind: string, subject: string) => {
      resolved.push(`${kind}:${subject}`);
      return {};
    },
  } as unknown as AlertsService;
  const svc = new MetricsCollectorService(env, redis, repo, producer, alerts);
  return { svc, raised, resolved, stored, cached };
}

describe('MetricsCollectorService', () => {
  it('stores and caches one collection with queue depths, raising disk pressure above the threshold', async () => {
    const c = collector(1);
    const result = await c.svc.collect(new Date('2026-01-01T00:00:00Z'));
    c.svc.onModuleDestroy();
    expect(result.samples).toBe(c.stored.length);
    expect(c.stored).toEqual(
      expect.arrayContaining([{ category: 'queue', label: 'odoo-sync: failed', value: 2, unit: 'jobs', limit: null }]),
    );
    expect(c.cached).toHaveLength(1);
    expect(c.raised.map((a) => a.kind)).toEqual(['disk_pressure']);
    expect(c.raised[0]).toMatchObject({ subject: expect.stringMatching(/:\/$/), tags: ['disk_pressure', 'system'] });
    // memory is far below 100 - 5 on a test machine: its (absent) alert is resolved
    expect(c.resolved.map((r) => r.split(':')[0])).toEqual(['memory_pressure']);
  });

  it('resolves pressure only below threshold minus the hysteresis', async () => {
    const low = collector(100, 100);
    await low.svc.collect();
    low.svc.onModuleDestroy();
    // real usage on a test machine is far below 95%: both resolve
    expect(low.raised).toEqual([]);
    expect(low.resolved.map((r) => r.split(':')[0]).sort()).toEqual(['disk_pressure', 'memory_pressure']);
  });
});
