import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { OdooSyncLogEntity, type OdooSyncResult } from '../entities/odoo-sync-log.entity';

export interface OdooSyncLogFilter {
  result?: OdooSyncResult;
  employeeId?: string;
  attendanceLogId?: string;
  from?: Date;
  to?: Date;
  skip: number;
  take: number;
}

/** The history of pushes to Odoo (written with the log updates by OdooAttendanceRepository.recordOutcomes). */
@Injectable()
export class OdooSyncLogRepository {
  private readonly repo: Repository<OdooSyncLogEntity>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.repo = dataSource.getRepository(OdooSyncLogEntity);
  }

  /** Newest first (timestamp, then id for a stable order between rows of the same instant). */
  list(f: OdooSyncLogFilter): Promise<[OdooSyncLogEntity[], number]> {
    const qb = this.repo.createQueryBuilder('s');
    if (f.result) qb.andWhere('s.result = :result', { result: f.result });
    if (f.employeeId) qb.andWhere('s.employee_id = :employeeId', { employeeId: f.employeeId });
    if (f.attendanceLogId) qb.andWhere('s.attendance_log_id = :logId', { logId: f.attendanceLogId });
    if (f.from) qb.andWhere('s.timestamp >= :from', { from: f.from });
    if (f.to) qb.andWhere('s.timestamp <= :to', { to: f.to });
    return qb.orderBy('s.timestamp', 'DESC').addOrderBy('s.id', 'DESC').skip(f.skip).take(f.take).getManyAndCount();
  }
}
