import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { FaceProfileEntity } from './face-profile.entity';

/** One enrolment photo, stored in S3 under `s3Key`. */
@Entity({ name: 'face_images' })
@Index('idx_face_images_profile_id', ['profileId'])
export class FaceImageEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_face_images' })
  id: string;

  @Column({ name: 'profile_id', type: 'uuid' })
  profileId: string;

  @ManyToOne(() => FaceProfileEntity, (profile) => profile.images, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'profile_id', foreignKeyConstraintName: 'fk_face_images_profile' })
  profile?: Relation<FaceProfileEntity>;

  @Column({ name: 's3_key', type: 'varchar', length: 512 })
  s3Key: string;

  /** Presigned URL, regenerated on read (the stored value is only a cache). */
  @Column({ name: 'url', type: 'text', nullable: true })
  url: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
