import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A named set of permission strings (see @app/auth permissions). Seeded from DEFAULT_ROLES. */
@Entity({ name: 'roles' })
export class RoleEntity {
  /** e.g. 'ROLE-ADMIN'. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 50, primaryKeyConstraintName: 'pk_roles' })
  id: string;

  @Column({ name: 'name', type: 'varchar', length: 50 })
  name: string;

  /** Permission strings, `*` for everything. */
  @Column({ name: 'permissions', type: 'jsonb' })
  permissions: string[];

  @Column({ name: 'description', type: 'text', nullable: true })
  description: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
