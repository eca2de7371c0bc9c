import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { FfmpegClient, FrameSampler, isPidAlive, type FrameSamplerOptions, type StreamSource } from '@app/cameras/stream';
import { makeTestVideo, startMjpegServer, startRtspTcpServer, startRtspUdpServer, stopAllTestStreams, waitUntil } from '../support/streams';

/**
 * FrameSampler with a real ffmpeg: one long-lived decoder per camera delivering the latest JPEG
 * every interval, from RTSP (TCP and UDP), MJPEG and a file; restarts when the source dies.
 */
describe('FrameSampler', () => {
  let dir: string;
  let video: string;
  const spawned: number[] = [];
  const samplers: FrameSampler[] = [];
  const probeClient = new FfmpegClient();

  const makeSampler = (source: StreamSource, options: Partial<FrameSamplerOptions> = {}): FrameSampler => {
    const sampler = new FrameSampler({
      source,
      intervalMs: 1000,
      socketTimeoutMs: 2000,
      onSpawn: (pid) => spawned.push(pid),
      ...options,
    });
    samplers.push(sampler);
    return sampler;
  };

  /** Starts a sampler, waits for two frames and checks them; returns the time to the first. */
  const expectFrames = async (sampler: FrameSampler, size: string): Promise<number> => {
    sampler.start();
    const first = await sampler.waitForFrame(15_000);
    const firstFrameMs = sampler.stats().firstFrameMs;
    expect(firstFrameMs).not.toBeNull();
    const second = await sampler.waitForFrame(10_000, first.seq);
    expect(second.seq).toBeGreaterThan(first.seq);
    expect(second.capturedAt.getTime()).toBeGreaterThan(first.capturedAt.getTime());
    expect(sampler.latest()).toBe(second);
    expect(second.jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(await jpegSize(probeClient, dir, second.jpeg)).toBe(size);
    return firstFrameMs ?? -1;
  };

  const expectStoppedCleanly = async (sampler: FrameSampler): Promise<void> => {
    const pid = sampler.stats().pid;
    await sampler.stop();
    expect(sampler.state).toBe('stopped');
    expect(sampler.stats().pid).toBeNull();
    if (pid !== null) expect(isPidAlive(pid)).toBe(false);
    expect(sampler.latest()).not.toBeNull();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stream-sampler-'));
    video = await makeTestVideo(dir, { seconds: 4, width: 640, height: 360, fps: 10, text: 'SAMPLER' });
  });

  afterEach(async () => {
    await Promise.all(samplers.splice(0).map((sampler) => sampler.stop()));
  });

  afterAll(async () => {
    await stopAllTestStreams();
    rmSync(dir, { recursive: true, force: true });
    expect(spawned.filter((pid) => isPidAlive(pid))).toEqual([]);
  });

  it('samples a local file (looped at its own pace)', async () => {
    const sampler = makeSampler({ type: 'Local File', url: video });
    const firstFrameMs = await expectFrames(sampler, '640x360');
    expect(firstFrameMs).toBeLessThan(5000);
    await expectStoppedCleanly(sampler);
  });

  it('samples RTSP over TCP, downscaled, one decoder for many frames', async () => {
    const stream = await startRtspTcpServer({ video });
    const spawnedBefore = spawned.length;
    const sampler = makeSampler({ type: 'RTSP', url: stream.url }, { maxWidth: 320 });
    await expectFrames(sampler, '320x180');
    expect(sampler.stats().restarts).toBe(0);
    expect(spawned.slice(spawnedBefore)).toEqual([sampler.stats().pid]);
    await expectStoppedCleanly(sampler);
    await stream.stop();
  });

  it('samples RTSP over UDP', async () => {
    const stream = await startRtspUdpServer({ video });
    const sampler = makeSampler({ type: 'RTSP', url: stream.url, rtspTransport: 'udp' });
    await expectFrames(sampler, '640x360');
    await expectStoppedCleanly(sampler);
    await stream.stop();
  });

  it('samples MJPEG over HTTP', async () => {
    const mjpeg = await startMjpegServer({ fps: 5, source: video });
    const sampler = makeSampler({ type: 'HTTP', url: mjpeg.url });
    await expectFrames(sampler, '640x360');
    await expectStoppedCleanly(sampler);
    await mjpeg.stop();
  });

  it('keeps the last frame and backs off when the source dies, without leaking processes', async () => {
    const stream = await startRtspTcpServer({ video, username: 'admin', password: 'Sampler-Secret-1' });
    const errors: string[] = [];
    const sampler = makeSampler(
      { type: 'RTSP', url: stream.url },
      { initialBackoffMs: 200, maxBackoffMs: 400, stallTimeoutMs: 4000, onError: (message) => errors.push(message) },
    );
    sampler.start();
    const frame = await sampler.waitForFrame(15_000);
    await stream.stop();
    await waitUntil('sampler restarts', async () => sampler.stats().restarts >= 1, 15_000);
    expect(sampler.latest()?.seq).toBeGreaterThanOrEqual(frame.seq);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).not.toContain('Sampler-Secret-1');
    expect(sampler.stats().lastError).not.toBeNull();
    await expectStoppedCleanly(sampler);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sampler.stats().restarts).toBeLessThanOrEqual(errors.length);
    expect(spawned.filter((pid) => isPidAlive(pid))).toEqual([]);
  });
});

async function jpegSize(client: FfmpegClient, dir: string, jpeg: Buffer): Promise<string | null> {
  const path = join(dir, `frame-${Date.now()}-${Math.random().toString(16).slice(2)}.jpg`);
  writeFileSync(path, jpeg);
  const result = await client.probe({ type: 'Local File', url: path });
  rmSync(path, { force: true });
  return result.resolution;
}
