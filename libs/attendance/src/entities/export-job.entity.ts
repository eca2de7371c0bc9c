import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { UserEntity } from '@app/users/entities/user.entity';

export type ExportFormat = 'csv' | 'pdf';
export type ExportStatus = 'queued' | 'processing' | 'completed' | 'failed';

/** A CSV/PDF export produced by the worker and stored in S3. */
@Entity({ name: 'export_jobs' })
@Index('idx_export_jobs_user_id', ['userId'])
@Index('idx_export_jobs_status', ['status'])
@Index('idx_export_jobs_created_at', ['createdAt'])
// addition: cleanup of expired files
@Index('idx_export_jobs_expires_at', ['expiresAt'])
// additions
@Check('chk_export_jobs_format', `format IN ('csv', 'pdf')`)
@Check('chk_export_jobs_status', `status IN ('queued', 'processing', 'completed', 'failed')`)
@Check('chk_export_jobs_progress', `progress BETWEEN 0 AND 100`)
export class ExportJobEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_export_jobs' })
  id: string;

  /** addition: ON DELETE SET NULL so deleting a user keeps (and lets cleanup expire) their exports. */
  @ForeignKey(() => UserEntity, { name: 'fk_export_jobs_user', onDelete: 'SET NULL' })
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  /** attendance, audit, history, ... */
  @Column({ name: 'type', type: 'varchar', length: 50 })
  type: string;

  @Column({ name: 'format', type: 'varchar', length: 10 })
  format: ExportFormat;

  @Column({ name: 'filters', type: 'jsonb', nullable: true })
  filters: Record<string, unknown> | null;

  @Column({ name: 'status', type: 'varchar', length: 20, default: 'queued' })
  status: ExportStatus;

  @Column({ name: 's3_key', type: 'varchar', length: 512, nullable: true })
  s3Key: string | null;

  @Column({ name: 'download_url', type: 'text', nullable: true })
  downloadUrl: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  /** addition: percent 0..100. */
  @Column({ name: 'progress', type: 'integer', default: 0 })
  progress: number;

  /** addition */
  @Column({ name: 'row_count', type: 'integer', nullable: true })
  rowCount: number | null;

  /** addition: the BullMQ job producing the file. */
  @Column({ name: 'bullmq_job_id', type: 'varchar', length: 100, nullable: true })
  bullmqJobId: string | null;

  /** addition */
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
