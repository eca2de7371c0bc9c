import { PERMISSIONS } from '@app/auth/permissions';
import { isRealtimeChannel, RealtimeChannel, REALTIME_CHANNELS } from '@app/realtime';

/** Client -> server messages of the WebSocket protocol. */
export type ClientMessage =
  | { kind: 'subscribe'; channel: RealtimeChannel; cameraId: string | null }
  | { kind: 'unsubscribe'; channel: RealtimeChannel; cameraId: string | null }
  | { kind: 'ping' };

/** Server replies that are not events. */
export type ServerReply =
  | { type: 'subscribed'; channel: RealtimeChannel; cameraId: string | null }
  | { type: 'unsubscribed'; channel: RealtimeChannel; cameraId: string | null }
  | { type: 'pong' }
  | { type: 'error'; message: string };

/** Permission needed to subscribe to a channel; null = any signed-in user (their own notifications). */
export const CHANNEL_PERMISSION: Readonly<Record<RealtimeChannel, string | null>> = {
  detections: PERMISSIONS.DETECTIONS_READ,
  'camera-status': PERMISSIONS.CAMERAS_READ,
  alerts: PERMISSIONS.ALERTS_READ,
  notifications: null,
};

/** Channels whose events concern one camera, so a cameraId filter makes sense. */
export const CAMERA_FILTERABLE: ReadonlySet<RealtimeChannel> = new Set(['detections', 'camera-status', 'alerts']);

export const WS_CLOSE = {
  UNAUTHORIZED: 4401,
  GOING_AWAY: 1001,
} as const;

export class ProtocolError extends Error {}

const CAMERA_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Parse one text frame; throws ProtocolError with a message fit to send back. */
export function parseClientMessage(raw: string): ClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ProtocolError('Message is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('Message must be a JSON object');
  }
  const msg = value as Record<string, unknown>;
  if (msg.type === 'ping') return { kind: 'ping' };
  if (msg.action !== 'subscribe' && msg.action !== 'unsubscribe') {
    throw new ProtocolError('Unknown message: expected {"action":"subscribe"|"unsubscribe",...} or {"type":"ping"}');
  }
  if (!isRealtimeChannel(msg.channel)) {
    throw new ProtocolError(`Unknown channel: expected one of ${REALTIME_CHANNELS.join(', ')}`);
  }
  let cameraId: string | null = null;
  if (msg.cameraId !== undefined && msg.cameraId !== null) {
    if (typeof msg.cameraId !== 'string' || !CAMERA_ID.test(msg.cameraId)) {
      throw new ProtocolError('cameraId must be a camera id string');
    }
    if (!CAMERA_FILTERABLE.has(msg.channel)) {
      throw new ProtocolError(`Channel ${msg.channel} cannot be filtered by camera`);
    }
    cameraId = msg.cameraId;
  }
  return { kind: msg.action, channel: msg.channel, cameraId };
}
