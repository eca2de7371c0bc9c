import { beforeEach, describe, expect, it } from '@jest/globals';
import { alertEvent, cameraStatusEvent, detectionEvent, notificationEvent } from '@app/realtime';
import { ClientRegistry, WsPrincipal, WsSocketLike } from './ws-clients';
import { parseClientMessage, ProtocolError } from './ws-protocol';

class FakeSocket implements WsSocketLike {
  readyState = 1;
  bufferedAmount = 0;
  sent: unknown[] = [];
  pings = 0;
  terminated = false;
  closed: { code?: number; reason?: string } | null = null;
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  ping(): void {
    this.pings++;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }
  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
    this.readyState = 2;
  }
  last(): unknown {
    return this.sent[this.sent.length - 1];
  }
}

const user = (userId: string, permissions: string[]): WsPrincipal => ({
  userId,
  email: `${userId}@example.com`,
  role: 'Viewer',
  permissions,
});

describe('ClientRegistry', () => {
  let registry: ClientRegistry;
  let a: FakeSocket;
  let b: FakeSocket;

  beforeEach(() => {
    registry = new ClientRegistry({ maxBufferedBytes: 1024 });
    a = new FakeSocket();
    b = new FakeSocket();
    registry.add(a, user('A', ['detections:read', 'cameras:read', 'alerts:read']));
    registry.add(b, user('B', ['*']));
  });

  const msg = (socket: FakeSocket, body: unknown): unknown => {
    registry.handleMessage(socket, typeof body === 'string' ? body : JSON.stringify(body));
    return socket.last();
  };

  it('answers ping with pong and acknowledges subscriptions', () => {
    expect(msg(a, { type: 'ping' })).toEqual({ type: 'pong' });
    expect(msg(a, { action: 'subscribe', channel: 'detections', cameraId: 'CAM-01' })).toEqual({
      type: 'subscribed',
      channel: 'detections',
      cameraId: 'CAM-01',
    });
    expect(msg(a, { action: 'subscribe', channel: 'alerts' })).toEqual({
      type: 'subscribed',
      channel: 'alerts',
      cameraId: null,
    });
    expect(registry.subscriptionsOf(a)).toEqual({
      detections: { all: false, cameras: ['CAM-01'] },
      alerts: { all: true, cameras: [] },
    });
  });

  it('answers bad messages with an error and keeps the client', () => {
    expect(msg(a, 'not json')).toEqual({ type: 'error', message: 'Message is not valid JSON' });
    expect(msg(a, [1, 2])).toMatchObject({ type: 'error' });
    expect(msg(a, { action: 'dance' })).toMatchObject({ type: 'error', message: expect.stringMatching(/Unknown message/) });
    expect(msg(a, { action: 'subscribe', channel: 'secrets' })).toMatchObject({
      message: expect.stringMatching(/Unknown channel/),
    });
    expect(msg(a, { action: 'subscribe', channel: 'detections', cameraId: 42 })).toMatchObject({ type: 'error' });
    expect(msg(a, { action: 'subscribe', channel: 'notifications', cameraId: 'CAM-01' })).toMatchObject({
      type: 'error',
    });
    expect(registry.has(a)).toBe(true);
  });

  it('checks the permission of each channel; * grants all; notifications need none', () => {
    const viewer = new FakeSocket();
    registry.add(viewer, user('V', ['cameras:read']));
    expect(msg(viewer, { action: 'subscribe', channel: 'detections' })).toEqual({
      type: 'error',
      message: 'Forbidden: channel detections requires the detections:read permission',
    });
    expect(msg(viewer, { action: 'subscribe', channel: 'camera-status' })).toMatchObject({ type: 'subscribed' });
    expect(msg(viewer, { action: 'subscribe', channel: 'notifications' })).toMatchObject({ type: 'subscribed' });
    expect(msg(b, { action: 'subscribe', channel: 'alerts' })).toMatchObject({ type: 'subscribed' });
    registry.dispatch(detectionEvent('CAM-01', { id: 'd1' }));
    expect(viewer.sent.filter((m) => (m as { type: string }).type === 'detection')).toHaveLength(0);
  });

  it('honours the camera filter; a subscription without cameraId gets every camera', () => {
    msg(a, { action: 'subscribe', channel: 'detections', cameraId: 'CAM-01' });
    msg(b, { action: 'subscribe', channel: 'detections' });
    a.sent = [];
    b.sent = [];
    registry.dispatch(detectionEvent('CAM-01', { id: 'd1' }));
    registry.dispatch(detectionEvent('CAM-02', { id: 'd2' }));
    expect(a.sent).toEqual([{ type: 'detection', channel: 'detections', cameraId: 'CAM-01', detection: { id: 'd1' } }]);
    expect(b.sent).toHaveLength(2);

    // unsubscribing the camera ends the subscription
    msg(a, { action: 'unsubscribe', channel: 'detections', cameraId: 'CAM-01' });
    a.sent = [];
    registry.dispatch(detectionEvent('CAM-01', { id: 'd3' }));
    expect(a.sent).toEqual([]);
  });

  it('filters alerts by their cameraId and sends camera-status events as is', () => {
    msg(a, { action: 'subscribe', channel: 'alerts', cameraId: 'CAM-09' });
    msg(a, { action: 'subscribe', channel: 'camera-status' });
    a.sent = [];
    registry.dispatch(alertEvent({ id: 'AL-1', title: 'Camera Offline', level: 'high', cameraId: 'CAM-09' }));
    registry.dispatch(alertEvent({ id: 'AL-2', title: 'Odoo down', level: 'high' }));
    registry.dispatch(cameraStatusEvent('CAM-03', 'offline', new Date('2025-11-05T10:30:00Z')));
    expect(a.sent).toEqual([
      { type: 'alert', channel: 'alerts', alert: { id: 'AL-1', title: 'Camera Offline', level: 'high', cameraId: 'CAM-09' } },
      { type: 'camera-status', channel: 'camera-status', cameraId: 'CAM-03', status: 'offline', lastSeen: '2025-11-05T10:30:00.000Z' },
    ]);
  });

  it('delivers a notification only to its addressee, a broadcast to all, never with userId', () => {
    msg(a, { action: 'subscribe', channel: 'notifications' });
    msg(b, { action: 'subscribe', channel: 'notifications' });
    a.sent = [];
    b.sent = [];
    registry.dispatch(notificationEvent({ id: 'n1', title: 'Odoo Sync Complete' }, 'A'));
    registry.dispatch(notificationEvent({ id: 'n2', title: 'Maintenance tonight' }, null));
    expect(a.sent).toEqual([
      { type: 'notification', channel: 'notifications', notification: { id: 'n1', title: 'Odoo Sync Complete' } },
      { type: 'notification', channel: 'notifications', notification: { id: 'n2', title: 'Maintenance tonight' } },
    ]);
    expect(b.sent).toEqual([{ type: 'notification', channel: 'notifications', notification: { id: 'n2', title: 'Maintenance tonight' } }]);
  });

  it('cuts off a client that fell behind without stalling the others', () => {
    msg(a, { action: 'subscribe', channel: 'detections' });
    msg(b, { action: 'subscribe', channel: 'detections' });
    a.bufferedAmount = 1000; // the next event would pass the 1024-byte limit
    const result = registry.dispatch(detectionEvent('CAM-01', { id: 'd1', name: 'x'.repeat(100) }));
    expect(result).toEqual({ delivered: 1, dropped: 1 });
    expect(a.terminated).toBe(true);
    expect(registry.has(a)).toBe(false);
    expect(b.last()).toMatchObject({ type: 'detection' });
  });

  it('skips sockets that are no longer open', () => {
    msg(a, { action: 'subscribe', channel: 'detections' });
    a.readyState = 2;
    a.sent = [];
    expect(registry.dispatch(detectionEvent('CAM-01', { id: 'd1' }))).toEqual({ delivered: 0, dropped: 0 });
    expect(a.sent).toEqual([]);
  });

  it('heartbeat pings, then terminates clients that did not pong', () => {
    expect(registry.heartbeat()).toBe(0);
    expect(a.pings).toBe(1);
    expect(b.pings).toBe(1);
    registry.markAlive(b);
    expect(registry.heartbeat()).toBe(1);
    expect(a.terminated).toBe(true);
    expect(registry.has(a)).toBe(false);
    expect(b.terminated).toBe(false);
    expect(b.pings).toBe(2);
  });

  it('limits camera filters per client', () => {
    const small = new ClientRegistry({ maxBufferedBytes: 1024, maxCameraFilters: 2 });
    const s = new FakeSocket();
    small.add(s, user('S', ['*']));
    for (const cam of ['C1', 'C2', 'C3'])
      small.handleMessage(s, JSON.stringify({ action: 'subscribe', channel: 'detections', cameraId: cam }));
    expect(s.last()).toEqual({ type: 'error', message: 'Too many camera filters (max 2)' });
  });

  it('closeAll closes every socket with the code given', () => {
    registry.closeAll(1001, 'bye');
    expect(a.closed).toEqual({ code: 1001, reason: 'bye' });
    expect(registry.size).toBe(0);
  });
});

describe('parseClientMessage', () => {
  it('accepts the three message forms', () => {
    expect(parseClientMessage('{"type":"ping"}')).toEqual({ kind: 'ping' });
    expect(parseClientMessage('{"action":"unsubscribe","channel":"alerts"}')).toEqual({
      kind: 'unsubscribe',
      channel: 'alerts',
      cameraId: null,
    });
  });

  it('throws ProtocolError for anything else', () => {
    expect(() => parseClientMessage('null')).toThrow(ProtocolError);
    expect(() => parseClientMessage('{"action":"subscribe","channel":"detections","cameraId":"a b"}')).toThrow(/cameraId/);
  });
});
