import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { CameraEntity } from '@app/cameras/entities/camera.entity';
import { numericTransformer } from '@app/database/transformers';
import { ShiftScheduleEntity } from './shift-schedule.entity';

export type AttendanceStatus = 'present' | 'late' | 'missed';
export type OdooSyncStatus = 'synced' | 'pending' | 'failed';
export type AttendanceSource = 'auto' | 'manual';

/**
 * One person's attendance for one day or shift instance. `timeIn`/`timeOut` are the wall-clock
 * times shown; `checkInAt`/`checkOutAt` the exact instants behind them.
 */
@Entity({ name: 'attendance_logs' })
@Index('idx_attendance_logs_employee_id', ['employeeId'])
@Index('idx_attendance_logs_date', ['date'])
@Index('idx_attendance_logs_odoo_status', ['odooStatus'])
// addition: exactly one automatic log per person per shift instance; upsert with
// ON CONFLICT (employee_id, shift_start) WHERE source = 'auto' AND shift_start IS NOT NULL
@Index('uq_attendance_logs_auto_shift', ['employeeId', 'shiftStart'], {
  unique: true,
  where: `source = 'auto' AND shift_start IS NOT NULL`,
})
// additions for the list filters (camera + date range, status + date range) and the FK
@Index('idx_attendance_logs_camera_date', ['cameraId', 'date'])
@Index('idx_attendance_logs_status_date', ['status', 'date'])
@Index('idx_attendance_logs_shift_id', ['shiftId'])
// addition: prefix search `lower(name) LIKE lower(:q) || '%'` (expression index: created by the migration,
// invisible to TypeORM, hence synchronize: false)
@Index('idx_attendance_logs_name_prefix', { synchronize: false })
// addition: `search` resolves people in attendance_log_people, then reads their logs by (employee_id, date)
@Index('idx_attendance_logs_employee_date', ['employeeId', 'date'])
// addition: at most one manual entry per person and day
@Index('uq_attendance_logs_manual_day', ['employeeId', 'date'], { unique: true, where: `source = 'manual'` })
// addition: one automatic log per person and day for sightings outside any of their shifts
@Index('uq_attendance_logs_auto_unscheduled', ['employeeId', 'date'], {
  unique: true,
  where: `source = 'auto' AND shift_start IS NULL`,
})
// additions: the enums of the spec's comments
@Check('chk_attendance_logs_status', `status IN ('present', 'late', 'missed')`)
@Check('chk_attendance_logs_odoo_status', `odoo_status IN ('synced', 'pending', 'failed')`)
@Check('chk_attendance_logs_source', `source IN ('auto', 'manual')`)
export class AttendanceLogEntity {
  /** e.g. 'ATT-20251103-001'. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 50, primaryKeyConstraintName: 'pk_attendance_logs' })
  id: string;

  @Column({ name: 'employee_id', type: 'varchar', length: 50 })
  employeeId: string;

  @Column({ name: 'name', type: 'varchar', length: 255 })
  name: string;

  @Column({ name: 'department', type: 'varchar', length: 255, nullable: true })
  department: string | null;

  /** 'YYYY-MM-DD' (site timezone; for a night shift, the day it started). */
  @Column({ name: 'date', type: 'date' })
  date: string;

  /** 'HH:MM:SS' wall-clock. */
  @Column({ name: 'time_in', type: 'time', nullable: true })
  timeIn: string | null;

  @Column({ name: 'time_out', type: 'time', nullable: true })
  timeOut: string | null;

  @ForeignKey(() => CameraEntity, { name: 'fk_attendance_logs_camera', onDelete: 'NO ACTION' })
  @Column({ name: 'camera_id', type: 'varchar', length: 50, nullable: true })
  cameraId: string | null;

  @Column({ name: 'camera_name', type: 'varchar', length: 255, nullable: true })
  cameraName: string | null;

  /** 0..100. */
  @Column({
    name: 'accuracy',
    type: 'numeric',
    precision: 5,
    scale: 2,
    nullable: true,
    transformer: numericTransformer,
  })
  accuracy: number | null;

  @Column({ name: 'status', type: 'varchar', length: 20 })
  status: AttendanceStatus;

  @Column({ name: 'odoo_status', type: 'varchar', length: 20, default: 'pending' })
  odooStatus: OdooSyncStatus;

  @Column({ name: 'odoo_sync_time', type: 'timestamptz', nullable: true })
  odooSyncTime: Date | null;

  @Column({ name: 'odoo_error_message', type: 'text', nullable: true })
  odooErrorMessage: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** addition: the shift this log belongs to (NULL = day without shift). */
  @ForeignKey(() => ShiftScheduleEntity, { name: 'fk_attendance_logs_shift', onDelete: 'SET NULL' })
  @Column({ name: 'shift_id', type: 'varchar', length: 50, nullable: true })
  shiftId: string | null;

  /** addition: the instant the shift instance started (identifies the instance). */
  @Column({ name: 'shift_start', type: 'timestamptz', nullable: true })
  shiftStart: Date | null;

  /** addition: exact instant behind time_in. */
  @Column({ name: 'check_in_at', type: 'timestamptz', nullable: true })
  checkInAt: Date | null;

  /** addition: exact instant behind time_out. */
  @Column({ name: 'check_out_at', type: 'timestamptz', nullable: true })
  checkOutAt: Date | null;

  /** addition: 'auto' from detections, 'manual' entered by an operator. */
  @Column({ name: 'source', type: 'varchar', length: 20, default: 'auto' })
  source: AttendanceSource;

  /** addition: operator's note (manual entries). */
  @Column({ name: 'note', type: 'text', nullable: true })
  note: string | null;

  /** addition: id of the hr.attendance record in Odoo. */
  @Column({ name: 'odoo_attendance_id', type: 'integer', nullable: true })
  odooAttendanceId: number | null;

  /** addition: the check-out instant last written to Odoo (re-sync when check_out_at moves). */
  @Column({ name: 'odoo_synced_check_out', type: 'timestamptz', nullable: true })
  odooSyncedCheckOut: Date | null;
}
