import { Module } from '@nestjs/common';
import { AuthModule } from '@app/auth';
import { DetectionsModule } from '@app/detections';
import { DetectionsController } from '../controllers/detections.controller';
import { LiveDetectionsFastPath } from './live-detections.fast-path';

/**
 * Live detections, manual frames, the provider configuration and the detection event log. The live
 * fast path runs ahead of Express (installed on the HTTP server by configureApiApp).
 */
@Module({
  imports: [DetectionsModule, AuthModule],
  controllers: [DetectionsController],
  providers: [LiveDetectionsFastPath],
  exports: [LiveDetectionsFastPath],
})
export class DetectionsApiModule {}
