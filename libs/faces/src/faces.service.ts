import { HttpStatus, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ApiException, EnvDto, ErrorCode, Paginated, badRequest, conflict, notFound, pageWindow, rootLogger } from '@app/core';
import { isUniqueViolation } from '@app/database';
import { StorageService } from '@app/storage';
import {
  CreateFaceProfileDto,
  FaceImageDto,
  FaceProfileDetailDto,
  FaceProfileDto,
  ListFacesQueryDto,
  MAX_IMAGES_PER_PROFILE,
  UpdateFaceProfileDto,
} from './dto/face.dto';
import type { FaceProfileEntity } from './entities/face-profile.entity';
import { EnrolmentImages, type PreparedImage, type UploadedImage } from './enrolment-images';
import { FaceIndexService } from './face-index.service';
import { FaceStorageCleanupService, faceImageKey, profilePrefix } from './face-storage-cleanup.service';
import { FacesRepository, type NewFaceImage } from './faces.repository';
import { FaceEngineService } from './face-engine.service';

/**
 * The face registry: profiles, their enrolment images and the embeddings computed from them.
 *
 * Enrolment (create, add images): every image is checked and embedded before anything is
 * written (EnrolmentImages); then the JPEGs go to storage, then one transaction writes the
 * profile, image and embedding rows. When the transaction fails the stored files are removed
 * again, so a refused request leaves nothing behind. After the commit every process's matcher
 * is told (FaceIndexService.notifyChanged -> Redis `faces:changed`).
 *
 * Erasure (delete image, delete profile): the rows go first in one transaction (the embedding
 * with its image or profile, by FK cascade), every matcher drops them, then the files are
 * deleted (FaceStorageCleanupService: quick retries, then a retried job, then the sweep).
 */
@Injectable()
export class FacesService {
  private readonly log = rootLogger().child({ context: 'FacesService' });
  private readonly urlTtlSeconds: number;

  constructor(
    env: EnvDto,
    private readonly repo: FacesRepository,
    private readonly images: EnrolmentImages,
    private readonly engine: FaceEngineService,
    private readonly index: FaceIndexService,
    private readonly storage: StorageService,
    private readonly cleanup: FaceStorageCleanupService,
  ) {
    this.urlTtlSeconds = env.FACE_IMAGE_URL_TTL_SECONDS;
  }

  async list(q: ListFacesQueryDto): Promise<Paginated<FaceProfileDto>> {
    const { page, pageSize, skip, take } = pageWindow(q);
    const [rows, total] = await this.repo.list({ department: q.department, search: q.search || undefined, status: q.status, skip, take });
    return Paginated.of(
      rows.map((r) => FaceProfileDto.from(r.profile, r)),
      total,
      page,
      pageSize,
    );
  }

  async get(id: string): Promise<FaceProfileDetailDto> {
    const row = await this.repo.findWithCounts(id);
    if (!row) throw notFound('Face profile', id);
    return { ...FaceProfileDto.from(row.profile, row), images: await this.listImages(id) };
  }

  async listImages(profileId: string): Promise<FaceImageDto[]> {
    const images = await this.repo.listImages(profileId);
    if (images.length === 0 && !(await this.repo.findById(profileId))) throw notFound('Face profile', profileId);
    const expiresAt = new Date(Date.now() + this.urlTtlSeconds * 1000);
    return Promise.all(
      images.map(async (i) => FaceImageDto.from(i, await this.storage.presignedGetUrl(i.s3Key, this.urlTtlSeconds), expiresAt)),
    );
  }

  /** Create a profile with 0-5 images; 201 with the profile, or a 4xx and nothing stored. */
  async create(dto: CreateFaceProfileDto, files: readonly UploadedImage[]): Promise<FaceProfileDetailDto> {
    assertImageCount(files.length, 0);
    if (await this.repo.findByEmployeeId(dto.employeeId)) throw duplicateEmployee(dto.employeeId);

    const prepared = await this.images.prepare(files);
    const profileId = randomUUID();
    const stored = await this.store(profileId, prepared);
    try {
      await this.repo.transaction(async (m) => {
        await this.repo.insertProfile(m, {
          id: profileId,
          employeeId: dto.employeeId,
          name: dto.name,
          department: dto.department ?? null,
          notes: dto.notes ?? null,
          status: 'pending',
          statusLocked: false,
        });
        await this.repo.insertImages(m, profileId, stored);
        await this.repo.refreshAutoStatus(m, profileId);
      });
    } catch (err) {
      await this.discard(profileId, stored);
      if (isUniqueViolation(err, 'uq_face_profiles_employee_id')) throw duplicateEmployee(dto.employeeId);
      throw err;
    }
    await this.index.notifyChanged('enrolled', profileId, dto.employeeId);
    return this.get(profileId);
  }

  async update(id: string, dto: UpdateFaceProfileDto): Promise<FaceProfileDetailDto> {
    if (dto.status !== undefined && dto.statusLocked === false) {
      throw badRequest('status and statusLocked: false contradict each other: send one of them', [
        { field: 'statusLocked', issue: 'cannot be false while status is set' },
      ]);
    }
    let previous: FaceProfileEntity | null = null;
    let current: FaceProfileEntity | null = null;
    try {
      await this.repo.transaction(async (m) => {
        const profile = await this.repo.lockProfile(m, id);
        if (!profile) throw notFound('Face profile', id);
        previous = { ...profile };
        if (dto.name !== undefined) profile.name = dto.name;
        if (dto.employeeId !== undefined) profile.employeeId = dto.employeeId;
        if (dto.department !== undefined) profile.department = dto.department;
        if (dto.notes !== undefined) profile.notes = dto.notes;
        if (dto.status !== undefined) {
          profile.status = dto.status;
          profile.statusLocked = true;
        } else if (dto.statusLocked !== undefined) {
          profile.statusLocked = dto.statusLocked;
        }
        await this.repo.saveProfile(m, profile);
        current = profile.statusLocked ? profile : await this.repo.refreshAutoStatus(m, id);
      });
    } catch (err) {
      if (isUniqueViolation(err, 'uq_face_profiles_employee_id') && dto.employeeId) throw duplicateEmployee(dto.employeeId);
      throw err;
    }
    const before = previous as FaceProfileEntity | null;
    const after = current as FaceProfileEntity | null;
    if (before && after) await this.index.notifyChanged('updated', id, after.employeeId, before.employeeId);
    return this.get(id);
  }

  /** Erase a profile: rows, embeddings, matcher entries and files (see the class comment). */
  async remove(id: string): Promise<void> {
    const removed = await this.repo.transaction(async (m) => {
      const profile = await this.repo.lockProfile(m, id);
      if (!profile) throw notFound('Face profile', id);
      const thumbnails = await this.repo.detachPersonThumbnails(m, profile.employeeId);
      return { ...(await this.repo.deleteProfile(m, profile)), thumbnails };
    });
    await this.index.notifyChanged('erased', id, removed.employeeId);
    const outcome = await this.cleanup.erase({ profileId: id, prefix: profilePrefix(id) });
    // the person's detection thumbnails, 100 keys per erase (the job payload's bound)
    for (let i = 0; i < removed.thumbnails.length; i += 100) {
      await this.cleanup.erase({ profileId: id, keys: removed.thumbnails.slice(i, i + 100) });
    }
    this.log.info({ profileId: id, images: removed.s3Keys.length, storage: outcome }, 'face profile erased');
  }

  /** Add 1-5 images (the profile holds at most 5); 201 with the profile, or a 4xx and nothing stored. */
  async addImages(id: string, files: readonly UploadedImage[]): Promise<FaceProfileDetailDto> {
    if (files.length === 0) {
      throw badRequest('Send at least one image in the file field "images"', [{ field: 'images', issue: 'required' }]);
    }
    const profile = await this.repo.findById(id);
    if (!profile) throw notFound('Face profile', id);
    const held = await this.repo.countImages(id);
    assertImageCount(files.length, held);

    const existing = await this.repo.profileVectors(id, this.engine.modelName);
    const prepared = await this.images.prepare(files, existing);
    const stored = await this.store(id, prepared);
    try {
      await this.repo.transaction(async (m) => {
        const locked = await this.repo.lockProfile(m, id);
        if (!locked) throw notFound('Face profile', id);
        assertImageCount(files.length, await this.repo.countImages(id, m));
        await this.repo.insertImages(m, id, stored);
        await this.repo.refreshAutoStatus(m, id);
      });
    } catch (err) {
      await this.discard(id, stored);
      throw err;
    }
    await this.index.notifyChanged('enrolled', id, profile.employeeId);
    return this.get(id);
  }

  /** Erase one image: its row, its embedding, its matcher entry and its file. */
  async removeImage(profileId: string, imageId: string): Promise<void> {
    const { employeeId, key } = await this.repo.transaction(async (m) => {
      const profile = await this.repo.lockProfile(m, profileId);
      if (!profile) throw notFound('Face profile', profileId);
      const image = await this.repo.findImage(m, profileId, imageId);
      if (!image) throw notFound('Face image', imageId);
      await this.repo.deleteImage(m, image);
      await this.repo.refreshAutoStatus(m, profileId);
      return { employeeId: profile.employeeId, key: image.s3Key };
    });
    await this.index.notifyChanged('updated', profileId, employeeId);
    await this.cleanup.erase({ profileId, keys: [key] });
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Upload the JPEGs; on a failure remove what was uploaded and answer 503. */
  private async store(profileId: string, prepared: readonly PreparedImage[]): Promise<NewFaceImage[]> {
    const out: NewFaceImage[] = [];
    try {
      for (const p of prepared) {
        const imageId = randomUUID();
        const s3Key = faceImageKey(profileId, imageId);
        await this.storage.put(s3Key, p.jpeg, { contentType: 'image/jpeg' });
        out.push({
          imageId,
          s3Key,
          embedding: p.embedding,
          modelName: this.engine.modelName,
          modelVersion: this.engine.modelVersion,
          quality: p.quality,
        });
      }
    } catch (err) {
      await this.discard(profileId, out);
      throw err;
    }
    return out;
  }

  private async discard(profileId: string, stored: readonly NewFaceImage[]): Promise<void> {
    if (stored.length === 0) return;
    await this.cleanup.erase({ profileId, keys: stored.map((s) => s.s3Key) });
  }
}

function duplicateEmployee(employeeId: string): ApiException {
  return conflict(`A face profile with employeeId '${employeeId}' already exists`, [{ field: 'employeeId', issue: 'already registered' }]);
}

function assertImageCount(adding: number, held: number): void {
  if (adding > MAX_IMAGES_PER_PROFILE) {
    throw badRequest(`At most ${MAX_IMAGES_PER_PROFILE} images per request`, [
      { field: 'images', issue: `${adding} sent, at most ${MAX_IMAGES_PER_PROFILE}` },
    ]);
  }
  if (held + adding > MAX_IMAGES_PER_PROFILE) {
    throw new ApiException(
      HttpStatus.CONFLICT,
      ErrorCode.CONFLICT,
      `A profile holds at most ${MAX_IMAGES_PER_PROFILE} images: it has ${held}, so ${MAX_IMAGES_PER_PROFILE - held} more can be added (${adding} sent). Delete an image first.`,
      { held, adding, max: MAX_IMAGES_PER_PROFILE },
    );
  }
}
