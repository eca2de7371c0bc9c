import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CameraEntity } from '@app/cameras/entities/camera.entity';

export type DetectionEventStatus = 'received' | 'processing' | 'error';

/** One call to the detection provider (raw answer kept for the developer console). */
@Entity({ name: 'detection_event_logs' })
@Index('idx_detection_event_logs_camera_id', ['cameraId'])
@Index('idx_detection_event_logs_timestamp', ['timestamp'])
// addition
@Check('chk_detection_event_logs_status', `status IN ('received', 'processing', 'error')`)
export class DetectionEventLogEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_detection_event_logs' })
  id: string;

  @ForeignKey(() => CameraEntity, { name: 'fk_detection_event_logs_camera', onDelete: 'NO ACTION' })
  @Column({ name: 'camera_id', type: 'varchar', length: 50 })
  cameraId: string;

  @Column({ name: 'camera_name', type: 'varchar', length: 255, nullable: true })
  cameraName: string | null;

  @Column({ name: 'timestamp', type: 'timestamptz' })
  timestamp: Date;

  @Column({ name: 'status', type: 'varchar', length: 20 })
  status: DetectionEventStatus;

  @Column({ name: 'latency_ms', type: 'integer', nullable: true })
  latencyMs: number | null;

  /** Raw provider response, secrets removed. */
  @Column({ name: 'payload', type: 'jsonb', nullable: true })
  payload: unknown;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
