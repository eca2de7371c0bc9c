import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { OdooConfigEntity, type OdooConnectionStatus } from '../entities/odoo-config.entity';

/** The editable part of the singleton (what PUT /odoo/config may change). */
export type OdooConfigPatch = Partial<
  Pick<
    OdooConfigEntity,
    | 'baseUrl'
    | 'database'
    | 'company'
    | 'login'
    | 'apiKey'
    | 'autoSync'
    | 'employeeMatchField'
    | 'protocol'
    | 'failureAlertThreshold'
    | 'status'
  >
>;

/** What a finished sync run writes back. */
export interface OdooRunRecord {
  status: OdooConnectionStatus;
  /** Set when the run talked to Odoo; omitted to keep the previous value. */
  lastSync?: Date;
  pendingCount: number;
  failureCount: number;
}

const SINGLETON = 1;

/** The odoo_config singleton row (id = 1, seeded by the first migration). */
@Injectable()
export class OdooConfigRepository {
  private readonly repo: Repository<OdooConfigEntity>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.repo = dataSource.getRepository(OdooConfigEntity);
  }

  /** The configuration; the row is created with the defaults if an operator deleted it. */
  async get(): Promise<OdooConfigEntity> {
    const row = await this.repo.findOneBy({ id: SINGLETON });
    if (row) {
      return row;
    }
    await this.repo
      .createQueryBuilder()
      .insert()
      .values({ id: SINGLETON, baseUrl: 'http://localhost:8069', database: 'odoo' })
      .orIgnore()
      .execute();
    return this.repo.findOneByOrFail({ id: SINGLETON });
  }

  async update(patch: OdooConfigPatch): Promise<OdooConfigEntity> {
    await this.get();
    if (Object.keys(patch).length > 0) {
      await this.repo.update({ id: SINGLETON }, patch);
    }
    return this.repo.findOneByOrFail({ id: SINGLETON });
  }

  async setStatus(status: OdooConnectionStatus): Promise<void> {
    await this.repo.update({ id: SINGLETON }, { status });
  }

  async recordRun(run: OdooRunRecord): Promise<void> {
    const patch: Partial<OdooConfigEntity> = { status: run.status, pendingCount: run.pendingCount, failureCount: run.failureCount };
    if (run.lastSync) {
      patch.lastSync = run.lastSync;
    }
    await this.repo.update({ id: SINGLETON }, patch);
  }
}
