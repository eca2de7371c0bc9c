import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { FaceEmbeddingEntity, decodeEmbedding, encodeEmbedding, type EmbeddingQuality } from './entities/face-embedding.entity';
import { FaceImageEntity } from './entities/face-image.entity';
import { FaceProfileEntity, type FaceProfileStatus } from './entities/face-profile.entity';

export interface ProfileListFilter {
  department?: string;
  search?: string;
  status?: FaceProfileStatus;
  skip: number;
  take: number;
}

/** A profile with its counts (list and detail views). */
export interface ProfileWithCounts {
  profile: FaceProfileEntity;
  imageCount: number;
  embeddingCount: number;
}

/** An accepted image with its embedding, ready to be written. */
export interface NewFaceImage {
  imageId: string;
  s3Key: string;
  embedding: ArrayLike<number>;
  modelName: string;
  modelVersion: string;
  quality: EmbeddingQuality;
}

/** One matcher row: an embedding of an active profile. */
export interface IndexedEmbedding {
  embeddingId: string;
  profileId: string;
  employeeId: string;
  name: string;
  department: string | null;
  vector: Float32Array;
}

/** What a removed image or profile left behind in object storage. */
export interface RemovedImages {
  profileId: string;
  employeeId: string;
  s3Keys: string[];
}

/** Cheap summary of the active part of the registry: two processes with equal ones hold the same index. */
export interface IndexFingerprint {
  embeddings: number;
  profiles: number;
  lastEmbeddingAt: string | null;
  lastProfileChangeAt: string | null;
}

/** Rows fetched per round trip when loading the whole index (each embedding is ~4 KB). */
const LOAD_BATCH = 2000;

/** Face profiles, their images and their embeddings (one aggregate: erasing a profile takes all three). */
@Injectable()
export class FacesRepository {
  private readonly profiles: Repository<FaceProfileEntity>;
  private readonly images: Repository<FaceImageEntity>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.profiles = dataSource.getRepository(FaceProfileEntity);
    this.images = dataSource.getRepository(FaceImageEntity);
  }

  transaction<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(fn);
  }

  // ---- profiles -------------------------------------------------------------------------------

  async list(f: ProfileListFilter): Promise<[ProfileWithCounts[], number]> {
    const qb = this.profiles.createQueryBuilder('p');
    if (f.department) qb.andWhere('lower(p.department) = lower(:dep)', { dep: f.department });
    if (f.status) qb.andWhere('p.status = :status', { status: f.status });
    if (f.search) {
      qb.andWhere('(p.name ILIKE :s OR p.employee_id ILIKE :s OR p.department ILIKE :s)', {
        s: `%${escapeLike(f.search)}%`,
      });
    }
    const [profiles, total] = await qb
      .orderBy('p.created_at', 'DESC')
      .addOrderBy('p.id', 'ASC')
      .skip(f.skip)
      .take(f.take)
      .getManyAndCount();
    const counts = await this.counts(profiles.map((p) => p.id));
    return [profiles.map((p) => ({ profile: p, ...(counts.get(p.id) ?? { imageCount: 0, embeddingCount: 0 }) })), total];
  }

  async findWithCounts(id: string): Promise<ProfileWithCounts | null> {
    const profile = await this.profiles.findOneBy({ id });
    if (!profile) return null;
    const counts = await this.counts([id]);
    return { profile, ...(counts.get(id) ?? { imageCount: 0, embeddingCount: 0 }) };
  }

  findById(id: string, manager?: EntityManager): Promise<FaceProfileEntity | null> {
    return (manager ?? this.dataSource.manager).getRepository(FaceProfileEntity).findOneBy({ id });
  }

  findByEmployeeId(employeeId: string): Promise<FaceProfileEntity | null> {
    return this.profiles.findOneBy({ employeeId });
  }

  /** The profile row locked FOR UPDATE until the transaction ends (serialises image changes). */
  async lockProfile(manager: EntityManager, id: string): Promise<FaceProfileEntity | null> {
    return manager
      .getRepository(FaceProfileEntity)
      .createQueryBuilder('p')
      .setLock('pessimistic_write')
      .where('p.id = :id', { id })
      .getOne();
  }

  async insertProfile(
    manager: EntityManager,
    data: Pick<FaceProfileEntity, 'id' | 'employeeId' | 'name' | 'department' | 'notes' | 'status' | 'statusLocked'>,
  ): Promise<FaceProfileEntity> {
    const repo = manager.getRepository(FaceProfileEntity);
    await repo.insert(repo.create(data));
    return repo.findOneByOrFail({ id: data.id });
  }

  saveProfile(manager: EntityManager, profile: FaceProfileEntity): Promise<FaceProfileEntity> {
    return manager.getRepository(FaceProfileEntity).save(profile);
  }

  /** Insert images and their embeddings (same transaction as the profile change). */
  async insertImages(manager: EntityManager, profileId: string, images: readonly NewFaceImage[]): Promise<void> {
    if (images.length === 0) return;
    await manager.getRepository(FaceImageEntity).insert(images.map((i) => ({ id: i.imageId, profileId, s3Key: i.s3Key, url: null })));
    await manager.getRepository(FaceEmbeddingEntity).insert(
      images.map((i) => ({
        profileId,
        imageId: i.imageId,
        embedding: encodeEmbedding(i.embedding),
        dimension: i.embedding.length,
        modelName: i.modelName,
        modelVersion: i.modelVersion,
        quality: i.quality,
      })),
    );
  }

  countImages(profileId: string, manager?: EntityManager): Promise<number> {
    return (manager ?? this.dataSource.manager).getRepository(FaceImageEntity).countBy({ profileId });
  }

  /**
   * Set the automatic status from the embeddings (active with at least one, else pending),
   * unless an operator locked it. Returns the profile as it is now.
   */
  async refreshAutoStatus(manager: EntityManager, profileId: string): Promise<FaceProfileEntity | null> {
    await manager.query(
      `UPDATE face_profiles p
          SET status = CASE WHEN EXISTS (SELECT 1 FROM face_embeddings e WHERE e.profile_id = p.id)
                            THEN 'active' ELSE 'pending' END,
              updated_at = now()
        WHERE p.id = $1 AND NOT p.status_locked
          AND p.status IS DISTINCT FROM
              (CASE WHEN EXISTS (SELECT 1 FROM face_embeddings e WHERE e.profile_id = p.id)
                    THEN 'active' ELSE 'pending' END)`,
      [profileId],
    );
    return this.findById(profileId, manager);
  }

  /** Delete the profile; images and embeddings go with it (FK cascade). Returns the S3 keys. */
  async deleteProfile(manager: EntityManager, profile: FaceProfileEntity): Promise<RemovedImages> {
    const images = await manager.getRepository(FaceImageEntity).find({ where: { profileId: profile.id }, select: { s3Key: true } });
    await manager.getRepository(FaceProfileEntity).delete({ id: profile.id });
    return { profileId: profile.id, employeeId: profile.employeeId, s3Keys: images.map((i) => i.s3Key) };
  }

  /**
   * The person's face crops outside the registry (detection thumbnails, the presence record's
   * thumbnail) are biometric too: their columns are cleared here and the storage keys returned for
   * deletion. The detection and attendance rows themselves stay (history without a face).
   */
  async detachPersonThumbnails(manager: EntityManager, employeeId: string): Promise<string[]> {
    const rows: Array<{ key: string }> = await manager.query(
      `WITH d AS (
         UPDATE detections t SET thumbnail = NULL
           FROM (SELECT id, thumbnail FROM detections WHERE person_id = $1 AND thumbnail IS NOT NULL FOR UPDATE) old
          WHERE t.id = old.id
         RETURNING old.thumbnail AS key),
       r AS (
         UPDATE attendance_records t SET thumbnail = NULL
           FROM (SELECT id, thumbnail FROM attendance_records WHERE person_id = $1 AND thumbnail IS NOT NULL FOR UPDATE) old
          WHERE t.id = old.id
         RETURNING old.thumbnail AS key)
       SELECT key FROM d UNION SELECT key FROM r`,
      [employeeId],
    );
    return rows.map((r) => r.key).filter((k) => k.startsWith('thumbnails/'));
  }

  // ---- images ---------------------------------------------------------------------------------

  listImages(profileId: string): Promise<FaceImageEntity[]> {
    return this.images.find({ where: { profileId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findImage(manager: EntityManager, profileId: string, imageId: string): Promise<FaceImageEntity | null> {
    return manager.getRepository(FaceImageEntity).findOneBy({ id: imageId, profileId });
  }

  /** Delete one image; its embedding goes with it (FK cascade). */
  async deleteImage(manager: EntityManager, image: FaceImageEntity): Promise<void> {
    await manager.getRepository(FaceImageEntity).delete({ id: image.id });
  }

  /** Which of these keys still belong to an image row (the storage sweep keeps those). */
  async existingImageKeys(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.images.find({ where: { s3Key: In([...keys]) }, select: { s3Key: true } });
    return new Set(rows.map((r) => r.s3Key));
  }

  // ---- embeddings -----------------------------------------------------------------------------

  /** Every embedding of one profile for one model (compared against new enrolment images). */
  async profileVectors(profileId: string, modelName: string, manager?: EntityManager): Promise<Float32Array[]> {
    const rows = await (manager ?? this.dataSource.manager)
      .getRepository(FaceEmbeddingEntity)
      .find({ where: { profileId, modelName }, select: { embedding: true, dimension: true } });
    return rows.map((r) => decodeEmbedding(r.embedding, r.dimension));
  }

  /** Embeddings of ACTIVE profiles for one model, in batches (keyset on the embedding id). */
  async *activeEmbeddings(modelName: string): AsyncGenerator<IndexedEmbedding[]> {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows: EmbeddingRow[] = await this.dataSource.query(
        `SELECT e.id, e.profile_id, e.embedding, e.dimension, p.employee_id, p.name, p.department
           FROM face_embeddings e JOIN face_profiles p ON p.id = e.profile_id
          WHERE p.status = 'active' AND e.model_name = $1 AND e.id > $2
          ORDER BY e.id
          LIMIT ${LOAD_BATCH}`,
        [modelName, after],
      );
      if (rows.length === 0) return;
      yield rows.map(toIndexed);
      if (rows.length < LOAD_BATCH) return;
      after = rows[rows.length - 1].id;
    }
  }

  /** The profile's embeddings when it is active; an empty list otherwise (or when it is gone). */
  async activeProfileEmbeddings(profileId: string, modelName: string): Promise<IndexedEmbedding[]> {
    const rows: EmbeddingRow[] = await this.dataSource.query(
      `SELECT e.id, e.profile_id, e.embedding, e.dimension, p.employee_id, p.name, p.department
         FROM face_embeddings e JOIN face_profiles p ON p.id = e.profile_id
        WHERE p.id = $1 AND p.status = 'active' AND e.model_name = $2`,
      [profileId, modelName],
    );
    return rows.map(toIndexed);
  }

  async indexFingerprint(modelName: string): Promise<IndexFingerprint> {
    const rows: Array<{ embeddings: number; profiles: number; last_embedding: Date | null; last_profile: Date | null }> =
      await this.dataSource.query(
        `SELECT count(e.id)::int AS embeddings, count(DISTINCT p.id)::int AS profiles,
                max(e.created_at) AS last_embedding, max(p.updated_at) AS last_profile
           FROM face_profiles p JOIN face_embeddings e ON e.profile_id = p.id AND e.model_name = $1
          WHERE p.status = 'active'`,
        [modelName],
      );
    const r = rows[0];
    return {
      embeddings: r?.embeddings ?? 0,
      profiles: r?.profiles ?? 0,
      lastEmbeddingAt: r?.last_embedding ? new Date(r.last_embedding).toISOString() : null,
      lastProfileChangeAt: r?.last_profile ? new Date(r.last_profile).toISOString() : null,
    };
  }

  // ---- settings -------------------------------------------------------------------------------

  /** detection_provider_config.settings (the singleton row), or {} when it is missing. */
  async providerSettings(): Promise<Record<string, unknown>> {
    const rows: Array<{ settings: unknown }> = await this.dataSource.query(`SELECT settings FROM detection_provider_config WHERE id = 1`);
    const s = rows[0]?.settings;
    return typeof s === 'object' && s !== null && !Array.isArray(s) ? (s as Record<string, unknown>) : {};
  }

  // ---- helpers --------------------------------------------------------------------------------

  private async counts(ids: readonly string[]): Promise<Map<string, { imageCount: number; embeddingCount: number }>> {
    const out = new Map<string, { imageCount: number; embeddingCount: number }>();
    if (ids.length === 0) return out;
    const rows: Array<{ id: string; images: number; embeddings: number }> = await this.dataSource.query(
      `SELECT p.id,
              (SELECT count(*)::int FROM face_images i WHERE i.profile_id = p.id) AS images,
              (SELECT count(*)::int FROM face_embeddings e WHERE e.profile_id = p.id) AS embeddings
         FROM face_profiles p WHERE p.id = ANY($1::uuid[])`,
      [ids],
    );
    for (const r of rows) out.set(r.id, { imageCount: r.images, embeddingCount: r.embeddings });
    return out;
  }
}

interface EmbeddingRow {
  id: string;
  profile_id: string;
  embedding: Buffer;
  dimension: number;
  employee_id: string;
  name: string;
  department: string | null;
}

function toIndexed(r: EmbeddingRow): IndexedEmbedding {
  return {
    embeddingId: r.id,
    profileId: r.profile_id,
    employeeId: r.employee_id,
    name: r.name,
    department: r.department,
    vector: decodeEmbedding(r.embedding, r.dimension),
  };
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
