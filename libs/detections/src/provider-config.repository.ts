import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { runInTransaction } from '@app/database';
import { DetectionProviderConfigEntity, type DetectionProviderStatus } from './entities/detection-provider-config.entity';

const SINGLETON_ID = 1;

export type ProviderConfigChange = Partial<
  Pick<
    DetectionProviderConfigEntity,
    'providerName' | 'endpoint' | 'apiKey' | 'enabled' | 'kind' | 'settings' | 'status' | 'lastHeartbeat' | 'averageLatencyMs'
  >
>;

/** The singleton detection_provider_config row (seeded by the first migration). */
@Injectable()
export class ProviderConfigRepository {
  private readonly configs: Repository<DetectionProviderConfigEntity>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.configs = dataSource.getRepository(DetectionProviderConfigEntity);
  }

  /** The row; recreated with the built-in defaults if someone deleted it. */
  async get(): Promise<DetectionProviderConfigEntity> {
    const row = await this.configs.findOneBy({ id: SINGLETON_ID });
    if (row) return row;
    await this.configs
      .createQueryBuilder()
      .insert()
      .values({
        id: SINGLETON_ID,
        providerName: 'Built-in engine',
        endpoint: 'builtin://local',
        kind: 'builtin',
        enabled: true,
        status: 'offline',
        settings: {},
      })
      .orIgnore()
      .execute();
    return this.configs.findOneByOrFail({ id: SINGLETON_ID });
  }

  /**
   * Applies `change(current)` under a row lock (read-modify-write of the settings object never
   * loses a concurrent change). Returns the row before and after.
   */
  async update(
    change: (current: DetectionProviderConfigEntity) => ProviderConfigChange,
  ): Promise<{ before: DetectionProviderConfigEntity; after: DetectionProviderConfigEntity }> {
    await this.get();
    return runInTransaction(this.dataSource, async (manager) => {
      const repo = manager.getRepository(DetectionProviderConfigEntity);
      const current = await repo.findOne({ where: { id: SINGLETON_ID }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw new Error('detection_provider_config row is missing');
      const before = repo.create({ ...current });
      const patch = change(current);
      Object.assign(current, patch);
      const after = await repo.save(current);
      return { before, after };
    });
  }

  /** What a health probe found (raw UPDATE: not a configuration change, so no version or updated_at bump). */
  async recordHealth(status: DetectionProviderStatus, at: Date, averageLatencyMs: number): Promise<void> {
    await this.dataSource.query(
      'UPDATE detection_provider_config SET status = $1, last_heartbeat = $2, average_latency_ms = $3 WHERE id = $4',
      [status, at, Math.max(0, Math.round(averageLatencyMs)), SINGLETON_ID],
    );
  }
}
