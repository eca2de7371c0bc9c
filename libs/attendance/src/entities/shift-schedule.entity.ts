import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { numericTransformer } from '@app/database/transformers';

/**
 * A recurring shift. Times are wall-clock 'HH:MM:SS' in `timezone` (NULL = SITE_TIMEZONE); a shift
 * whose end is before its start ends the next day (night shift).
 */
@Entity({ name: 'shift_schedules' })
// addition
@Check('chk_shift_schedules_grace_minutes', `grace_minutes >= 0`)
@Check('chk_shift_schedules_windows', `check_in_window_minutes BETWEEN 0 AND 720 AND check_out_window_minutes BETWEEN 0 AND 720`)
export class ShiftScheduleEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 50, primaryKeyConstraintName: 'pk_shift_schedules' })
  id: string;

  @Column({ name: 'name', type: 'varchar', length: 255 })
  name: string;

  @Column({ name: 'start_time', type: 'time' })
  startTime: string;

  @Column({ name: 'end_time', type: 'time' })
  endTime: string;

  @Column({ name: 'location', type: 'varchar', length: 255, nullable: true })
  location: string | null;

  @Column({ name: 'expected_headcount', type: 'integer' })
  expectedHeadcount: number;

  /** Percent 0..100. */
  @Column({ name: 'compliance', type: 'numeric', precision: 5, scale: 2, default: 0, transformer: numericTransformer })
  compliance: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** addition: minutes after the start still counted as on time. */
  @Column({ name: 'grace_minutes', type: 'integer', default: 10 })
  graceMinutes: number;

  /** addition: departments this shift applies to ([] = all, unless employeeIds is set). */
  @Column({ name: 'departments', type: 'jsonb', default: [] })
  departments: string[];

  /** addition: employees this shift applies to explicitly. */
  @Column({ name: 'employee_ids', type: 'jsonb', default: [] })
  employeeIds: string[];

  /** addition: ISO weekdays (1 = Monday .. 7 = Sunday) on which the shift starts. */
  @Column({ name: 'days_of_week', type: 'jsonb', default: [1, 2, 3, 4, 5] })
  daysOfWeek: number[];

  /** addition: IANA timezone; NULL = SITE_TIMEZONE. */
  @Column({ name: 'timezone', type: 'varchar', length: 64, nullable: true })
  timezone: string | null;

  /** addition */
  @Column({ name: 'enabled', type: 'boolean', default: true })
  enabled: boolean;

  /** addition: minutes before the start from which a sighting counts as arriving for an instance. */
  @Column({ name: 'check_in_window_minutes', type: 'integer', default: 120 })
  checkInWindowMinutes: number;

  /** addition: minutes after the end until which a sighting still counts as leaving an instance. */
  @Column({ name: 'check_out_window_minutes', type: 'integer', default: 240 })
  checkOutWindowMinutes: number;
}
