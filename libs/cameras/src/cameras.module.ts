import { Module } from '@nestjs/common';
import { CamerasRepository } from './cameras.repository';
import { CamerasService } from './cameras.service';
import { CamerasCache } from './cameras.cache';
import { CameraSecrets } from './camera-secrets';
import { CameraMediaService } from './camera-media.service';
import { CameraTransferService } from './camera-transfer.service';
import { CameraWatchdogService } from './camera-watchdog.service';
import { FFMPEG_CLIENT_PROVIDER } from './ffmpeg.provider';

const SERVICES = [
  CamerasRepository,
  CamerasService,
  CamerasCache,
  CameraSecrets,
  CameraMediaService,
  CameraTransferService,
  CameraWatchdogService,
  FFMPEG_CLIENT_PROVIDER,
];

/**
 * The camera domain: registry, stream sources, probes, snapshots, import/export and the watchdog.
 * Needs the global platform modules (config, Redis, database, storage, realtime, alerts).
 */
@Module({ providers: SERVICES, exports: SERVICES })
export class CamerasModule {}
