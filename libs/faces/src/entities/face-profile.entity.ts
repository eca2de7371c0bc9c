import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  OneToMany,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import { FaceImageEntity } from './face-image.entity';

export type FaceProfileStatus = 'active' | 'pending' | 'archived';

/** A registered person (employeeId is the key shared with Odoo and the detection providers). */
@Entity({ name: 'face_profiles' })
@Unique('uq_face_profiles_employee_id', ['employeeId'])
@Index('idx_face_profiles_employee_id', ['employeeId'])
@Index('idx_face_profiles_department', ['department'])
@Index('idx_face_profiles_status', ['status'])
// addition
@Check('chk_face_profiles_status', `status IN ('active', 'pending', 'archived')`)
export class FaceProfileEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_face_profiles' })
  id: string;

  @Column({ name: 'employee_id', type: 'varchar', length: 50 })
  employeeId: string;

  @Column({ name: 'name', type: 'varchar', length: 255 })
  name: string;

  @Column({ name: 'department', type: 'varchar', length: 255, nullable: true })
  department: string | null;

  @Column({ name: 'status', type: 'varchar', length: 20, default: 'pending' })
  status: FaceProfileStatus;

  @Column({ name: 'notes', type: 'text', nullable: true })
  notes: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** addition: an operator set the status by hand; automatic status changes leave it alone. */
  @Column({ name: 'status_locked', type: 'boolean', default: false })
  statusLocked: boolean;

  /** Loaded only on request (`relations: { images: true }`). */
  @OneToMany(() => FaceImageEntity, (image) => image.profile)
  images?: Relation<FaceImageEntity>[];
}
