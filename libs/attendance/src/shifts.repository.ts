import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { ShiftScheduleEntity } from './entities/shift-schedule.entity';
import { expectedCondition, ExpectedSelector } from './attendance.repository';

export interface InstanceCounts {
  present: number;
  late: number;
  missed: number;
}

/** Shift schedules, the people they expect and the live figures of their instances. */
@Injectable()
export class ShiftsRepository {
  readonly shifts: Repository<ShiftScheduleEntity>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.shifts = dataSource.getRepository(ShiftScheduleEntity);
  }

  list(): Promise<ShiftScheduleEntity[]> {
    return this.shifts.find({ order: { startTime: 'ASC', name: 'ASC', id: 'ASC' } });
  }

  listEnabled(): Promise<ShiftScheduleEntity[]> {
    return this.shifts.find({ where: { enabled: true }, order: { startTime: 'ASC', id: 'ASC' } });
  }

  findById(id: string): Promise<ShiftScheduleEntity | null> {
    return this.shifts.findOneBy({ id });
  }

  async exists(id: string): Promise<boolean> {
    return (await this.shifts.countBy({ id })) > 0;
  }

  save(shift: ShiftScheduleEntity): Promise<ShiftScheduleEntity> {
    return this.shifts.save(shift);
  }

  create(data: Partial<ShiftScheduleEntity>): ShiftScheduleEntity {
    return this.shifts.create(data);
  }

  async delete(id: string): Promise<boolean> {
    const res = await this.shifts.delete({ id });
    return (res.affected ?? 0) > 0;
  }

  /** Active profiles a selector expects. */
  async countExpected(sel: ExpectedSelector): Promise<number> {
    const params: unknown[] = [];
    const rows: Array<{ n: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM face_profiles fp WHERE fp.status = 'active' AND ${expectedCondition(sel, params)}`,
      params,
    );
    return rows[0]!.n;
  }

  /** Distinct people per status among the logs of one instance (automatic and manual). */
  async instanceCounts(shiftId: string, shiftStart: Date, sel: ExpectedSelector): Promise<InstanceCounts> {
    const params: unknown[] = [shiftStart, shiftId];
    const cond = expectedCondition(sel, params);
    const rows: Array<InstanceCounts> = await this.dataSource.query(
      `SELECT count(DISTINCT l.employee_id) FILTER (WHERE l.status = 'present')::int AS present,
              count(DISTINCT l.employee_id) FILTER (WHERE l.status = 'late')::int AS late,
              count(DISTINCT l.employee_id) FILTER (WHERE l.status = 'missed')::int AS missed
         FROM attendance_logs l
         JOIN face_profiles fp ON fp.employee_id = l.employee_id AND fp.status = 'active' AND ${cond}
        WHERE l.shift_start = $1 AND l.shift_id = $2`,
      params,
    );
    return rows[0]!;
  }

  /** Stores the figures last computed (the columns the spec lists). */
  async storeFigures(id: string, expectedHeadcount: number, compliance: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE shift_schedules SET expected_headcount = $2, compliance = $3
        WHERE id = $1 AND (expected_headcount <> $2 OR compliance <> $3)`,
      [id, expectedHeadcount, compliance],
    );
  }
}
