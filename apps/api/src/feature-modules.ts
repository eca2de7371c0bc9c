import type { DynamicModule, Type } from '@nestjs/common';
import { CamerasApiModule } from './modules/cameras.api-module';

/**
 * Feature modules of the api (controllers + the domain libraries they use). One line per feature;
 * the platform (config, database, auth, audit, queue, realtime, storage) is wired in AppModule.
 */
export const FEATURE_MODULES: Array<Type<unknown> | DynamicModule> = [
  CamerasApiModule,
];
