import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  type Relation,
} from 'typeorm';
import { FaceImageEntity } from './face-image.entity';
import { FaceProfileEntity } from './face-profile.entity';

/** Quality facts of the face an embedding was computed from (kept for audits of the registry). */
export interface EmbeddingQuality {
  /** Detector confidence 0..1. */
  score?: number;
  /** Smaller side of the tight face box, px of the uploaded image. */
  faceSizePx?: number;
  /** Variance of Laplacian of the face crop (see face-quality.ts). */
  sharpness?: number;
}

/**
 * The face embedding of one enrolment image, for one model (migration 1795700823510-FaceEmbeddings).
 *
 * Stored as BYTEA holding `dimension` little-endian float32 values (L2-normalised), not REAL[]:
 * every process loads all active embeddings at start, and node-postgres returns REAL[] as text
 * that must be split and parsed float by float (1,024 per face), while BYTEA arrives as one
 * Buffer read with a Float32Array view. It is also 4 bytes per value on disk, the precision the
 * model produces. We never compare embeddings in SQL (matching is in-memory), so REAL[]'s SQL
 * readability buys nothing. The CHECK keeps the byte length and the dimension in step.
 *
 * Rows are removed with their image (FK image_id ON DELETE CASCADE) and their profile
 * (FK profile_id ON DELETE CASCADE): erasing either removes the biometric template with it.
 */
@Entity({ name: 'face_embeddings' })
@Index('idx_face_embeddings_profile_id', ['profileId'])
@Unique('uq_face_embeddings_image_model', ['imageId', 'modelName'])
@Check('chk_face_embeddings_dimension', `dimension > 0 AND octet_length(embedding) = dimension * 4`)
export class FaceEmbeddingEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: 'pk_face_embeddings' })
  id: string;

  @Column({ name: 'profile_id', type: 'uuid' })
  profileId: string;

  @ManyToOne(() => FaceProfileEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'profile_id', foreignKeyConstraintName: 'fk_face_embeddings_profile' })
  profile?: Relation<FaceProfileEntity>;

  @Column({ name: 'image_id', type: 'uuid' })
  imageId: string;

  @ManyToOne(() => FaceImageEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'image_id', foreignKeyConstraintName: 'fk_face_embeddings_image' })
  image?: Relation<FaceImageEntity>;

  /** `dimension` float32 values, little-endian, L2-normalised. */
  @Column({ name: 'embedding', type: 'bytea' })
  embedding: Buffer;

  @Column({ name: 'dimension', type: 'integer' })
  dimension: number;

  /** e.g. 'human-faceres': embeddings of different models are never compared. */
  @Column({ name: 'model_name', type: 'varchar', length: 100 })
  modelName: string;

  /** Version of the engine package that computed it, e.g. '3.3.6'. */
  @Column({ name: 'model_version', type: 'varchar', length: 50 })
  modelVersion: string;

  @Column({ name: 'quality', type: 'jsonb', default: {} })
  quality: EmbeddingQuality;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Float32 little-endian bytes of a vector (the BYTEA format of face_embeddings.embedding). */
export function encodeEmbedding(vector: ArrayLike<number>): Buffer {
  const buf = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) buf.writeFloatLE(vector[i], i * 4);
  return buf;
}

/** The vector of a stored embedding (copies, so the result never aliases pg's buffer). */
export function decodeEmbedding(bytes: Buffer, dimension?: number): Float32Array {
  if (bytes.length % 4 !== 0) throw new RangeError(`embedding holds ${bytes.length} bytes, not a multiple of 4`);
  const n = bytes.length / 4;
  if (dimension !== undefined && n !== dimension) {
    throw new RangeError(`embedding holds ${n} values, expected ${dimension}`);
  }
  const out = new Float32Array(n);
  if (LITTLE_ENDIAN) {
    // One memcpy into the aligned array instead of n reads (the whole index loads at start).
    new Uint8Array(out.buffer).set(bytes);
  } else {
    for (let i = 0; i < n; i++) out[i] = bytes.readFloatLE(i * 4);
  }
  return out;
}
