import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { DetectionProviderConfigEntity } from '@app/detections/entities/detection-provider-config.entity';
import { OdooConfigEntity } from '@app/odoo/entities/odoo-config.entity';
import { SystemServiceEntity } from '../entities/system-service.entity';

export interface ProviderStatusRow {
  providerName: string;
  kind: string;
  enabled: boolean;
  status: string;
  lastHeartbeat: Date | null;
  averageLatencyMs: number;
}

export interface OdooStatusRow {
  status: string;
  autoSync: boolean;
  lastSync: Date | null;
  pendingCount: number;
  failureCount: number;
  configured: boolean;
}

/** Reads the state other domains record (provider and Odoo singletons) and keeps restart history. */
@Injectable()
export class SystemStatusRepository {
  private readonly services: Repository<SystemServiceEntity>;
  private readonly provider: Repository<DetectionProviderConfigEntity>;
  private readonly odoo: Repository<OdooConfigEntity>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.services = dataSource.getRepository(SystemServiceEntity);
    this.provider = dataSource.getRepository(DetectionProviderConfigEntity);
    this.odoo = dataSource.getRepository(OdooConfigEntity);
  }

  async providerStatus(): Promise<ProviderStatusRow | null> {
    const row = await this.provider.findOneBy({ id: 1 });
    return row
      ? {
          providerName: row.providerName,
          kind: row.kind,
          enabled: row.enabled,
          status: row.status,
          lastHeartbeat: row.lastHeartbeat,
          averageLatencyMs: row.averageLatencyMs,
        }
      : null;
  }

  async odooStatus(): Promise<OdooStatusRow | null> {
    const row = await this.odoo.findOneBy({ id: 1 });
    return row
      ? {
          status: row.status,
          autoSync: row.autoSync,
          lastSync: row.lastSync,
          pendingCount: row.pendingCount,
          failureCount: row.failureCount,
          configured: Boolean(row.baseUrl && row.database),
        }
      : null;
  }

  /** Last restart per service id (rows written by recordRestart). */
  async lastRestarts(): Promise<Map<string, Date>> {
    const rows = await this.services.find({ select: { id: true, lastRestart: true } });
    return new Map(rows.filter((r) => r.lastRestart).map((r) => [r.id, r.lastRestart as Date]));
  }

  /** Remembers a restart request (one row per service id, upserted). */
  async recordRestart(
    s: { id: string; name: string; kind: string; status: 'running' | 'degraded' | 'stopped'; details: Record<string, unknown> },
    at: Date,
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO system_services (id, name, kind, status, last_restart, details)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, status = EXCLUDED.status,
         last_restart = EXCLUDED.last_restart, details = EXCLUDED.details, updated_at = now()`,
      [s.id.slice(0, 50), s.name.slice(0, 255), s.kind.slice(0, 20), s.status, at, JSON.stringify(s.details)],
    );
  }
}
