import type { Provider } from '@nestjs/common';
import { EnvDto } from '@app/core';
import { FfmpegClient } from './stream/ffmpeg.client';

/**
 * The FfmpegClient of a process, built from FFMPEG_PATH / FFPROBE_PATH and the CAMERA_*_TIMEOUT_MS
 * bounds. Inject it by class.
 */
export const FFMPEG_CLIENT_PROVIDER: Provider = {
  provide: FfmpegClient,
  useFactory: (env: EnvDto): FfmpegClient =>
    new FfmpegClient({
      ffmpegPath: env.FFMPEG_PATH,
      ffprobePath: env.FFPROBE_PATH,
      socketTimeoutMs: env.CAMERA_SOCKET_TIMEOUT_MS,
      probeTimeoutMs: env.CAMERA_PROBE_TIMEOUT_MS,
      grabTimeoutMs: env.CAMERA_GRAB_TIMEOUT_MS,
    }),
  inject: [EnvDto],
};
