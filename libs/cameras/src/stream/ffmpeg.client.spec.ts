import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isPidAlive } from './child-registry';
import { FfmpegClient } from './ffmpeg.client';
import { StreamError } from './stream-error';

/**
 * Unit tests with fake ffmpeg/ffprobe executables (shell scripts): they check the client's own
 * logic (kill timer, output parsing, masking, no child left). Real ffmpeg runs in
 * test/integration/stream-*.int-spec.ts.
 */
let dir: string;
const fake = (name: string, body: string): string => {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
};

const PASSWORD = 'Xyzzy-42-secret';
const SOURCE = { type: 'RTSP' as const, url: `rtsp://admin:${PASSWORD}@10.0.0.5/stream` };
const PROBE_JSON = JSON.stringify({
  streams: [{ index: 0, codec_type: 'video', codec_name: 'hevc', width: 2560, height: 1440, avg_frame_rate: '20/1' }],
  packets: Array.from({ length: 41 }, (_, i) => ({ stream_index: 0, size: '25000', pts_time: String(i / 20) })),
  format: {},
});

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ffmpeg-client-spec-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('FfmpegClient.probe', () => {
  it('parses ffprobe output and measures latency to the stream description', async () => {
    const ffprobePath = fake('ffprobe-ok', `sleep 0.2; echo "Input #0, rtsp, from 'x':" >&2; sleep 0.2; cat <<'EOF'\n${PROBE_JSON}\nEOF`);
    const result = await new FfmpegClient({ ffprobePath }).probe(SOURCE);
    expect(result).toMatchObject({ success: true, codec: 'hevc', resolution: '2560x1440', fps: 20, bitrate: 4, message: 'Connection OK' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(150);
    expect(result.latencyMs).toBeLessThan(2000); // generous: the machine may be loaded
  });

  it('passes the URL as one argument, with TCP and a socket timeout', async () => {
    const ffprobePath = fake('ffprobe-args', `for a in "$@"; do echo "$a"; done > "${dir}/args.txt"; echo '{"streams":[]}'`);
    await new FfmpegClient({ ffprobePath, socketTimeoutMs: 3000 }).probe(SOURCE);
    const { readFileSync } = await import('node:fs');
    const args = readFileSync(join(dir, 'args.txt'), 'utf8').trim().split('\n');
    expect(args).toContain(SOURCE.url);
    expect(args[args.indexOf('-rtsp_transport') + 1]).toBe('tcp');
    expect(args[args.indexOf('-timeout') + 1]).toBe('3000000');
    expect(args[args.indexOf('-read_intervals') + 1]).toBe('%+2');
  });

  it('kills a child that outlives the bound and reports a timeout', async () => {
    const ffprobePath = fake('ffprobe-hang', 'exec sleep 30');
    const pids: number[] = [];
    const client = new FfmpegClient({ ffprobePath, onSpawn: (pid) => pids.push(pid) });
    const started = Date.now();
    const result = await client.probe(SOURCE, { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toMatchObject({ success: false, errorCode: 'TIMEOUT', bitrate: 0, codec: null });
    expect(result.message).toMatch(/within 300 ms/);
    expect(pids).toHaveLength(1);
    expect(isPidAlive(pids[0])).toBe(false);
  });

  it('classifies a failure and masks the password', async () => {
    const ffprobePath = fake(
      'ffprobe-401',
      `echo "[rtsp @ 0x5] method DESCRIBE failed: 401 Unauthorized" >&2; echo "$SOURCE_URL: Server returned 401 Unauthorized" >&2; exit 1`,
    );
    process.env.SOURCE_URL = SOURCE.url;
    try {
      const result = await new FfmpegClient({ ffprobePath }).probe(SOURCE);
      expect(result).toMatchObject({ success: false, errorCode: 'FAILED' });
      expect(result.message).toMatch(/Authentication failed/);
      expect(result.message).not.toContain(PASSWORD);
    } finally {
      delete process.env.SOURCE_URL;
    }
  });

  it('reports an invalid URL without running anything', async () => {
    const pids: number[] = [];
    const result = await new FfmpegClient({ onSpawn: (pid) => pids.push(pid) }).probe({ type: 'RTSP', url: 'http://x/y' });
    expect(result).toMatchObject({ success: false, errorCode: 'FAILED' });
    expect(pids).toEqual([]);
  });

  it('reports a missing ffprobe', async () => {
    const result = await new FfmpegClient({ ffprobePath: join(dir, 'nope') }).probe(SOURCE);
    expect(result).toMatchObject({ success: false, errorCode: 'FAILED' });
    expect(result.message).toMatch(/could not be started/);
  });

  it('stops when aborted', async () => {
    const ffprobePath = fake('ffprobe-hang2', 'exec sleep 30');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await new FfmpegClient({ ffprobePath }).probe(SOURCE, { signal: controller.signal });
    expect(result).toMatchObject({ success: false, message: 'Probe aborted' });
  });
});

describe('FfmpegClient.grabFrame', () => {
  // fluent-ffmpeg first asks `ffmpeg -formats` and `-encoders` (once per process): answer like ffmpeg.
  const prelude = [
    'case "$*" in',
    "  *-formats*) printf ' DE image2pipe       piped image2 sequence\\n'; exit 0;;",
    "  *-encoders*) printf ' V....D mjpeg                Motion JPEG\\n'; exit 0;;",
    "  *-codecs*) printf ' DEVIL. mjpeg                Motion JPEG\\n'; exit 0;;",
    'esac',
  ].join('\n');

  it('returns the JPEG written to stdout', async () => {
    const ffmpegPath = fake('ffmpeg-jpeg', `${prelude}\nprintf '\\377\\330JPEGDATA\\377\\331'`);
    const frame = await new FfmpegClient({ ffmpegPath }).grabFrame(SOURCE);
    expect(frame.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(frame.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
  });

  it('rejects output that is not a JPEG as INVALID_DATA', async () => {
    const ffmpegPath = fake('ffmpeg-empty', `${prelude}\nexit 0`);
    await expect(new FfmpegClient({ ffmpegPath }).grabFrame(SOURCE)).rejects.toMatchObject({ code: 'INVALID_DATA' });
  });

  it('kills a hanging ffmpeg at the bound with a TIMEOUT StreamError', async () => {
    const ffmpegPath = fake('ffmpeg-hang', `${prelude}\nexec sleep 30`);
    const pids: number[] = [];
    const started = Date.now();
    const error = await new FfmpegClient({ ffmpegPath, onSpawn: (pid) => pids.push(pid) })
      .grabFrame(SOURCE, { timeoutMs: 300 })
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error).toBeInstanceOf(StreamError);
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    expect(pids).toHaveLength(1);
    expect(isPidAlive(pids[0])).toBe(false);
  });

  it('maps a refused connection and masks the password', async () => {
    const ffmpegPath = fake(
      'ffmpeg-refused',
      `${prelude}\necho "[tcp @ 0x1] Connection to tcp://10.0.0.5:554?timeout=5000000 failed: Connection refused" >&2\necho "$SOURCE_URL: Connection refused" >&2\nexit 1`,
    );
    process.env.SOURCE_URL = SOURCE.url;
    try {
      const error = (await new FfmpegClient({ ffmpegPath }).grabFrame(SOURCE).catch((e: unknown) => e)) as StreamError;
      expect(error.code).toBe('REFUSED');
      expect(error.message).not.toContain(PASSWORD);
    } finally {
      delete process.env.SOURCE_URL;
    }
  });
});
