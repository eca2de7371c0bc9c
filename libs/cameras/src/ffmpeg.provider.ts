import type { Provider } from '@nestjs/common';
import { EnvDto } from '@app/core';
import { FfmpegClient } from './stream/ffmpeg.client';

/** The FfmpegClient of a process, built from FFMPEG_PATH / FFPROBE_PATH. Inject it by class. */
export const FFMPEG_CLIENT_PROVIDER: Provider = {
  provide: FfmpegClient,
  useFactory: (env: EnvDto): FfmpegClient => new FfmpegClient({ ffmpegPath: env.FFMPEG_PATH, ffprobePath: env.FFPROBE_PATH }),
  inject: [EnvDto],
};
