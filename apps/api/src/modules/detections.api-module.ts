import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { AuthModule } from '@app/auth';
import { DetectionsModule } from '@app/detections';
import { DetectionsController } from '../controllers/detections.controller';
import { LiveDetectionsFastPath } from './live-detections.fast-path';

/** Live detections, manual frames, the provider configuration and the detection event log. */
@Module({ imports: [DetectionsModule, AuthModule], controllers: [DetectionsController], providers: [LiveDetectionsFastPath] })
export class DetectionsApiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(LiveDetectionsFastPath).forRoutes({ path: 'detections/live', method: RequestMethod.GET });
  }
}
