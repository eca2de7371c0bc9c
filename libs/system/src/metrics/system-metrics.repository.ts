import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, LessThan, Repository } from 'typeorm';
import { SystemMetricEntity } from '../entities/system-metric.entity';
import type { MetricSample } from './host-sampler';

@Injectable()
export class SystemMetricsRepository {
  private readonly repo: Repository<SystemMetricEntity>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.repo = dataSource.getRepository(SystemMetricEntity);
  }

  /** Stores one collection (every row with the same timestamp). */
  async insertSamples(samples: readonly MetricSample[], at: Date): Promise<void> {
    if (samples.length === 0) return;
    await this.repo.insert(
      samples.map((s) => ({ category: s.category, label: s.label, value: s.value, unit: s.unit, limitValue: s.limit, timestamp: at })),
    );
  }

  /** The rows of the latest collection (empty before the first one). */
  async latest(): Promise<{ at: Date; samples: MetricSample[] } | null> {
    const rows = await this.repo
      .createQueryBuilder('m')
      .where('m.timestamp = (SELECT max(x.timestamp) FROM system_metrics x)')
      .orderBy('m.category', 'ASC')
      .addOrderBy('m.label', 'ASC')
      .getMany();
    if (rows.length === 0) return null;
    return {
      at: rows[0].timestamp,
      samples: rows.map((r) => ({ category: r.category, label: r.label, value: r.value, unit: r.unit, limit: r.limitValue })),
    };
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    const res = await this.repo.delete({ timestamp: LessThan(cutoff) });
    return res.affected ?? 0;
  }
}
