import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CameraEntity } from '@app/cameras/entities/camera.entity';
import { numericTransformer } from '@app/database/transformers';

export type DetectionStatus = 'authorized' | 'visitor' | 'unknown';

export interface BoundingBox {
  top: number;
  left: number;
  width: number;
  height: number;
}

/** One face seen by a camera. */
@Entity({ name: 'detections' })
@Index('idx_detections_camera_id', ['cameraId'])
@Index('idx_detections_timestamp', ['timestamp'])
@Index('idx_detections_person_id', ['personId'])
// addition: live detections of one camera, newest first
@Index('idx_detections_camera_timestamp', ['cameraId', 'timestamp'])
// addition
@Check('chk_detections_status', `status IN ('authorized', 'visitor', 'unknown')`)
export class DetectionEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_detections' })
  id: string;

  /** employeeId of the recognised person, e.g. 'EMP-00412'; NULL when unknown. */
  @Column({ name: 'person_id', type: 'varchar', length: 50, nullable: true })
  personId: string | null;

  @Column({ name: 'name', type: 'varchar', length: 255, nullable: true })
  name: string | null;

  /** FK kept; cameras are soft-deleted so the row it points at always exists. */
  @ForeignKey(() => CameraEntity, { name: 'fk_detections_camera', onDelete: 'NO ACTION' })
  @Column({ name: 'camera_id', type: 'varchar', length: 50 })
  cameraId: string;

  /** 0..100. */
  @Column({ name: 'confidence', type: 'numeric', precision: 5, scale: 2, transformer: numericTransformer })
  confidence: number;

  @Column({ name: 'timestamp', type: 'timestamptz' })
  timestamp: Date;

  @Column({ name: 'track_id', type: 'varchar', length: 100, nullable: true })
  trackId: string | null;

  @Column({ name: 'bounding_box', type: 'jsonb', nullable: true })
  boundingBox: BoundingBox | null;

  @Column({ name: 'thumbnail', type: 'varchar', length: 255, nullable: true })
  thumbnail: string | null;

  @Column({ name: 'status', type: 'varchar', length: 20 })
  status: DetectionStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
