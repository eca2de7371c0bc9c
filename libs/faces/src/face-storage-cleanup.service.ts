import { Injectable } from '@nestjs/common';
import { rootLogger } from '@app/core';
import { JOBS, JobsProducer, type FaceStorageErasePayload } from '@app/queue';
import { StorageService } from '@app/storage';
import { FacesRepository } from './faces.repository';

/** Where face images live: faces/<profileId>/<imageId>.jpg. */
export const FACES_PREFIX = 'faces/';

export function faceImageKey(profileId: string, imageId: string): string {
  return `${FACES_PREFIX}${profileId}/${imageId}.jpg`;
}

export function profilePrefix(profileId: string): string {
  return `${FACES_PREFIX}${profileId}/`;
}

export type EraseOutcome = 'removed' | 'deferred' | 'failed';

export interface SweepResult {
  scanned: number;
  orphans: number;
  removed: number;
  /** Orphans younger than SWEEP_MIN_AGE_MS (an enrolment may be committing them right now). */
  tooRecent: number;
}

/** Quick in-request attempts before handing the deletion to the retried job. */
const INLINE_DELAYS_MS = [0, 250, 1000];
/** The sweep leaves files younger than this alone: enrolment writes files before its row commits. */
const SWEEP_MIN_AGE_MS = 60 * 60 * 1000;

/**
 * Removal of face image files from object storage, the second half of every erasure.
 *
 * Order of an erasure (image or profile): the database rows (image, embedding, profile) are
 * deleted in one transaction first, and the matchers drop the profile right after the commit,
 * so no biometric template survives even when storage is down. The files are then deleted here
 * with a few quick retries; when storage still fails, a `face-storage-erase` job (12 attempts,
 * exponential back-off from 15 s, ~8 h) takes over, and the daily `face-storage-sweep` deletes
 * any file under faces/ that no face_images row owns (the net under a lost job).
 */
@Injectable()
export class FaceStorageCleanupService {
  private readonly log = rootLogger().child({ context: 'FaceStorageCleanup' });

  constructor(
    private readonly storage: StorageService,
    private readonly repo: FacesRepository,
    private readonly jobs: JobsProducer,
  ) {}

  /**
   * Delete the files now, or schedule their deletion. Never throws: 'removed' when they are
   * gone, 'deferred' when a job will retry, 'failed' when even the job could not be queued
   * (logged as an error; the sweep still removes them).
   */
  async erase(target: FaceStorageErasePayload): Promise<EraseOutcome> {
    let lastError: unknown;
    for (const delay of INLINE_DELAYS_MS) {
      if (delay) await sleep(delay);
      try {
        await this.removeNow(target);
        return 'removed';
      } catch (err) {
        lastError = err;
      }
    }
    this.log.warn({ err: errorText(lastError), profileId: target.profileId }, 'face files not deleted yet: retrying in a job');
    try {
      await this.jobs.enqueue(JOBS.faceStorageErase, target);
      return 'deferred';
    } catch (err) {
      this.log.error(
        { err: errorText(err), profileId: target.profileId, keys: target.keys?.length ?? 0, prefix: target.prefix },
        'face files not deleted and no retry job queued: the storage sweep will remove them',
      );
      return 'failed';
    }
  }

  /** The `face-storage-erase` job: throws while storage fails, so BullMQ retries it. */
  async runEraseJob(target: FaceStorageErasePayload): Promise<{ removed: number }> {
    return { removed: await this.removeNow(target) };
  }

  /**
   * The `face-storage-sweep` job: every file under faces/ without a face_images row (older than
   * an hour) is deleted.
   */
  async sweep(): Promise<SweepResult> {
    const keys = await this.storage.listKeys(FACES_PREFIX);
    const result: SweepResult = { scanned: keys.length, orphans: 0, removed: 0, tooRecent: 0 };
    const now = Date.now();
    for (let i = 0; i < keys.length; i += 500) {
      const batch = keys.slice(i, i + 500);
      const owned = await this.repo.existingImageKeys(batch);
      const doomed: string[] = [];
      for (const key of batch) {
        if (owned.has(key)) continue;
        result.orphans++;
        const stat = await this.storage.stat(key);
        if (!stat) continue;
        if (now - stat.lastModified.getTime() < SWEEP_MIN_AGE_MS) {
          result.tooRecent++;
          continue;
        }
        doomed.push(key);
      }
      if (doomed.length) {
        await this.storage.removeMany(doomed);
        result.removed += doomed.length;
      }
    }
    if (result.removed || result.orphans) this.log.info(result, 'face storage sweep');
    return result;
  }

  private async removeNow(target: FaceStorageErasePayload): Promise<number> {
    let removed = 0;
    if (target.keys?.length) {
      // Never delete a file a row owns (keys are never reused, but a bad payload must not erase data).
      const owned = await this.repo.existingImageKeys(target.keys);
      const doomed = target.keys.filter((k) => !owned.has(k));
      await this.storage.removeMany(doomed);
      removed += doomed.length;
    }
    if (target.prefix) {
      const expected = profilePrefix(target.profileId);
      if (target.prefix !== expected) throw new Error(`prefix ${target.prefix} does not belong to profile ${target.profileId}`);
      if (await this.repo.findById(target.profileId)) {
        this.log.warn({ profileId: target.profileId }, 'profile still exists: its files are kept');
      } else {
        removed += await this.storage.removePrefix(target.prefix);
      }
    }
    return removed;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
