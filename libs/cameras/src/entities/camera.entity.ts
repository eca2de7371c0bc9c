import { Check, Column, CreateDateColumn, DeleteDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { numericTransformer } from '@app/database/transformers';

export type CameraStreamType = 'RTSP' | 'USB' | 'HTTP' | 'Socket' | 'Local File';
export type CameraStatus = 'online' | 'offline' | 'maintenance';
export type RtspTransport = 'tcp' | 'udp';

/**
 * A video source. Soft-deleted (`deletedAt`): detections, attendance and alerts keep pointing at it,
 * so history joins never fail; TypeORM's find* hide deleted rows unless `withDeleted: true`.
 */
@Entity({ name: 'cameras' })
@Index('idx_cameras_status', ['status'])
@Index('idx_cameras_enabled', ['enabled'])
// additions: the enums of the spec's comments
@Check('chk_cameras_stream_type', `stream_type IN ('RTSP', 'USB', 'HTTP', 'Socket', 'Local File')`)
@Check('chk_cameras_status', `status IN ('online', 'offline', 'maintenance')`)
@Check('chk_cameras_rtsp_transport', `rtsp_transport IN ('tcp', 'udp')`)
@Check('chk_cameras_sample_interval_ms', `sample_interval_ms > 0`)
export class CameraEntity {
  /** e.g. 'CAM-01'. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 50, primaryKeyConstraintName: 'pk_cameras' })
  id: string;

  @Column({ name: 'name', type: 'varchar', length: 255 })
  name: string;

  @Column({ name: 'location', type: 'varchar', length: 255 })
  location: string;

  @Column({ name: 'stream_type', type: 'varchar', length: 20 })
  streamType: CameraStreamType;

  /** The stream URL ENCRYPTED with SecretBox (it may carry credentials). */
  @Column({ name: 'stream_url', type: 'text', nullable: true })
  streamUrl: string | null;

  /** addition: the URL with its password replaced by ***, safe to show. */
  @Column({ name: 'stream_url_masked', type: 'text', nullable: true })
  streamUrlMasked: string | null;

  @Column({ name: 'status', type: 'varchar', length: 20, default: 'offline' })
  status: CameraStatus;

  @Column({ name: 'fps', type: 'integer', default: 0 })
  fps: number;

  /** Milliseconds. */
  @Column({ name: 'latency', type: 'numeric', precision: 10, scale: 2, default: 0, transformer: numericTransformer })
  latency: number;

  /** Mbit/s. */
  @Column({ name: 'bitrate', type: 'numeric', precision: 10, scale: 2, default: 0, transformer: numericTransformer })
  bitrate: number;

  @Column({ name: 'resolution', type: 'varchar', length: 20, nullable: true })
  resolution: string | null;

  @Column({ name: 'ip_address', type: 'inet', nullable: true })
  ipAddress: string | null;

  @Column({ name: 'tags', type: 'jsonb', default: [] })
  tags: string[];

  @Column({ name: 'thumbnail', type: 'varchar', length: 255, nullable: true })
  thumbnail: string | null;

  @Column({ name: 'enabled', type: 'boolean', default: true })
  enabled: boolean;

  @Column({ name: 'last_seen', type: 'timestamptz', nullable: true })
  lastSeen: Date | null;

  @Column({ name: 'last_checked', type: 'timestamptz', nullable: true })
  lastChecked: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn({ name: 'version', type: 'integer', default: 1 })
  version: number;

  /** addition: RTSP transport used by ffmpeg. */
  @Column({ name: 'rtsp_transport', type: 'varchar', length: 3, default: 'tcp' })
  rtspTransport: RtspTransport;

  /** addition: how often the worker grabs a frame for detection. */
  @Column({ name: 'sample_interval_ms', type: 'integer', default: 2000 })
  sampleIntervalMs: number;

  /** addition: frame sampling for detection on/off (the camera can stay enabled for viewing). */
  @Column({ name: 'sampling_enabled', type: 'boolean', default: true })
  samplingEnabled: boolean;

  /** addition: IANA timezone of the camera's site; NULL = SITE_TIMEZONE. */
  @Column({ name: 'timezone', type: 'varchar', length: 64, nullable: true })
  timezone: string | null;

  /** addition: codec reported by ffprobe. */
  @Column({ name: 'codec', type: 'varchar', length: 50, nullable: true })
  codec: string | null;

  /** addition: when the camera went offline (NULL while online). */
  @Column({ name: 'offline_since', type: 'timestamptz', nullable: true })
  offlineSince: Date | null;

  /** addition: soft delete. */
  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz' })
  deletedAt: Date | null;
}
