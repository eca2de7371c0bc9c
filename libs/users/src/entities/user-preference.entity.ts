import { Column, CreateDateColumn, Entity, ForeignKey, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { UserEntity } from './user.entity';

/** One row per user (created lazily on first write). */
@Entity({ name: 'user_preferences' })
@Unique('uq_user_preferences_user_id', ['userId'])
export class UserPreferenceEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_user_preferences' })
  id: string;

  @ForeignKey(() => UserEntity, { name: 'fk_user_preferences_user', onDelete: 'CASCADE' })
  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'theme', type: 'varchar', length: 20, default: 'dark' })
  theme: string;

  @Column({ name: 'grid_mode', type: 'varchar', length: 20, default: '3x3' })
  gridMode: string;

  @Column({ name: 'auto_rotate', type: 'boolean', default: true })
  autoRotate: boolean;

  @Column({ name: 'language', type: 'varchar', length: 10, default: 'en' })
  language: string;

  @Column({ name: 'timezone', type: 'varchar', length: 50, default: 'UTC' })
  timezone: string;

  /** Additional free-form preferences of the frontend. */
  @Column({ name: 'preferences', type: 'jsonb', default: {} })
  preferences: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
