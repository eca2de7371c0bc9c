import { Module } from '@nestjs/common';
import { EnrolmentImages } from './enrolment-images';
import { FaceEngineService } from './face-engine.service';
import { FaceIndexService } from './face-index.service';
import { FaceStorageCleanupService } from './face-storage-cleanup.service';
import { FacesRepository } from './faces.repository';
import { FacesService } from './faces.service';
import { PersonHistoryRepository } from './history/person-history.repository';
import { PersonHistoryService } from './history/person-history.service';
import { FaceImagesInterceptor } from './upload/face-images.interceptor';

/**
 * The face registry: profiles, images, embeddings, the process's built-in engine and its
 * in-memory matcher, erasure, and a person's history. Import it in both apps (api: registry
 * routes; worker: detection and the storage clean-up jobs). Needs the global platform modules
 * (config, Redis, database, storage, queue).
 */
@Module({
  providers: [
    FacesRepository,
    FaceEngineService,
    FaceIndexService,
    EnrolmentImages,
    FacesService,
    FaceStorageCleanupService,
    FaceImagesInterceptor,
    PersonHistoryRepository,
    PersonHistoryService,
  ],
  exports: [
    FacesRepository,
    FaceEngineService,
    FaceIndexService,
    FacesService,
    FaceStorageCleanupService,
    FaceImagesInterceptor,
    PersonHistoryService,
  ],
})
export class FacesModule {}
