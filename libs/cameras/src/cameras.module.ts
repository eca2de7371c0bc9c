import { Module } from '@nestjs/common';
import { CamerasRepository } from './cameras.repository';
import { CamerasService } from './cameras.service';
import { CameraSecrets } from './camera-secrets';
import { FFMPEG_CLIENT_PROVIDER } from './ffmpeg.provider';

/**
 * The camera domain: registry, stream sources, probes, snapshots, import/export and the watchdog.
 * Needs the global platform modules (config, database, storage, realtime, alerts).
 */
@Module({
  providers: [CamerasRepository, CamerasService, CameraSecrets, FFMPEG_CLIENT_PROVIDER],
  exports: [CamerasRepository, CamerasService, CameraSecrets, FFMPEG_CLIENT_PROVIDER],
})
export class CamerasModule {}
