import { describe, expect, it } from '@jest/globals';
import {
  alertEvent,
  cameraOf,
  cameraStatusEvent,
  detectionEvent,
  notificationEvent,
  parseRealtimeEvent,
  toClientEvent,
} from './realtime.events';

describe('realtime events', () => {
  it('round-trips every event type through JSON', () => {
    const events = [
      detectionEvent('CAM-01', { id: 'd1', personId: 'EMP-1', name: 'Sophia', confidence: 99.2 }),
      cameraStatusEvent('CAM-01', 'online', '2025-11-05T10:30:00Z'),
      alertEvent({ id: 'ALERT-001', title: 'Camera Offline', level: 'high' }),
      notificationEvent({ id: 'n1', title: 'Odoo Sync Complete' }, 'user-1'),
      notificationEvent({ id: 'n2', title: 'Broadcast' }, null),
    ];
    for (const e of events) expect(parseRealtimeEvent(JSON.stringify(e))).toEqual(e);
  });

  it('rejects malformed or inconsistent messages', () => {
    expect(parseRealtimeEvent('nope')).toBeNull();
    expect(parseRealtimeEvent('null')).toBeNull();
    expect(parseRealtimeEvent(JSON.stringify({ type: 'detection', channel: 'alerts', cameraId: 'c', detection: { id: 'x' } }))).toBeNull();
    expect(parseRealtimeEvent(JSON.stringify({ type: 'detection', channel: 'detections', detection: { id: 'x' } }))).toBeNull();
    expect(parseRealtimeEvent(JSON.stringify({ type: 'notification', channel: 'notifications', notification: { id: 'n' } }))).toBeNull();
    expect(parseRealtimeEvent(JSON.stringify({ type: 'bogus', channel: 'alerts' }))).toBeNull();
  });

  it('strips the routing userId from notifications sent to clients', () => {
    expect(toClientEvent(notificationEvent({ id: 'n1' }, 'u1'))).toEqual({
      type: 'notification',
      channel: 'notifications',
      notification: { id: 'n1' },
    });
    const d = detectionEvent('CAM-01', { id: 'd1' });
    expect(toClientEvent(d)).toBe(d);
  });

  it('knows the camera of an event', () => {
    expect(cameraOf(detectionEvent('CAM-01', { id: 'd' }))).toBe('CAM-01');
    expect(cameraOf(alertEvent({ id: 'a', cameraId: 'CAM-02' }))).toBe('CAM-02');
    expect(cameraOf(alertEvent({ id: 'a' }))).toBeNull();
    expect(cameraOf(notificationEvent({ id: 'n' }, null))).toBeNull();
  });
});
