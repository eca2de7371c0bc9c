import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** addition: per-day counter behind attendance log ids (ATT-YYYYMMDD-NNN). */
@Entity({ name: 'attendance_log_sequences' })
@Check('chk_attendance_log_sequences_last_value', `last_value >= 0`)
export class AttendanceLogSequenceEntity {
  /** The log date the counter numbers. */
  @PrimaryColumn({ name: 'day', type: 'date', primaryKeyConstraintName: 'pk_attendance_log_sequences' })
  day: string;

  /** The last number handed out for that day. */
  @Column({ name: 'last_value', type: 'integer' })
  lastValue: number;
}
