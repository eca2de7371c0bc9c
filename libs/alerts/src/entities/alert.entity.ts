import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { CameraEntity } from '@app/cameras/entities/camera.entity';

export type AlertLevel = 'low' | 'medium' | 'high' | 'critical';

/**
 * An operational alert. Raised by `kind` + `subject` (e.g. 'camera_offline' + 'CAM-01'): at most one
 * open (unresolved) alert exists per pair, a repeat updates it instead of piling up:
 * `INSERT ... ON CONFLICT (kind, subject) WHERE resolved_at IS NULL AND kind IS NOT NULL DO UPDATE ...`.
 */
@Entity({ name: 'alerts' })
@Index('idx_alerts_level', ['level'])
@Index('idx_alerts_acknowledged', ['acknowledged'])
@Index('idx_alerts_timestamp', ['timestamp'])
// additions: GET /alerts pages straight off an index (newest first, id as tie-break)
@Index('idx_alerts_timestamp_id', ['timestamp', 'id'])
@Index('idx_alerts_camera_timestamp', ['cameraId', 'timestamp', 'id'])
@Index('idx_alerts_kind_timestamp', ['kind', 'timestamp', 'id'])
// addition: de-duplication of open alerts
@Index('uq_alerts_open_kind_subject', ['kind', 'subject'], {
  unique: true,
  where: `resolved_at IS NULL AND kind IS NOT NULL`,
})
// addition
@Check('chk_alerts_level', `level IN ('low', 'medium', 'high', 'critical')`)
export class AlertEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 50, primaryKeyConstraintName: 'pk_alerts' })
  id: string;

  @Column({ name: 'title', type: 'varchar', length: 255 })
  title: string;

  @Column({ name: 'description', type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'level', type: 'varchar', length: 20 })
  level: AlertLevel;

  @Column({ name: 'timestamp', type: 'timestamptz' })
  timestamp: Date;

  @ForeignKey(() => CameraEntity, { name: 'fk_alerts_camera', onDelete: 'NO ACTION' })
  @Column({ name: 'camera_id', type: 'varchar', length: 50, nullable: true })
  cameraId: string | null;

  @Column({ name: 'acknowledged', type: 'boolean', default: false })
  acknowledged: boolean;

  @Column({ name: 'muted', type: 'boolean', default: false })
  muted: boolean;

  @Column({ name: 'tags', type: 'jsonb', default: [] })
  tags: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** addition: machine-readable cause, e.g. 'camera_offline', 'odoo_sync_failing'. */
  @Column({ name: 'kind', type: 'varchar', length: 50, nullable: true })
  kind: string | null;

  /** addition: what the alert is about, e.g. a camera id. */
  @Column({ name: 'subject', type: 'varchar', length: 100, nullable: true })
  subject: string | null;

  /** addition: when the cause went away (NULL = open). */
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  /** addition: S3 key of an image (e.g. an unknown face). */
  @Column({ name: 'thumbnail', type: 'varchar', length: 512, nullable: true })
  thumbnail: string | null;
}
