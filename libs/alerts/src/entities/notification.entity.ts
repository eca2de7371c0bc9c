import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '@app/users/entities/user.entity';

export type NotificationLevel = 'info' | 'warning' | 'critical';

/** A message to one user, or to everyone when `userId` is NULL. */
@Entity({ name: 'notifications' })
@Index('idx_notifications_user_id', ['userId'])
@Index('idx_notifications_acknowledged', ['acknowledged'])
@Index('idx_notifications_timestamp', ['timestamp'])
// addition
@Check('chk_notifications_level', `level IN ('info', 'warning', 'critical')`)
export class NotificationEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_notifications' })
  id: string;

  @ForeignKey(() => UserEntity, { name: 'fk_notifications_user', onDelete: 'CASCADE' })
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ name: 'title', type: 'varchar', length: 255 })
  title: string;

  @Column({ name: 'message', type: 'text', nullable: true })
  message: string | null;

  @Column({ name: 'level', type: 'varchar', length: 20 })
  level: NotificationLevel;

  @Column({ name: 'acknowledged', type: 'boolean', default: false })
  acknowledged: boolean;

  @Column({ name: 'link', type: 'text', nullable: true })
  link: string | null;

  @Column({ name: 'timestamp', type: 'timestamptz' })
  timestamp: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** addition: what produced it, e.g. 'alerts', 'exports'. */
  @Column({ name: 'source', type: 'varchar', length: 50, nullable: true })
  source: string | null;

  /** addition: users who acknowledged this broadcast (personal notifications use `acknowledged`). */
  @Column({ name: 'acknowledged_by', type: 'uuid', array: true, default: () => "'{}'" })
  acknowledgedBy: string[];

  /** addition: users who cleared this broadcast from their list. */
  @Column({ name: 'dismissed_by', type: 'uuid', array: true, default: () => "'{}'" })
  dismissedBy: string[];
}
