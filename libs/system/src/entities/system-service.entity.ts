import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type SystemServiceStatus = 'running' | 'degraded' | 'stopped';

/** A process or dependency shown on System Health (api, worker, postgres, redis, s3, ...). */
@Entity({ name: 'system_services' })
// addition
@Check('chk_system_services_status', `status IN ('running', 'degraded', 'stopped')`)
export class SystemServiceEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 50, primaryKeyConstraintName: 'pk_system_services' })
  id: string;

  @Column({ name: 'name', type: 'varchar', length: 255 })
  name: string;

  @Column({ name: 'status', type: 'varchar', length: 20, default: 'stopped' })
  status: SystemServiceStatus;

  /** Software version of the service (not a row version). */
  @Column({ name: 'version', type: 'varchar', length: 50, nullable: true })
  version: string | null;

  @Column({ name: 'uptime', type: 'varchar', length: 100, nullable: true })
  uptime: string | null;

  @Column({ name: 'last_restart', type: 'timestamptz', nullable: true })
  lastRestart: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** addition: e.g. 'process', 'database', 'queue', 'storage'. */
  @Column({ name: 'kind', type: 'varchar', length: 20, nullable: true })
  kind: string | null;

  /** addition: last time the service reported itself alive. */
  @Column({ name: 'last_heartbeat', type: 'timestamptz', nullable: true })
  lastHeartbeat: Date | null;

  /** addition: free-form facts (pid, host, queue depths, ...). */
  @Column({ name: 'details', type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null;
}
