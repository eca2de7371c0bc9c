import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AuditLogEntity } from './entities/audit-log.entity';

export interface AuditFilter {
  actor?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  severity?: string;
  from?: Date;
  to?: Date;
  search?: string;
  skip: number;
  take: number;
}

@Injectable()
export class AuditRepository {
  private readonly repo: Repository<AuditLogEntity>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.repo = dataSource.getRepository(AuditLogEntity);
  }

  async insert(row: Omit<AuditLogEntity, 'id' | 'createdAt'>): Promise<void> {
    await this.repo.save(this.repo.create(row), { reload: false });
  }

  list(f: AuditFilter): Promise<[AuditLogEntity[], number]> {
    const qb = this.repo.createQueryBuilder('a');
    if (f.actor) qb.andWhere('a.actor = :actor', { actor: f.actor });
    if (f.action) qb.andWhere('a.action = :action', { action: f.action });
    if (f.resourceType) qb.andWhere('a.resource_type = :rt', { rt: f.resourceType });
    if (f.resourceId) qb.andWhere('a.resource_id = :rid', { rid: f.resourceId });
    if (f.severity) qb.andWhere('a.severity = :sev', { sev: f.severity });
    if (f.from) qb.andWhere('a.timestamp >= :from', { from: f.from });
    if (f.to) qb.andWhere('a.timestamp <= :to', { to: f.to });
    if (f.search) qb.andWhere('a.message ILIKE :s', { s: `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    return qb.orderBy('a.timestamp', 'DESC').addOrderBy('a.id', 'DESC').skip(f.skip).take(f.take).getManyAndCount();
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    const res = await this.repo.createQueryBuilder().delete().where('timestamp < :cutoff', { cutoff }).execute();
    return res.affected ?? 0;
  }
}
