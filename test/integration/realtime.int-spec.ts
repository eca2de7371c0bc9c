import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { WsAdapter } from '@nestjs/platform-ws';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { ConfigModule, loadEnv, RedisModule, resetEnv } from '@app/core';
import { alertEvent, cameraStatusEvent, detectionEvent, notificationEvent, RealtimeModule, RealtimePublisher } from '@app/realtime';
import { RealtimeGatewayModule } from '../../apps/api/src/gateway';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const PREFIX = `test-rt-${randomUUID().slice(0, 8)}`;

type Msg = Record<string, unknown>;

/** A ws client that records every message and closing code. */
class TestClient {
  readonly messages: Msg[] = [];
  closeCode: number | null = null;
  closeReason = '';
  private readonly closed: Promise<void>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(JSON.parse(String(data)) as Msg));
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        resolve();
      }),
    );
    ws.on('error', () => undefined);
  }

  static async open(url: string, opts: WebSocket.ClientOptions = {}): Promise<TestClient> {
    const client = new TestClient(new WebSocket(url, opts));
    await new Promise<void>((resolve, reject) => {
      client.ws.once('open', () => resolve());
      client.ws.once('error', reject);
    });
    return client;
  }

  send(body: unknown): void {
    this.ws.send(typeof body === 'string' ? body : JSON.stringify(body));
  }

  async waitFor(pred: (m: Msg) => boolean, timeoutMs = 5000): Promise<Msg> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(pred);
      if (found) return found;
      if (Date.now() > until) throw new Error(`no matching message; got ${JSON.stringify(this.messages)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async subscribe(channel: string, cameraId?: string): Promise<void> {
    this.send({ action: 'subscribe', channel, ...(cameraId ? { cameraId } : {}) });
    await this.waitFor((m) => m.type === 'subscribed' && m.channel === channel && m.cameraId === (cameraId ?? null));
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.closed, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('not closed')), timeoutMs)))]);
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.terminate();
    await this.closed;
  }
}

async function startApi(): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule, RedisModule, RealtimeGatewayModule],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(0, '127.0.0.1');
  return app;
}

function wsUrl(app: INestApplication, token?: string): string {
  const { port } = app.getHttpServer().address() as AddressInfo;
  return `ws://127.0.0.1:${port}/ws${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
}

/** True when no message matching pred arrives within ms. */
async function staysSilent(client: TestClient, pred: (m: Msg) => boolean, ms = 300): Promise<boolean> {
  await new Promise((r) => setTimeout(r, ms));
  return !client.messages.some(pred);
}

describe('WebSocket gateway across two api processes', () => {
  const saved = { ...process.env };
  let api1: INestApplication;
  let api2: INestApplication;
  let publisherCtx: INestApplicationContext;
  let publisher: RealtimePublisher;
  let jwt: JwtService;
  const clients: TestClient[] = [];

  const token = (sub: string, permissions: string[]): string =>
    jwt.sign({ sub, email: `${sub}@example.com`, role: 'Operator', permissions }, { expiresIn: 300 });

  async function connect(app: INestApplication, tok: string, opts: WebSocket.ClientOptions = {}): Promise<TestClient> {
    const c = await TestClient.open(wsUrl(app, tok), opts);
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    process.env.REDIS_URL = REDIS_URL;
    process.env.REDIS_PREFIX = PREFIX;
    process.env.WS_HEARTBEAT_INTERVAL_SECONDS = '1';
    process.env.LOG_LEVEL = 'silent';
    resetEnv();
    jwt = new JwtService({ secret: loadEnv().JWT_SECRET, signOptions: { algorithm: 'HS256' } });
    api1 = await startApi();
    api2 = await startApi();
    const ref = await Test.createTestingModule({ imports: [ConfigModule, RedisModule, RealtimeModule] }).compile();
    publisherCtx = await ref.init();
    publisher = publisherCtx.get(RealtimePublisher);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await api1?.close();
    await api2?.close();
    await publisherCtx?.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${PREFIX}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    process.env = saved;
    resetEnv();
  });

  it('delivers an event published by a third process to clients of both api processes', async () => {
    const c1 = await connect(api1, token('u1', ['detections:read']));
    const c2 = await connect(api2, token('u2', ['*']));
    await c1.subscribe('detections');
    await c2.subscribe('detections');

    const event = detectionEvent('CAM-01', { id: randomUUID(), personId: 'EMP-00412', name: 'Sophia', confidence: 99.2 });
    expect(await publisher.publish(event)).toBe(true);

    const expected = { type: 'detection', channel: 'detections', cameraId: 'CAM-01', detection: event.detection };
    expect(await c1.waitFor((m) => m.type === 'detection')).toEqual(expected);
    expect(await c2.waitFor((m) => m.type === 'detection')).toEqual(expected);
  });

  it('honours the camera filter', async () => {
    const filtered = await connect(api1, token('u3', ['cameras:read']));
    const all = await connect(api2, token('u4', ['cameras:read']));
    await filtered.subscribe('camera-status', 'CAM-07');
    await all.subscribe('camera-status');

    await publisher.publish(cameraStatusEvent('CAM-08', 'offline', null));
    await publisher.publish(cameraStatusEvent('CAM-07', 'online', '2025-11-05T10:30:00Z'));

    await all.waitFor((m) => m.cameraId === 'CAM-08');
    await all.waitFor((m) => m.cameraId === 'CAM-07');
    expect(await filtered.waitFor((m) => m.type === 'camera-status')).toEqual({
      type: 'camera-status',
      channel: 'camera-status',
      cameraId: 'CAM-07',
      status: 'online',
      lastSeen: '2025-11-05T10:30:00Z',
    });
    expect(filtered.messages.filter((m) => m.type === 'camera-status')).toHaveLength(1);
  });

  it('delivers a notification only to the addressed user, a broadcast to everyone', async () => {
    const a = await connect(api1, token('user-a', []));
    const b = await connect(api2, token('user-b', []));
    const a2 = await connect(api2, token('user-a', [])); // same user, other process
    for (const c of [a, b, a2]) await c.subscribe('notifications');

    await publisher.publish(notificationEvent({ id: 'n-1', title: 'Odoo Sync Complete' }, 'user-a'));
    const expected = { type: 'notification', channel: 'notifications', notification: { id: 'n-1', title: 'Odoo Sync Complete' } };
    expect(await a.waitFor((m) => m.type === 'notification')).toEqual(expected);
    expect(await a2.waitFor((m) => m.type === 'notification')).toEqual(expected);

    await publisher.publish(notificationEvent({ id: 'n-2', title: 'Broadcast' }, null));
    await b.waitFor((m) => (m.notification as Msg | undefined)?.id === 'n-2');
    await a.waitFor((m) => (m.notification as Msg | undefined)?.id === 'n-2');
    expect(b.messages.some((m) => (m.notification as Msg | undefined)?.id === 'n-1')).toBe(false);
  });

  it('refuses a channel without its permission', async () => {
    const viewer = await connect(api1, token('viewer', ['cameras:read']));
    viewer.send({ action: 'subscribe', channel: 'alerts' });
    expect(await viewer.waitFor((m) => m.type === 'error')).toEqual({
      type: 'error',
      message: 'Forbidden: channel alerts requires the alerts:read permission',
    });
    await publisher.publish(alertEvent({ id: 'AL-1', title: 'Camera Offline', level: 'high' }));
    expect(await staysSilent(viewer, (m) => m.type === 'alert')).toBe(true);
  });

  it('closes with 4401 for a missing, forged or expired token', async () => {
    const missing = await TestClient.open(wsUrl(api1));
    clients.push(missing);
    await missing.waitClosed();
    expect(missing.closeCode).toBe(4401);
    expect(missing.closeReason).toBe('Unauthorized: Missing token');

    const forged = new JwtService({ secret: 'another-secret-that-is-long-enough-0123456789' }).sign({
      sub: 'x',
      email: 'x@example.com',
      role: 'Admin',
      permissions: ['*'],
    });
    const bad = await TestClient.open(wsUrl(api2, forged));
    clients.push(bad);
    await bad.waitClosed();
    expect(bad.closeCode).toBe(4401);
    expect(bad.closeReason).toBe('Unauthorized: Invalid token');

    const stale = jwt.sign({
      sub: 'old',
      email: 'old@example.com',
      role: 'Admin',
      permissions: ['*'],
      exp: Math.floor(Date.now() / 1000) - 10,
    });
    const expired = await TestClient.open(wsUrl(api1, stale));
    clients.push(expired);
    await expired.waitClosed();
    expect(expired.closeCode).toBe(4401);
    expect(expired.closeReason).toBe('Unauthorized: Token expired');
  });

  it('answers ping with pong and bad messages with an error, and keeps the connection', async () => {
    const c = await connect(api2, token('pinger', []));
    c.send({ type: 'ping' });
    expect(await c.waitFor((m) => m.type === 'pong')).toEqual({ type: 'pong' });
    c.send('{not json');
    expect(await c.waitFor((m) => m.type === 'error')).toEqual({ type: 'error', message: 'Message is not valid JSON' });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await c.waitFor((m) => m.message === 'Binary frames are not supported');
    c.send({ type: 'ping' });
    await c.waitFor((m) => m.type === 'pong' && c.messages.filter((x) => x.type === 'pong').length === 2);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('terminates a client that does not answer the server pings', async () => {
    const mute = await connect(api1, token('mute', []), { autoPong: false });
    const live = await connect(api1, token('live', []));
    await mute.waitClosed(4000);
    expect(mute.closeCode).toBe(1006); // terminated, no close frame
    expect(live.ws.readyState).toBe(WebSocket.OPEN);
  });
});
