import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type AuditSeverity = 'info' | 'warning' | 'critical';

/** Append-only audit trail. `actor` is a display string (email or 'system'), not a FK: it outlives users. */
@Entity({ name: 'audit_logs' })
@Index('idx_audit_logs_actor', ['actor'])
@Index('idx_audit_logs_timestamp', ['timestamp'])
@Index('idx_audit_logs_severity', ['severity'])
// addition: filter the trail by the resource it concerns
@Index('idx_audit_logs_resource', ['resourceType', 'resourceId'])
// addition
@Check('chk_audit_logs_severity', `severity IN ('info', 'warning', 'critical')`)
export class AuditLogEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_audit_logs' })
  id: string;

  @Column({ name: 'actor', type: 'varchar', length: 255 })
  actor: string;

  @Column({ name: 'actor_role', type: 'varchar', length: 50, nullable: true })
  actorRole: string | null;

  @Column({ name: 'action', type: 'varchar', length: 100 })
  action: string;

  @Column({ name: 'resource_type', type: 'varchar', length: 50, nullable: true })
  resourceType: string | null;

  @Column({ name: 'resource_id', type: 'varchar', length: 100, nullable: true })
  resourceId: string | null;

  @Column({ name: 'message', type: 'text' })
  message: string;

  @Column({ name: 'context', type: 'jsonb', nullable: true })
  context: Record<string, unknown> | null;

  @Column({ name: 'severity', type: 'varchar', length: 20 })
  severity: AuditSeverity;

  @Column({ name: 'ip_address', type: 'inet', nullable: true })
  ipAddress: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent: string | null;

  @Column({ name: 'timestamp', type: 'timestamptz' })
  timestamp: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
