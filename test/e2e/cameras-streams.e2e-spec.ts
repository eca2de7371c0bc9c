import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACT_PATHS, setRootLogger } from '@app/core';
import { liveChildPids } from '@app/cameras';
import { createTestApp, TestContext } from '../support/test-app';
import {
  makeTestVideo,
  refusedPort,
  startMjpegServer,
  startRtspTcpServer,
  startRtspUdpServer,
  startSilentServer,
  stopAllTestStreams,
  type MjpegServer,
  type RunningStream,
  type SilentServer,
} from '../support/streams';

/**
 * POST /cameras/{id}/test-connection and /snapshot against real sources: a video file, RTSP over TCP
 * (GStreamer, with a password), RTSP over UDP (rtsp-server-perl), an HTTP MJPEG server, and sources
 * that fail: a refused port, a silent server, a missing file, a wrong password. Every answer comes
 * within its bound and no ffmpeg/ffprobe child is left behind.
 */
const PASSWORD = 'Rtsp#Pa55-word';
const SOCKET_TIMEOUT_MS = 2000;
const PROBE_TIMEOUT_MS = 8000;
const GRAB_TIMEOUT_MS = 6000;
jest.setTimeout(30_000);

describe('camera connection tests and snapshots on real streams', () => {
  let t: TestContext;
  let admin: string;
  let ds: DataSource;
  let dir: string;
  let video: string;
  let rtspTcp: RunningStream;
  let rtspUdp: RunningStream;
  let mjpeg: MjpegServer;
  let silent: SilentServer;
  let refused: number;
  const texts: string[] = [];
  const logLines: string[] = [];
  /** Children of the test servers themselves (tracked by the same registry). */
  let baseline: Set<number>;
  let ws: WebSocket;
  const events: Array<{ type: string; cameraId?: string; status?: string }> = [];
  const statusEvents = (id: string) => events.filter((e) => e.type === 'camera-status' && e.cameraId === id).map((e) => e.status);
  const strayChildren = (): number[] => liveChildPids().filter((pid) => !baseline.has(pid));

  const auth = () => ({ Authorization: `Bearer ${admin}` });
  const register = async (id: string, streamType: string, streamUrl: string, extra: Record<string, unknown> = {}) => {
    const res = await t
      .http()
      .post('/api/v1/cameras')
      .set(auth())
      .send({ id, name: id, location: 'Test bench', streamType, streamUrl, ...extra });
    expect(res.status).toBe(201);
  };
  const timed = async (path: string) => {
    const started = Date.now();
    const res = await t.http().post(path).set(auth());
    texts.push(res.text);
    return { res, ms: Date.now() - started };
  };
  const getCamera = async (id: string) => (await t.http().get(`/api/v1/cameras/${id}`).set(auth())).body.data;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cameras-e2e-'));
    video = await makeTestVideo(dir, { seconds: 4, width: 640, height: 360, fps: 10, text: 'CAM' });
    [rtspTcp, rtspUdp, mjpeg, silent, refused] = await Promise.all([
      startRtspTcpServer({ video, username: 'admin', password: PASSWORD }),
      startRtspUdpServer({ video }),
      startMjpegServer({ source: video, fps: 5, width: 320 }),
      startSilentServer(),
      refusedPort(),
    ]);
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(chunk.toString('utf8'));
        cb();
      },
    });
    setRootLogger(pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '***' } }, sink));
    t = await createTestApp({
      CAMERA_SOCKET_TIMEOUT_MS: String(SOCKET_TIMEOUT_MS),
      CAMERA_PROBE_TIMEOUT_MS: String(PROBE_TIMEOUT_MS),
      CAMERA_GRAB_TIMEOUT_MS: String(GRAB_TIMEOUT_MS),
    });
    admin = (await t.login()).accessToken;
    ds = t.app.get(DataSource);
    await register('FILE-1', 'Local File', video);
    await register('RTSP-TCP', 'RTSP', rtspTcp.url);
    await register('RTSP-UDP', 'RTSP', rtspUdp.url, { rtspTransport: 'udp' });
    await register('MJPEG-1', 'HTTP', mjpeg.url);
    await register('REFUSED', 'RTSP', `rtsp://admin:${encodeURIComponent(PASSWORD)}@127.0.0.1:${refused}/stream`);
    await register('SILENT-RTSP', 'RTSP', `rtsp://admin:${encodeURIComponent(PASSWORD)}@127.0.0.1:${silent.port}/stream`);
    await register('SILENT-HTTP', 'HTTP', `http://127.0.0.1:${silent.port}/video.mjpg`);
    await register('MISSING', 'Local File', join(dir, 'no-such-video.mp4'));
    baseline = new Set(liveChildPids());
    ws = new WebSocket(`${t.baseUrl.replace('http', 'ws')}/ws?token=${admin}`);
    ws.on('message', (data) => events.push(JSON.parse(String(data)) as { type: string; cameraId?: string; status?: string }));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ action: 'subscribe', channel: 'camera-status' }));
    await register('WRONG-PW', 'RTSP', rtspTcp.url.replace(encodeURIComponent(PASSWORD), 'not-the-password'));
  }, 90_000);

  afterAll(async () => {
    ws?.close();
    await t?.close();
    setRootLogger(pino({ level: 'silent' }));
    await stopAllTestStreams();
    rmSync(dir, { recursive: true, force: true });
  });

  const good: Array<[string, { codec: string; resolution: string }]> = [
    ['FILE-1', { codec: 'h264', resolution: '640x360' }],
    ['RTSP-TCP', { codec: 'h264', resolution: '640x360' }],
    ['RTSP-UDP', { codec: 'h264', resolution: '640x360' }],
    ['MJPEG-1', { codec: 'mjpeg', resolution: '320x180' }],
  ];

  it.each(good)('%s: test-connection reports the stream and records it on the camera', async (id, expected) => {
    const { res, ms } = await timed(`/api/v1/cameras/${id}/test-connection`);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ success: true, message: 'Connection OK', ...expected });
    expect(res.body.data.fps).toBeGreaterThan(3);
    expect(res.body.data.fps).toBeLessThan(12);
    expect(res.body.data.bitrate).toBeGreaterThan(0);
    expect(res.body.data.latencyMs).toBeGreaterThan(0);
    expect(ms).toBeLessThan(PROBE_TIMEOUT_MS + 1000);
    const cam = await getCamera(id);
    expect(cam).toMatchObject({
      status: 'online',
      codec: expected.codec,
      resolution: expected.resolution,
      fps: Math.round(res.body.data.fps),
    });
    expect(cam.bitrate).toBeCloseTo(res.body.data.bitrate, 2);
    expect(Date.now() - Date.parse(cam.lastChecked)).toBeLessThan(15_000);
    expect(cam.lastSeen).toBe(cam.lastChecked);
    expect(strayChildren()).toEqual([]);
  });

  it.each(good.map(([id]) => id))('%s: snapshot stores a JPEG, answers a presigned URL and becomes the thumbnail', async (id) => {
    const { res, ms } = await timed(`/api/v1/cameras/${id}/snapshot`);
    expect(res.status).toBe(201);
    expect(ms).toBeLessThan(GRAB_TIMEOUT_MS + 2000);
    const { assetId, url, timestamp } = res.body.data;
    expect(assetId).toMatch(new RegExp(`^snapshots/${id}/\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}-\\d{3}Z\\.jpg$`));
    expect(Math.abs(Date.now() - Date.parse(timestamp))).toBeLessThan(15_000);
    const image = await fetch(url);
    expect(image.status).toBe(200);
    const bytes = Buffer.from(await image.arrayBuffer());
    expect(bytes.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(bytes.length).toBeGreaterThan(1000);
    // A tampered signature is refused by the store.
    expect((await fetch(url.replace(/X-Amz-Signature=[0-9a-f]{4}/, 'X-Amz-Signature=0000'))).status).toBe(403);

    const [row] = await ds.query(`SELECT thumbnail FROM cameras WHERE id = $1`, [id]);
    expect(row.thumbnail).toBe(assetId);
    const cam = await getCamera(id);
    expect(cam.thumbnail).toContain(encodeURIComponent(assetId).replace(/%2F/g, '/'));
    expect((await fetch(cam.thumbnail)).status).toBe(200);
    expect(strayChildren()).toEqual([]);
  });

  it('keeps the newest snapshot as thumbnail when snapshots race', async () => {
    const results = await Promise.all([timed('/api/v1/cameras/FILE-1/snapshot'), timed('/api/v1/cameras/FILE-1/snapshot')]);
    expect(results.map((r) => r.res.status)).toEqual([201, 201]);
    const keys = results.map((r) => r.res.body.data.assetId as string).sort();
    const [row] = await ds.query(`SELECT thumbnail FROM cameras WHERE id = 'FILE-1'`);
    expect(row.thumbnail).toBe(keys[1]);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['REFUSED', 'REFUSED', /refused/i],
    ['SILENT-RTSP', 'TIMEOUT', /answer|timed out/i],
    ['SILENT-HTTP', 'TIMEOUT', /answer|timed out/i],
    ['MISSING', 'NOT_FOUND', /no such file/i],
    ['WRONG-PW', 'FAILED', /401|authentication/i],
  ];

  it.each(bad)('%s: test-connection answers success:false with a plain reason, in bounded time', async (id, code, message) => {
    const { res, ms } = await timed(`/api/v1/cameras/${id}/test-connection`);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ success: false, errorCode: code, bitrate: 0, fps: 0, codec: null, resolution: null });
    expect(res.body.data.message).toMatch(message);
    expect(ms).toBeLessThan(PROBE_TIMEOUT_MS + 1000);
    const cam = await getCamera(id);
    expect(cam.status).toBe('offline');
    expect(cam.lastChecked).not.toBeNull();
    expect(cam.lastSeen).toBeNull();
    const [row] = await ds.query(`SELECT offline_since FROM cameras WHERE id = $1`, [id]);
    expect(row.offline_since).not.toBeNull();
    expect(strayChildren()).toEqual([]);
  });

  it.each(bad)('%s: snapshot answers 503 naming the camera problem, in bounded time', async (id, code, message) => {
    const { res, ms } = await timed(`/api/v1/cameras/${id}/snapshot`);
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { cameraId: id, reason: code } });
    expect(res.body.error.message).toMatch(new RegExp(`Camera '${id}' did not deliver a frame`));
    expect(res.body.error.message).toMatch(message);
    expect(ms).toBeLessThan(GRAB_TIMEOUT_MS + 1000);
    const [row] = await ds.query(`SELECT thumbnail FROM cameras WHERE id = $1`, [id]);
    expect(row.thumbnail).toBeNull();
    expect(strayChildren()).toEqual([]);
  });

  it('404 for unknown or malformed cameras; a camera in maintenance stays in maintenance', async () => {
    expect((await timed('/api/v1/cameras/NOPE-1/test-connection')).res.status).toBe(404);
    expect((await timed('/api/v1/cameras/bad%20id!/snapshot')).res.status).toBe(400);
    await t.http().put('/api/v1/cameras/FILE-1').set(auth()).send({ status: 'maintenance' });
    const { res } = await timed('/api/v1/cameras/FILE-1/test-connection');
    expect(res.body.data.success).toBe(true);
    expect((await getCamera('FILE-1')).status).toBe('maintenance');
    await t.http().put('/api/v1/cameras/FILE-1').set(auth()).send({ status: 'offline' });
    expect((await getCamera('FILE-1')).status).toBe('offline');
  });

  it('publishes every status change on camera-status', async () => {
    await new Promise((r) => setTimeout(r, 300));
    // offline (created) -> online (test) -> maintenance (operator) -> offline (back in monitoring)
    expect(statusEvents('FILE-1')).toEqual(['online', 'maintenance', 'offline']);
    expect(statusEvents('RTSP-TCP')).toEqual(['online']);
    expect(statusEvents('REFUSED')).toEqual([]); // created offline, tested offline: no change
  });

  it('never puts the RTSP password in an answer or a log line', () => {
    expect(texts.length).toBeGreaterThan(20);
    expect(logLines.filter((l) => l.includes('snapshot failed')).length).toBeGreaterThanOrEqual(5);
    const all = [...texts, ...logLines].join('\n');
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(encodeURIComponent(PASSWORD));
    expect(all).not.toContain('not-the-password');
  });
});
