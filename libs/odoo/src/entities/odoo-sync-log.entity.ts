import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type OdooSyncResult = 'success' | 'failure';

/** One push of an attendance log to Odoo. */
@Entity({ name: 'odoo_sync_logs' })
@Index('idx_odoo_sync_logs_timestamp', ['timestamp'])
@Index('idx_odoo_sync_logs_result', ['result'])
// addition: the sync history of one attendance log
@Index('idx_odoo_sync_logs_attendance_log_id', ['attendanceLogId'])
// addition
@Check('chk_odoo_sync_logs_result', `result IN ('success', 'failure')`)
export class OdooSyncLogEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_odoo_sync_logs' })
  id: string;

  @Column({ name: 'timestamp', type: 'timestamptz' })
  timestamp: Date;

  @Column({ name: 'employee_id', type: 'varchar', length: 50 })
  employeeId: string;

  @Column({ name: 'result', type: 'varchar', length: 20 })
  result: OdooSyncResult;

  @Column({ name: 'message', type: 'text', nullable: true })
  message: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** addition: the attendance log pushed (no FK: the sync history outlives a deleted log). */
  @Column({ name: 'attendance_log_id', type: 'varchar', length: 50, nullable: true })
  attendanceLogId: string | null;

  /** addition: e.g. 'check_in', 'check_out', 'update'. */
  @Column({ name: 'action', type: 'varchar', length: 20, nullable: true })
  action: string | null;
}
