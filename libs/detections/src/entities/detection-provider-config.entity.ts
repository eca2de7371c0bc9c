import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

export type DetectionProviderKind = 'builtin' | 'http' | 'compreface' | 'codeproject';
export type DetectionProviderStatus = 'connected' | 'degraded' | 'offline';

/** Singleton (id = 1), seeded by the first migration with the built-in engine. */
@Entity({ name: 'detection_provider_config' })
@Check('chk_singleton', `id = 1`)
// additions
@Check('chk_detection_provider_config_status', `status IN ('connected', 'degraded', 'offline')`)
@Check('chk_detection_provider_config_kind', `kind IN ('builtin', 'http', 'compreface', 'codeproject')`)
export class DetectionProviderConfigEntity {
  @PrimaryColumn({ name: 'id', type: 'integer', default: 1, primaryKeyConstraintName: 'pk_detection_provider_config' })
  id: number;

  @Column({ name: 'provider_name', type: 'varchar', length: 255 })
  providerName: string;

  @Column({ name: 'endpoint', type: 'text' })
  endpoint: string;

  /** ENCRYPTED with SecretBox. */
  @Column({ name: 'api_key', type: 'varchar', length: 512, nullable: true })
  apiKey: string | null;

  @Column({ name: 'enabled', type: 'boolean', default: true })
  enabled: boolean;

  @Column({ name: 'status', type: 'varchar', length: 20, default: 'offline' })
  status: DetectionProviderStatus;

  @Column({ name: 'last_heartbeat', type: 'timestamptz', nullable: true })
  lastHeartbeat: Date | null;

  @Column({ name: 'average_latency_ms', type: 'integer', default: 0 })
  averageLatencyMs: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn({ name: 'version', type: 'integer', default: 1 })
  version: number;

  /** addition: which FaceProvider implementation to use. */
  @Column({ name: 'kind', type: 'varchar', length: 20, default: 'builtin' })
  kind: DetectionProviderKind;

  /** addition: thresholds, timeouts and provider-specific options. */
  @Column({ name: 'settings', type: 'jsonb', default: {} })
  settings: Record<string, unknown>;
}
