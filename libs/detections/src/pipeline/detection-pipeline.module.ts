import { Module } from '@nestjs/common';
import { AttendanceModule } from '@app/attendance';
import { CamerasModule } from '@app/cameras';
import { FacesModule } from '@app/faces';
import { DetectionsModule } from '../detections.module';
import { CameraSamplerService } from '../sampling/camera-sampler.service';
import { DetectionPipelineService } from './detection-pipeline.service';
import { FrameStore } from './frame-store';
import { ProviderGallerySyncService } from './provider-gallery-sync.service';
import { SightingRecorder } from './sighting-recorder.service';
import { TrackStore } from './track-store';

const SERVICES = [FrameStore, TrackStore, SightingRecorder, DetectionPipelineService, CameraSamplerService, ProviderGallerySyncService];

/**
 * The worker side: the detection pipeline, continuous camera sampling (leases, one decoder per
 * camera) and the external provider gallery sync. Import in the worker only.
 */
@Module({
  imports: [DetectionsModule, CamerasModule, FacesModule, AttendanceModule],
  providers: SERVICES,
  exports: [...SERVICES, DetectionsModule],
})
export class DetectionPipelineModule {}
