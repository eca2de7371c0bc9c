import { Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * addition: every distinct (employee id, name) pair found in attendance_logs, kept by statement-level
 * triggers on attendance_logs (migration AttendanceEngine). The log `search` finds matching people
 * here (pg_trgm GIN indexes, created by the migration) before reading their logs.
 */
@Entity({ name: 'attendance_log_people' })
@Index('idx_attendance_log_people_name_trgm', { synchronize: false })
@Index('idx_attendance_log_people_employee_id_trgm', { synchronize: false })
export class AttendanceLogPersonEntity {
  @PrimaryColumn({ name: 'employee_id', type: 'varchar', length: 50, primaryKeyConstraintName: 'pk_attendance_log_people' })
  employeeId: string;

  @PrimaryColumn({ name: 'name', type: 'varchar', length: 255, primaryKeyConstraintName: 'pk_attendance_log_people' })
  name: string;
}
