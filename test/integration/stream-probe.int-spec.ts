import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FfmpegClient, isPidAlive, StreamError, type StreamSource } from '@app/cameras/stream';
import {
  makeTestVideo,
  refusedPort,
  startHlsServer,
  startMjpegServer,
  startSilentServer,
  startUdpTsStream,
  stopAllTestStreams,
  type MjpegServer,
  type SilentServer,
} from '../support/streams';

/**
 * FfmpegClient against real ffmpeg/ffprobe: a local file, an MJPEG camera served over HTTP, and
 * sources that fail (refused, silent, missing). RTSP is in stream-rtsp.int-spec.ts.
 */
const PASSWORD = 'N0t-In-Logs!';
const SOCKET_TIMEOUT_MS = 1500;

describe('FfmpegClient on files, MJPEG and failing sources', () => {
  let dir: string;
  let video: string;
  let mjpeg: MjpegServer;
  let silent: SilentServer;
  const spawned: number[] = [];
  const client = new FfmpegClient({
    socketTimeoutMs: SOCKET_TIMEOUT_MS,
    probeTimeoutMs: 8000,
    grabTimeoutMs: 8000,
    bitrateWindowMs: 1500,
    onSpawn: (pid) => spawned.push(pid),
  });

  const expectNoChildLeft = (): void => {
    expect(spawned.length).toBeGreaterThan(0);
    expect(spawned.filter((pid) => isPidAlive(pid))).toEqual([]);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stream-probe-'));
    video = await makeTestVideo(dir, { seconds: 3, width: 640, height: 360, fps: 10, text: 'CAM-01' });
    mjpeg = await startMjpegServer({ fps: 5, source: video });
    silent = await startSilentServer();
  });

  afterAll(async () => {
    await stopAllTestStreams();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('local file', () => {
    it('probes codec, resolution, fps and bit rate', async () => {
      const result = await client.probe({ type: 'Local File', url: video });
      expect(result).toMatchObject({ success: true, codec: 'h264', resolution: '640x360', fps: 10, message: 'Connection OK' });
      expect(result.bitrate).toBeGreaterThan(0);
      expect(result.latencyMs).toBeGreaterThanOrEqual(0);
      expect(result.latencyMs).toBeLessThan(5000);
      expectNoChildLeft();
    });

    it('accepts a file:// URL', async () => {
      const result = await client.probe({ type: 'Local File', url: `file://${video}` });
      expect(result.success).toBe(true);
    });

    it('grabs one JPEG frame of the right size', async () => {
      const frame = await client.grabFrame({ type: 'Local File', url: video });
      expect(frame.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      expect(frame.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
      const probed = await readJpegSize(client, dir, frame);
      expect(probed).toBe('640x360');
      expectNoChildLeft();
    });

    it('downscales when asked', async () => {
      const frame = await client.grabFrame({ type: 'Local File', url: video }, { maxWidth: 320 });
      expect(await readJpegSize(client, dir, frame)).toBe('320x180');
    });

    it('a missing file fails fast with NOT_FOUND', async () => {
      const source: StreamSource = { type: 'Local File', url: join(dir, 'missing.mp4') };
      const started = Date.now();
      const result = await client.probe(source);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(result).toMatchObject({ success: false, errorCode: 'NOT_FOUND', bitrate: 0, fps: 0, codec: null, resolution: null });
      expect(result.message).toMatch(/No such file/);
      await expect(client.grabFrame(source)).rejects.toMatchObject({ name: 'StreamError', code: 'NOT_FOUND' });
    });

    it('a file that is not a video fails with INVALID_DATA', async () => {
      const junk = join(dir, 'junk.mp4');
      writeFileSync(junk, 'this is not a video at all');
      const result = await client.probe({ type: 'Local File', url: junk });
      expect(result).toMatchObject({ success: false, errorCode: 'INVALID_DATA' });
      await expect(client.grabFrame({ type: 'Local File', url: junk })).rejects.toMatchObject({ code: 'INVALID_DATA' });
    });
  });

  describe('MJPEG over HTTP', () => {
    it('probes resolution and counts fps against the wall clock', async () => {
      const result = await client.probe({ type: 'HTTP', url: mjpeg.url });
      expect(result).toMatchObject({ success: true, codec: 'mjpeg', resolution: '640x360' });
      // Served at 5 fps; timer jitter on a loaded machine allows some slack.
      expect(result.fps).toBeGreaterThan(3.5);
      expect(result.fps).toBeLessThan(6.5);
      expect(result.bitrate).toBeGreaterThan(0);
      expectNoChildLeft();
    });

    it('grabs a frame', async () => {
      const frame = await client.grabFrame({ type: 'HTTP', url: mjpeg.url });
      expect(frame.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      expect(await readJpegSize(client, dir, frame)).toBe('640x360');
    });

    it('a wrong path is NOT_FOUND (404)', async () => {
      const result = await client.probe({ type: 'HTTP', url: mjpeg.url.replace('/video.mjpg', '/nope.mjpg') });
      expect(result).toMatchObject({ success: false, errorCode: 'NOT_FOUND' });
    });

    it('wrong credentials fail and the password never shows', async () => {
      const guarded = await startMjpegServer({ fps: 5, source: video, username: 'admin', password: 'right-one' });
      try {
        const wrong = guarded.url.replace('right-one', encodeURIComponent(PASSWORD));
        const result = await client.probe({ type: 'HTTP', url: wrong });
        expect(result).toMatchObject({ success: false, errorCode: 'FAILED' });
        expect(result.message).toMatch(/401/);
        expect(result.message).not.toContain(PASSWORD);
        expect(result.message).not.toContain(encodeURIComponent(PASSWORD));
        const error = (await client.grabFrame({ type: 'HTTP', url: wrong }).catch((e: unknown) => e)) as StreamError;
        expect(error).toBeInstanceOf(StreamError);
        expect(error.message).not.toContain(PASSWORD);
        expect((await client.probe({ type: 'HTTP', url: guarded.url })).success).toBe(true);
      } finally {
        await guarded.stop();
      }
    });
  });

  describe('HLS and sockets', () => {
    it('probes and grabs an HLS playlist', async () => {
      const hls = await startHlsServer({ video });
      const result = await client.probe({ type: 'HTTP', url: hls.url });
      expect(result).toMatchObject({ success: true, codec: 'h264', resolution: '640x360', fps: 10 });
      const frame = await client.grabFrame({ type: 'HTTP', url: hls.url });
      expect(await readJpegSize(client, dir, frame)).toBe('640x360');
      await hls.stop();
    });

    it('probes and grabs MPEG-TS over UDP', async () => {
      const udp = await startUdpTsStream({ video });
      const result = await client.probe({ type: 'Socket', url: udp.url });
      expect(result).toMatchObject({ success: true, codec: 'h264', resolution: '640x360', fps: 10 });
      expect(result.bitrate).toBeGreaterThan(0);
      const frame = await client.grabFrame({ type: 'Socket', url: udp.url });
      expect(await readJpegSize(client, dir, frame)).toBe('640x360');
      await udp.stop();
      expectNoChildLeft();
    });

    it('a UDP port nobody sends to times out', async () => {
      const started = Date.now();
      const result = await client.probe({ type: 'Socket', url: `udp://127.0.0.1:${await refusedPort()}` });
      expect(Date.now() - started).toBeLessThan(SOCKET_TIMEOUT_MS + 3000);
      expect(result).toMatchObject({ success: false, errorCode: 'TIMEOUT' });
    });
  });

  describe('sources that do not answer', () => {
    it.each([
      ['RTSP', (port: number) => `rtsp://admin:${PASSWORD}@127.0.0.1:${port}/stream`],
      ['HTTP', (port: number) => `http://admin:${PASSWORD}@127.0.0.1:${port}/video.mjpg`],
      ['Socket', (port: number) => `tcp://127.0.0.1:${port}`],
    ] as const)('%s: a refused port answers REFUSED at once', async (type, makeUrl) => {
      const url = makeUrl(await refusedPort());
      const started = Date.now();
      const result = await client.probe({ type, url });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(result).toMatchObject({ success: false, errorCode: 'REFUSED' });
      expect(result.message).toMatch(/refused/i);
      expect(result.message).not.toContain(PASSWORD);
      const error = (await client.grabFrame({ type, url }).catch((e: unknown) => e)) as StreamError;
      expect(error).toMatchObject({ name: 'StreamError', code: 'REFUSED' });
      expect(error.message).not.toContain(PASSWORD);
      expectNoChildLeft();
    });

    it.each([
      ['RTSP', (port: number) => `rtsp://admin:${PASSWORD}@127.0.0.1:${port}/stream`],
      ['HTTP', (port: number) => `http://admin:${PASSWORD}@127.0.0.1:${port}/video.mjpg`],
      ['Socket', (port: number) => `tcp://127.0.0.1:${port}`],
    ] as const)('%s: a silent server answers TIMEOUT within the socket timeout', async (type, makeUrl) => {
      const url = makeUrl(silent.port);
      const before = silent.connections();
      const started = Date.now();
      const result = await client.probe({ type, url });
      const elapsed = Date.now() - started;
      expect(silent.connections()).toBeGreaterThan(before);
      expect(elapsed).toBeGreaterThanOrEqual(SOCKET_TIMEOUT_MS - 200);
      expect(elapsed).toBeLessThan(SOCKET_TIMEOUT_MS + 3000);
      expect(result).toMatchObject({ success: false, errorCode: 'TIMEOUT' });
      expect(result.message).not.toContain(PASSWORD);
      const grabStarted = Date.now();
      const error = (await client.grabFrame({ type, url }).catch((e: unknown) => e)) as StreamError;
      expect(Date.now() - grabStarted).toBeLessThan(SOCKET_TIMEOUT_MS + 3000);
      expect(error).toMatchObject({ name: 'StreamError', code: 'TIMEOUT' });
      expect(error.message).not.toContain(PASSWORD);
      expectNoChildLeft();
    });

    it('the kill timer bounds a call even when the socket timeout is longer', async () => {
      const url = `rtsp://admin:${PASSWORD}@127.0.0.1:${silent.port}/stream`;
      const started = Date.now();
      const result = await client.probe({ type: 'RTSP', url }, { socketTimeoutMs: 30_000, timeoutMs: 1000 });
      expect(Date.now() - started).toBeLessThan(2500);
      expect(result).toMatchObject({ success: false, errorCode: 'TIMEOUT' });
      expect(result.message).toMatch(/within 1000 ms/);
      const grab = client.grabFrame({ type: 'RTSP', url }, { socketTimeoutMs: 30_000, timeoutMs: 1000 });
      await expect(grab).rejects.toMatchObject({ code: 'TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(5000);
      expectNoChildLeft();
    });
  });
});

/** Width x height of a JPEG, read back with ffprobe through the client itself. */
async function readJpegSize(client: FfmpegClient, dir: string, jpeg: Buffer): Promise<string | null> {
  const path = join(dir, `frame-${Date.now()}-${Math.random().toString(16).slice(2)}.jpg`);
  writeFileSync(path, jpeg);
  const result = await client.probe({ type: 'Local File', url: path });
  rmSync(path, { force: true });
  return result.resolution;
}
