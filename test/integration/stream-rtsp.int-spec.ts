import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FfmpegClient, isPidAlive, liveChildPids, StreamError } from '@app/cameras/stream';
import { makeTestVideo, startRtspTcpServer, startRtspUdpServer, stopAllTestStreams, type RunningStream } from '../support/streams';

/**
 * FfmpegClient against real RTSP servers: rtsp-server-perl (RTSP over UDP only) and GStreamer's
 * RTSP server (TCP, as most IP cameras; with Basic authentication), both fed by an ffmpeg publisher.
 */
const PASSWORD = 'Cam#Pass-2024';

describe('FfmpegClient on RTSP', () => {
  let dir: string;
  let video: string;
  let udp: RunningStream;
  let tcp: RunningStream;
  let guarded: RunningStream;
  const spawned: number[] = [];
  const client = new FfmpegClient({
    socketTimeoutMs: 3000,
    probeTimeoutMs: 12_000,
    grabTimeoutMs: 10_000,
    bitrateWindowMs: 1500,
    onSpawn: (pid) => spawned.push(pid),
  });

  const expectNoChildLeft = (): void => {
    expect(spawned.length).toBeGreaterThan(0);
    expect(spawned.filter((pid) => isPidAlive(pid))).toEqual([]);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stream-rtsp-'));
    video = await makeTestVideo(dir, { seconds: 4, width: 640, height: 360, fps: 10, text: 'RTSP' });
    [udp, tcp, guarded] = await Promise.all([
      startRtspUdpServer({ video }),
      startRtspTcpServer({ video }),
      startRtspTcpServer({ video, username: 'admin', password: PASSWORD }),
    ]);
  });

  afterAll(async () => {
    await stopAllTestStreams();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('over UDP (rtsp-server-perl)', () => {
    it('probes the live stream and measures its bit rate', async () => {
      const result = await client.probe({ type: 'RTSP', url: udp.url, rtspTransport: 'udp' });
      expect(result).toMatchObject({ success: true, codec: 'h264', resolution: '640x360', fps: 10, message: 'Connection OK' });
      // ffprobe reports no bit rate for live RTSP: this one is measured from packet sizes.
      expect(result.bitrate).toBeGreaterThan(0.01);
      expect(result.bitrate).toBeLessThan(10);
      expect(result.latencyMs).toBeGreaterThan(0);
      expect(result.latencyMs).toBeLessThan(8000);
      expectNoChildLeft();
    });

    it('grabs a frame', async () => {
      const frame = await client.grabFrame({ type: 'RTSP', url: udp.url, rtspTransport: 'udp' });
      expect(frame.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      expect(await jpegSize(client, dir, frame)).toBe('640x360');
      expectNoChildLeft();
    });

    it('a server that does not speak TCP fails with a clear message within the bound', async () => {
      const started = Date.now();
      const result = await client.probe({ type: 'RTSP', url: udp.url });
      expect(Date.now() - started).toBeLessThan(12_000);
      expect(result).toMatchObject({ success: false, errorCode: 'FAILED' });
      expect(result.message).toMatch(/rejected.*400 Bad Request.*try UDP/);
    });

    it('an unknown path is NOT_FOUND', async () => {
      const result = await client.probe({ type: 'RTSP', url: `${udp.url}-nope`, rtspTransport: 'udp' });
      expect(result).toMatchObject({ success: false, errorCode: 'NOT_FOUND' });
    });
  });

  describe('over TCP (GStreamer)', () => {
    it('probes with the default transport (TCP)', async () => {
      const result = await client.probe({ type: 'RTSP', url: tcp.url });
      expect(result).toMatchObject({ success: true, codec: 'h264', resolution: '640x360', fps: 10 });
      expect(result.bitrate).toBeGreaterThan(0.01);
      expectNoChildLeft();
    });

    it('grabs a frame over TCP and over UDP', async () => {
      for (const rtspTransport of ['tcp', 'udp'] as const) {
        const frame = await client.grabFrame({ type: 'RTSP', url: tcp.url, rtspTransport });
        expect(await jpegSize(client, dir, frame)).toBe('640x360');
      }
      expectNoChildLeft();
    });

    it('with the right credentials the stream plays', async () => {
      expect(guarded.url).toContain(encodeURIComponent(PASSWORD));
      const result = await client.probe({ type: 'RTSP', url: guarded.url });
      expect(result.success).toBe(true);
    });

    it('a wrong password fails as FAILED (401) and never appears in any message', async () => {
      const wrongPassword = 'Wr0ng-Secret-99';
      const url = guarded.url.replace(encodeURIComponent(PASSWORD), wrongPassword);
      const result = await client.probe({ type: 'RTSP', url });
      expect(result).toMatchObject({ success: false, errorCode: 'FAILED' });
      expect(result.message).toMatch(/401|Authentication/);
      expect(result.message).toContain('admin:***@');
      expect(result.message).not.toContain(wrongPassword);
      const error = (await client.grabFrame({ type: 'RTSP', url }).catch((e: unknown) => e)) as StreamError;
      expect(error).toBeInstanceOf(StreamError);
      expect(error.code).toBe('FAILED');
      expect(error.message).not.toContain(wrongPassword);
      expect(String(error.stack)).not.toContain(wrongPassword);
      expectNoChildLeft();
    });
  });

  it('stopping the servers leaves no process behind', async () => {
    const serverPids = [...udp.pids, ...tcp.pids, ...guarded.pids];
    expect(serverPids.every((pid) => isPidAlive(pid))).toBe(true);
    await stopAllTestStreams();
    expect(serverPids.filter((pid) => isPidAlive(pid))).toEqual([]);
    expect(liveChildPids()).toEqual([]);
  });
});

async function jpegSize(client: FfmpegClient, dir: string, jpeg: Buffer): Promise<string | null> {
  const path = join(dir, `frame-${Date.now()}-${Math.random().toString(16).slice(2)}.jpg`);
  writeFileSync(path, jpeg);
  const result = await client.probe({ type: 'Local File', url: path });
  rmSync(path, { force: true });
  return result.resolution;
}
