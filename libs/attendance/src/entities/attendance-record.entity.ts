import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { CameraEntity } from '@app/cameras/entities/camera.entity';
import { numericTransformer } from '@app/database/transformers';

export type PresenceStatus = 'on-site' | 'off-site' | 'remote';

/** Real-time presence: where a person was last seen. */
@Entity({ name: 'attendance_records' })
@Index('idx_attendance_records_person_id', ['personId'])
@Index('idx_attendance_records_timestamp', ['timestamp'])
// addition
@Check('chk_attendance_records_status', `status IN ('on-site', 'off-site', 'remote')`)
export class AttendanceRecordEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 50, primaryKeyConstraintName: 'pk_attendance_records' })
  id: string;

  @Column({ name: 'person_id', type: 'varchar', length: 50 })
  personId: string;

  @Column({ name: 'name', type: 'varchar', length: 255 })
  name: string;

  @Column({ name: 'role', type: 'varchar', length: 100, nullable: true })
  role: string | null;

  @Column({ name: 'department', type: 'varchar', length: 255, nullable: true })
  department: string | null;

  @Column({ name: 'status', type: 'varchar', length: 20 })
  status: PresenceStatus;

  @Column({
    name: 'accuracy',
    type: 'numeric',
    precision: 5,
    scale: 2,
    nullable: true,
    transformer: numericTransformer,
  })
  accuracy: number | null;

  @Column({ name: 'timestamp', type: 'timestamptz' })
  timestamp: Date;

  @ForeignKey(() => CameraEntity, { name: 'fk_attendance_records_camera', onDelete: 'NO ACTION' })
  @Column({ name: 'camera_id', type: 'varchar', length: 50, nullable: true })
  cameraId: string | null;

  @Column({ name: 'camera_name', type: 'varchar', length: 255, nullable: true })
  cameraName: string | null;

  @Column({ name: 'thumbnail', type: 'varchar', length: 255, nullable: true })
  thumbnail: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
