import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  Index,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { RoleEntity } from './role.entity';

export type UserStatus = 'active' | 'suspended';

@Entity({ name: 'users' })
@Unique('uq_users_email', ['email'])
@Index('idx_users_email', ['email'])
@Index('idx_users_role_id', ['roleId'])
// addition: the spec lists the statuses in a comment only
@Check('chk_users_status', `status IN ('active', 'suspended')`)
// addition (migration UsersSearchKey): pg_trgm GIN index on search_key, invisible to TypeORM
@Index('idx_users_search_key_trgm', { synchronize: false })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_users' })
  id: string;

  @Column({ name: 'email', type: 'varchar', length: 255 })
  email: string;

  @Column({ name: 'name', type: 'varchar', length: 255 })
  name: string;

  /** bcrypt hash. Never selected into a DTO. */
  @Column({ name: 'hashed_password', type: 'varchar', length: 255 })
  hashedPassword: string;

  /** addition: a real FK to roles (the spec only says "FK to roles" in a comment). */
  @ForeignKey(() => RoleEntity, { name: 'fk_users_role', onDelete: 'RESTRICT' })
  @Column({ name: 'role_id', type: 'varchar', length: 50 })
  roleId: string;

  @Column({ name: 'status', type: 'varchar', length: 20, default: 'active' })
  status: UserStatus;

  @Column({ name: 'last_active', type: 'timestamptz', nullable: true })
  lastActive: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /**
   * addition: `lower(name) || E'\n' || lower(email)`, written by the trg_users_search_key trigger
   * only (never by the application), matched by GET /users?search= with a plain LIKE.
   */
  @Column({ name: 'search_key', type: 'text', default: '', select: false, insert: false, update: false })
  searchKey?: string;

  /** Optimistic-lock version, bumped by TypeORM on every save/update. */
  @VersionColumn({ name: 'version', type: 'integer', default: 1 })
  version: number;
}
