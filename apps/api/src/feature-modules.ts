import type { DynamicModule, Type } from '@nestjs/common';
import { CamerasApiModule } from './modules/cameras.api-module';
import { FacesApiModule } from './modules/faces.api-module';
import { OpsApiModule } from './modules/ops.api-module';
import { OdooApiModule } from './modules/odoo.api-module';
import { DetectionsApiModule } from './modules/detections.api-module';
import { AttendanceApiModule } from './modules/attendance.api-module';

/**
 * Feature modules of the api (controllers + the domain libraries they use). One line per feature;
 * the platform (config, database, auth, audit, queue, realtime, storage) is wired in AppModule.
 */
export const FEATURE_MODULES: Array<Type<unknown> | DynamicModule> = [
  CamerasApiModule,
  FacesApiModule,
  OpsApiModule,
  OdooApiModule,
  DetectionsApiModule,
  AttendanceApiModule,
];
