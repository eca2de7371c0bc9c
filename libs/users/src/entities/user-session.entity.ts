import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { UserEntity } from './user.entity';

/**
 * One refresh token. Rotation keeps a chain per login (`familyId`): a token is replaced by the
 * next one (`replacedBy`) and revoked; re-use of a revoked token revokes the whole family.
 */
@Entity({ name: 'user_sessions' })
@Unique('uq_user_sessions_refresh_token', ['refreshToken'])
@Index('idx_user_sessions_user_id', ['userId'])
@Index('idx_user_sessions_token', ['refreshToken'])
@Index('idx_user_sessions_expires', ['expiresAt'])
@Index('idx_user_sessions_family_id', ['familyId'])
export class UserSessionEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_user_sessions' })
  id: string;

  @ForeignKey(() => UserEntity, { name: 'fk_user_sessions_user', onDelete: 'CASCADE' })
  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  /** Hash of the refresh token, never the token itself. */
  @Column({ name: 'refresh_token', type: 'varchar', length: 512 })
  refreshToken: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** addition: the refresh-token chain this session belongs to. */
  @Column({ name: 'family_id', type: 'uuid' })
  familyId: string;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** Id of the session that replaced this one on rotation. */
  @Column({ name: 'replaced_by', type: 'uuid', nullable: true })
  replacedBy: string | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent: string | null;

  @Column({ name: 'ip_address', type: 'inet', nullable: true })
  ipAddress: string | null;
}
