import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestVideoOptions {
  /** Default 4. */
  seconds?: number;
  /** Default 640x360. */
  width?: number;
  height?: number;
  /** Default 10. */
  fps?: number;
  /** Keyframe interval in seconds (cameras use 1 to 4). Default 1. */
  gopSeconds?: number;
  /** Text drawn over the picture (e.g. a camera name). */
  text?: string;
  /**
   * An image (.jpg/.png/...) or a video to use instead of the test pattern, looped to `seconds` and
   * fitted into width x height without distortion (so a real person's photo can be streamed).
   */
  source?: string;
  /** File name inside `dir`. Default: a fresh unique name. */
  name?: string;
}

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.gif', '.tif', '.tiff']);
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
let counter = 0;

/** drawtext/filter option value escaping (`:` `'` `\` are special). */
const escapeFilterValue = (value: string): string => value.replace(/[\\':]/g, (c) => `\\${c}`);

/**
 * Writes an H.264 (yuv420p, no B-frames, closed GOP) MP4 that every server below can stream, and
 * returns its path. From ffmpeg's lavfi `testsrc`, or from `source` (image or video).
 */
export async function makeTestVideo(dir: string, options: TestVideoOptions = {}): Promise<string> {
  const seconds = options.seconds ?? 4;
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const fps = options.fps ?? 10;
  const gop = Math.max(1, Math.round(fps * (options.gopSeconds ?? 1)));
  counter += 1;
  const output = join(dir, options.name ?? `test-video-${process.pid}-${counter}-${width}x${height}.mp4`);

  const input: string[] = [];
  const filters: string[] = [];
  if (options.source) {
    if (!existsSync(options.source)) throw new Error(`makeTestVideo: no such source ${options.source}`);
    if (IMAGE_EXTENSIONS.has(extname(options.source).toLowerCase())) {
      input.push('-loop', '1', '-framerate', String(fps), '-i', options.source);
    } else {
      input.push('-stream_loop', '-1', '-i', options.source);
    }
    filters.push(
      `scale=${width}:${height}:force_original_aspect_ratio=decrease`,
      `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`,
      'setsar=1',
      `fps=${fps}`,
    );
  } else {
    input.push('-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=${fps}`);
  }
  if (options.text) {
    const textFile = `${output}.txt`;
    writeFileSync(textFile, options.text);
    const font = existsSync(FONT) ? `fontfile=${escapeFilterValue(FONT)}:` : '';
    filters.push(
      `drawtext=${font}textfile=${escapeFilterValue(textFile)}:fontsize=${Math.max(12, Math.round(height / 12))}:fontcolor=white:box=1:boxcolor=black@0.6:x=10:y=10`,
    );
  }
  filters.push('format=yuv420p');

  try {
    await run(
      'ffmpeg',
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        '-y',
        ...input,
        '-t',
        String(seconds),
        '-an',
        '-vf',
        filters.join(','),
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-bf',
        '0',
        '-g',
        String(gop),
        '-keyint_min',
        String(gop),
        '-sc_threshold',
        '0',
        '-movflags',
        '+faststart',
        output,
      ],
      { timeout: 60_000 },
    );
  } finally {
    if (options.text) rmSync(`${output}.txt`, { force: true });
  }
  return output;
}

let defaultDir: string | null = null;
let defaultVideo: Promise<string> | null = null;

/** A shared 640x360, 10 fps, 4 s test video, made once per process; removed by `removeDefaultTestVideo`. */
export function defaultTestVideo(): Promise<string> {
  if (!defaultVideo) {
    defaultDir = mkdtempSync(join(tmpdir(), 'stream-test-'));
    const dir = defaultDir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    defaultVideo = makeTestVideo(dir, { name: 'default.mp4' });
  }
  return defaultVideo;
}

export function removeDefaultTestVideo(): void {
  if (defaultDir) rmSync(defaultDir, { recursive: true, force: true });
  defaultDir = null;
  defaultVideo = null;
}
