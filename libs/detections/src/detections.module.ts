import { Module } from '@nestjs/common';
import { CamerasModule } from '@app/cameras';
import { FacesModule } from '@app/faces';
import { DetectionEventsRepository } from './detection-events.repository';
import { DetectionProviderService } from './detection-provider.service';
import { DetectionsRepository } from './detections.repository';
import { DetectionsService } from './detections.service';
import { LiveDetectionsService } from './live/live-detections.service';
import { ProviderConfigRepository } from './provider-config.repository';
import { ProviderConfigService } from './provider-config.service';

const SERVICES = [
  DetectionsRepository,
  DetectionEventsRepository,
  ProviderConfigRepository,
  DetectionProviderService,
  ProviderConfigService,
  LiveDetectionsService,
  DetectionsService,
];

/**
 * Detections for both apps: live detections (Redis lists + PostgreSQL), provider configuration and
 * health, the event log and manual frames. The worker adds DetectionPipelineModule.
 * Needs the global platform modules (config, Redis, database, storage, queue, realtime, alerts).
 */
@Module({
  imports: [CamerasModule, FacesModule],
  providers: SERVICES,
  exports: SERVICES,
})
export class DetectionsModule {}
