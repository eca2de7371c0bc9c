import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { numericTransformer } from '@app/database/transformers';
import { CameraEntity } from './camera.entity';

/** Per camera and day counters. Uptime is online_checks / total_checks of the watchdog. */
@Entity({ name: 'camera_summaries' })
@Unique('uq_camera_summaries_camera_date', ['cameraId', 'date'])
@Index('idx_camera_summaries_camera_id', ['cameraId'])
@Index('idx_camera_summaries_date', ['date'])
export class CameraSummaryEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_camera_summaries' })
  id: string;

  @ForeignKey(() => CameraEntity, { name: 'fk_camera_summaries_camera', onDelete: 'CASCADE' })
  @Column({ name: 'camera_id', type: 'varchar', length: 50 })
  cameraId: string;

  @Column({ name: 'detections_today', type: 'integer', default: 0 })
  detectionsToday: number;

  @Column({ name: 'unknown_faces', type: 'integer', default: 0 })
  unknownFaces: number;

  @Column({
    name: 'uptime_percent',
    type: 'numeric',
    precision: 5,
    scale: 2,
    default: 0,
    transformer: numericTransformer,
  })
  uptimePercent: number;

  /** 'YYYY-MM-DD' in the site timezone (set it explicitly; the default is the session's date). */
  @Column({ name: 'date', type: 'date', default: () => 'CURRENT_DATE' })
  date: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** addition: watchdog checks that found the camera online this day. */
  @Column({ name: 'online_checks', type: 'integer', default: 0 })
  onlineChecks: number;

  /** addition: watchdog checks this day. */
  @Column({ name: 'total_checks', type: 'integer', default: 0 })
  totalChecks: number;
}
