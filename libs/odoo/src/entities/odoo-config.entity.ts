import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

export type OdooConnectionStatus = 'connected' | 'disconnected' | 'error';
export type OdooEmployeeMatchField = 'barcode' | 'identification_id';
export type OdooProtocol = 'jsonrpc' | 'json2';

/** Singleton (id = 1), seeded by the first migration. */
@Entity({ name: 'odoo_config' })
@Check('chk_singleton', `id = 1`)
// additions
@Check('chk_odoo_config_status', `status IN ('connected', 'disconnected', 'error')`)
@Check('chk_odoo_config_employee_match_field', `employee_match_field IN ('barcode', 'identification_id')`)
@Check('chk_odoo_config_protocol', `protocol IN ('jsonrpc', 'json2')`)
export class OdooConfigEntity {
  @PrimaryColumn({ name: 'id', type: 'integer', default: 1, primaryKeyConstraintName: 'pk_odoo_config' })
  id: number;

  @Column({ name: 'base_url', type: 'text' })
  baseUrl: string;

  @Column({ name: 'database', type: 'varchar', length: 255 })
  database: string;

  @Column({ name: 'company', type: 'varchar', length: 255, nullable: true })
  company: string | null;

  /** ENCRYPTED with SecretBox. */
  @Column({ name: 'api_key', type: 'varchar', length: 512, nullable: true })
  apiKey: string | null;

  @Column({ name: 'auto_sync', type: 'boolean', default: false })
  autoSync: boolean;

  @Column({ name: 'status', type: 'varchar', length: 20, default: 'disconnected' })
  status: OdooConnectionStatus;

  @Column({ name: 'last_sync', type: 'timestamptz', nullable: true })
  lastSync: Date | null;

  @Column({ name: 'pending_count', type: 'integer', default: 0 })
  pendingCount: number;

  @Column({ name: 'failure_count', type: 'integer', default: 0 })
  failureCount: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn({ name: 'version', type: 'integer', default: 1 })
  version: number;

  /** addition: the Odoo user (login) the API key belongs to. */
  @Column({ name: 'login', type: 'varchar', length: 255, nullable: true })
  login: string | null;

  /** addition: hr.employee field holding our employeeId. */
  @Column({ name: 'employee_match_field', type: 'varchar', length: 30, default: 'barcode' })
  employeeMatchField: OdooEmployeeMatchField;

  /** addition: JSON-RPC (Odoo <= 18) or the JSON-2 API (Odoo 19+). */
  @Column({ name: 'protocol', type: 'varchar', length: 10, default: 'jsonrpc' })
  protocol: OdooProtocol;

  /** addition: an alert is raised when more attendance logs than this have failed to sync (0 = at the first). */
  @Column({ name: 'failure_alert_threshold', type: 'integer', default: 10 })
  failureAlertThreshold: number;
}
