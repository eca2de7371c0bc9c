import { Module } from '@nestjs/common';
import { FaceEngineService } from './face-engine.service';
import { FaceIndexService } from './face-index.service';
import { FacesRepository } from './faces.repository';

/**
 * The face registry: profiles, images, embeddings, the process's built-in engine and its
 * in-memory matcher. Import it in both apps (api: registry routes; worker: detection).
 * Needs the global platform modules (config, Redis, database, storage, queue).
 */
@Module({
  providers: [FacesRepository, FaceEngineService, FaceIndexService],
  exports: [FacesRepository, FaceEngineService, FaceIndexService],
})
export class FacesModule {}
