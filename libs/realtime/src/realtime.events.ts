/**
 * Server -> client events of the WebSocket protocol (spec: WebSocket Channels), as published on Redis.
 * Any process (api or worker) publishes through RealtimePublisher; every api process's gateway
 * delivers to its own sockets. `userId` on a notification routes it and is never sent to clients.
 */

export const REALTIME_CHANNELS = ['detections', 'camera-status', 'alerts', 'notifications'] as const;
export type RealtimeChannel = (typeof REALTIME_CHANNELS)[number];

export function isRealtimeChannel(value: unknown): value is RealtimeChannel {
  return typeof value === 'string' && (REALTIME_CHANNELS as readonly string[]).includes(value);
}

/** The detection as the live view shows it: {id, personId, name, confidence, ...}. */
export interface RealtimeDetection {
  id: string;
  [field: string]: unknown;
}

/** An alert as listed by GET /alerts: {id, title, level, ...}; cameraId when it concerns a camera. */
export interface RealtimeAlert {
  id: string;
  cameraId?: string | null;
  [field: string]: unknown;
}

/** A notification as listed by GET /notifications: {id, title, ...}. */
export interface RealtimeNotification {
  id: string;
  [field: string]: unknown;
}

export type CameraStatus = 'online' | 'offline' | 'maintenance';

export interface DetectionEvent {
  type: 'detection';
  channel: 'detections';
  cameraId: string;
  detection: RealtimeDetection;
}

export interface CameraStatusEvent {
  type: 'camera-status';
  channel: 'camera-status';
  cameraId: string;
  status: CameraStatus;
  /** ISO 8601, null when the camera was never seen. */
  lastSeen: string | null;
}

export interface AlertEvent {
  type: 'alert';
  channel: 'alerts';
  alert: RealtimeAlert;
}

export interface NotificationEvent {
  type: 'notification';
  channel: 'notifications';
  notification: RealtimeNotification;
  /** The addressee; null = every connected user. Routing only: stripped before sending. */
  userId: string | null;
}

export type RealtimeEvent = DetectionEvent | CameraStatusEvent | AlertEvent | NotificationEvent;

/** What a client receives for an event (the notification's routing field removed). */
export type ClientEvent = DetectionEvent | CameraStatusEvent | AlertEvent | Omit<NotificationEvent, 'userId'>;

export const detectionEvent = (cameraId: string, detection: RealtimeDetection): DetectionEvent => ({
  type: 'detection',
  channel: 'detections',
  cameraId,
  detection,
});

export const cameraStatusEvent = (cameraId: string, status: CameraStatus, lastSeen: Date | string | null): CameraStatusEvent => ({
  type: 'camera-status',
  channel: 'camera-status',
  cameraId,
  status,
  lastSeen: lastSeen instanceof Date ? lastSeen.toISOString() : lastSeen,
});

export const alertEvent = (alert: RealtimeAlert): AlertEvent => ({ type: 'alert', channel: 'alerts', alert });

export const notificationEvent = (notification: RealtimeNotification, userId: string | null): NotificationEvent => ({
  type: 'notification',
  channel: 'notifications',
  notification,
  userId,
});

export function toClientEvent(event: RealtimeEvent): ClientEvent {
  if (event.type === 'notification') {
    const { userId: _routing, ...rest } = event;
    return rest;
  }
  return event;
}

/** The camera an event concerns (for cameraId-filtered subscriptions), or null. */
export function cameraOf(event: RealtimeEvent): string | null {
  switch (event.type) {
    case 'detection':
    case 'camera-status':
      return event.cameraId;
    case 'alert':
      return typeof event.alert.cameraId === 'string' ? event.alert.cameraId : null;
    default:
      return null;
  }
}

const EVENT_CHANNEL: Record<RealtimeEvent['type'], RealtimeChannel> = {
  detection: 'detections',
  'camera-status': 'camera-status',
  alert: 'alerts',
  notification: 'notifications',
};

function isRecordWithId(v: unknown): v is { id: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { id?: unknown }).id === 'string';
}

/** Parse and check an event read from Redis; null when malformed (never throws). */
export function parseRealtimeEvent(raw: string): RealtimeEvent | null {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const e = v as Record<string, unknown>;
  if (typeof e.type !== 'string' || !(e.type in EVENT_CHANNEL)) return null;
  if (e.channel !== EVENT_CHANNEL[e.type as RealtimeEvent['type']]) return null;
  switch (e.type) {
    case 'detection':
      return typeof e.cameraId === 'string' && isRecordWithId(e.detection) ? (e as unknown as DetectionEvent) : null;
    case 'camera-status':
      return typeof e.cameraId === 'string' && typeof e.status === 'string' && (e.lastSeen === null || typeof e.lastSeen === 'string')
        ? (e as unknown as CameraStatusEvent)
        : null;
    case 'alert':
      return isRecordWithId(e.alert) ? (e as unknown as AlertEvent) : null;
    case 'notification':
      return isRecordWithId(e.notification) && (e.userId === null || typeof e.userId === 'string')
        ? (e as unknown as NotificationEvent)
        : null;
    default:
      return null;
  }
}

/** Redis pub/sub channel (before REDIS_PREFIX) carrying every realtime event. */
export const REALTIME_REDIS_CHANNEL = 'realtime';
