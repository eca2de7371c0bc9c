import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { rootLogger } from '@app/core';
import { FaceIndexService, FacesRepository, type FacesChangedEvent } from '@app/faces';
import { ProviderRejectedError } from '@app/faces/engine/face-provider';
import { JOBS, JobsProducer, type ProviderGallerySyncPayload } from '@app/queue';
import { StorageService } from '@app/storage';
import { DetectionProviderService } from '../detection-provider.service';
import { isExternalProviderKind } from '../providers';
import { ProviderConfigRepository } from '../provider-config.repository';

/** Profiles read per page during a full sync. */
const PAGE = 100;
/** Images of one profile sent at most (providers keep a handful of examples per person). */
const MAX_IMAGES = 10;

export interface GallerySyncResult {
  /** skipped: the active provider keeps no gallery of ours (built-in) or is disabled. */
  outcome: 'done' | 'skipped';
  reason?: string;
  enrolled: string[];
  forgotten: string[];
  /** Profiles the provider refused (e.g. no face found in an image): not retried. */
  rejected: { employeeId: string; message: string }[];
}

/**
 * Keeps an external provider's gallery in step with the registry: every `faces:changed` event
 * (from any process) becomes one `provider-gallery-sync` job (job id derived from the event, so N
 * workers hearing it queue it once), which enrols the profile's stored images under its
 * employeeId, or erases it. Every profile with images is enrolled whatever its status, so a
 * pending or archived person is still recognised (as a visitor). A full sync (all profiles) runs
 * when the provider configuration switches to an external provider.
 */
@Injectable()
export class ProviderGallerySyncService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = rootLogger().child({ context: 'ProviderGallerySync' });
  private unsubscribe?: () => void;

  constructor(
    private readonly faceIndex: FaceIndexService,
    private readonly faces: FacesRepository,
    private readonly storage: StorageService,
    private readonly config: ProviderConfigRepository,
    private readonly providers: DetectionProviderService,
    private readonly jobs: JobsProducer,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.faceIndex.onChange((event) => void this.onFacesChanged(event));
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  /** Queues the sync of one changed profile when the active provider keeps a gallery. */
  async onFacesChanged(event: FacesChangedEvent): Promise<void> {
    try {
      const config = await this.config.get();
      if (!config.enabled || !keepsOurGallery(config.kind)) return;
      const key = createHash('sha1')
        .update(`${event.profileId}|${event.action}|${event.employeeId}|${event.at}`)
        .digest('hex')
        .slice(0, 16);
      await this.jobs.enqueue(
        JOBS.providerGallerySync,
        {
          trigger: 'faces-changed',
          profileId: event.profileId,
          employeeId: event.employeeId,
          action: event.action,
          ...(event.previousEmployeeId ? { previousEmployeeId: event.previousEmployeeId } : {}),
        },
        { jobId: `gallery_${key}` },
      );
    } catch (err) {
      this.log.warn({ err: (err as Error).message, profileId: event.profileId }, 'gallery sync not queued');
    }
  }

  /** The provider-gallery-sync job. Provider outages throw (the job retries); refusals are reported. */
  async sync(payload: ProviderGallerySyncPayload): Promise<GallerySyncResult> {
    const result: GallerySyncResult = { outcome: 'done', enrolled: [], forgotten: [], rejected: [] };
    const config = await this.config.get();
    if (!config.enabled) return { ...result, outcome: 'skipped', reason: 'provider disabled' };
    if (!isExternalProviderKind(config.kind))
      return { ...result, outcome: 'skipped', reason: 'the built-in engine matches against the registry itself' };
    if (!keepsOurGallery(config.kind)) return { ...result, outcome: 'skipped', reason: `the ${config.kind} provider has no enrolment API` };
    const provider = this.providers.providerFor(config);
    if (!provider.enrol || !provider.forget) return { ...result, outcome: 'skipped', reason: `${config.kind} has no enrolment API` };
    const enrol = provider.enrol.bind(provider);
    const forget = provider.forget.bind(provider);

    const syncProfile = async (profileId: string, employeeId: string): Promise<void> => {
      const profile = await this.faces.findById(profileId);
      const images = profile ? (await this.faces.listImages(profile.id)).slice(-MAX_IMAGES) : [];
      if (!profile || images.length === 0) {
        await forget(employeeId);
        result.forgotten.push(employeeId);
        return;
      }
      const buffers = await Promise.all(images.map((i) => this.storage.getBuffer(i.s3Key)));
      try {
        await enrol(profile.employeeId, buffers);
        result.enrolled.push(profile.employeeId);
      } catch (err) {
        if (!(err instanceof ProviderRejectedError)) throw err;
        result.rejected.push({ employeeId: profile.employeeId, message: err.message });
      }
    };

    if (payload.profileId && payload.employeeId) {
      if (payload.previousEmployeeId && payload.previousEmployeeId !== payload.employeeId) {
        await forget(payload.previousEmployeeId);
        result.forgotten.push(payload.previousEmployeeId);
      }
      if (payload.action === 'erased') {
        await forget(payload.employeeId);
        result.forgotten.push(payload.employeeId);
      } else {
        await syncProfile(payload.profileId, payload.employeeId);
      }
    } else {
      for (let skip = 0; ; skip += PAGE) {
        const [page] = await this.faces.list({ skip, take: PAGE });
        for (const { profile, imageCount } of page) {
          if (imageCount > 0) await syncProfile(profile.id, profile.employeeId);
        }
        if (page.length < PAGE) break;
      }
    }
    this.log.info(
      { kind: config.kind, enrolled: result.enrolled.length, forgotten: result.forgotten.length, rejected: result.rejected.length },
      'provider gallery synced',
    );
    return result;
  }
}

/** Providers whose gallery we feed (the generic HTTP provider manages its own). */
function keepsOurGallery(kind: string): boolean {
  return kind === 'compreface' || kind === 'codeproject';
}
