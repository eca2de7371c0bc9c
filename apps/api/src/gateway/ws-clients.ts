import { hasPermission } from '@app/auth/permissions';
import { cameraOf, RealtimeChannel, RealtimeEvent, toClientEvent } from '@app/realtime';
import { CHANNEL_PERMISSION, parseClientMessage, ProtocolError, ServerReply } from './ws-protocol';

/** Who is on the other end of a socket, from the verified access token. */
export interface WsPrincipal {
  userId: string;
  email: string;
  role: string;
  permissions: readonly string[];
}

/** The part of a `ws` WebSocket the registry uses (fakes implement it in unit tests). */
export interface WsSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  ping(): void;
  terminate(): void;
  close(code?: number, reason?: string): void;
}

export interface RegistryLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface ClientRegistryOptions {
  /** Bytes queued on one socket above which it is cut off (a slow client must not hold memory). */
  maxBufferedBytes: number;
  /** Camera filters one socket may hold across channels. */
  maxCameraFilters?: number;
  logger?: RegistryLogger;
}

export interface DispatchResult {
  delivered: number;
  /** Clients cut off because they fell behind. */
  dropped: number;
}

const OPEN = 1;

interface ChannelSubscription {
  all: boolean;
  cameras: Set<string>;
}

interface ClientState {
  readonly socket: WsSocketLike;
  readonly principal: WsPrincipal;
  readonly subscriptions: Map<RealtimeChannel, ChannelSubscription>;
  alive: boolean;
}

const silent: RegistryLogger = { warn: () => undefined, debug: () => undefined };

/**
 * The sockets of this api process and what each subscribed to. Pure fan-out logic with no Nest and
 * no Redis: the gateway feeds it connections, frames and events.
 */
export class ClientRegistry {
  private readonly clients = new Map<WsSocketLike, ClientState>();
  private readonly maxBuffered: number;
  private readonly maxFilters: number;
  private readonly log: RegistryLogger;

  constructor(opts: ClientRegistryOptions) {
    this.maxBuffered = opts.maxBufferedBytes;
    this.maxFilters = opts.maxCameraFilters ?? 500;
    this.log = opts.logger ?? silent;
  }

  get size(): number {
    return this.clients.size;
  }

  add(socket: WsSocketLike, principal: WsPrincipal): void {
    this.clients.set(socket, { socket, principal, subscriptions: new Map(), alive: true });
  }

  remove(socket: WsSocketLike): void {
    this.clients.delete(socket);
  }

  has(socket: WsSocketLike): boolean {
    return this.clients.has(socket);
  }

  /** A pong (or any frame) proves the client is there. */
  markAlive(socket: WsSocketLike): void {
    const state = this.clients.get(socket);
    if (state) state.alive = true;
  }

  /** Handle one text frame from a client; replies on the same socket. Never throws. */
  handleMessage(socket: WsSocketLike, raw: string): void {
    const state = this.clients.get(socket);
    if (!state) return;
    state.alive = true;
    let reply: ServerReply;
    try {
      reply = this.apply(state, raw);
    } catch (err) {
      reply = { type: 'error', message: err instanceof ProtocolError ? err.message : 'Could not handle message' };
      if (!(err instanceof ProtocolError)) this.log.warn({ err }, 'ws message handling failed');
    }
    this.send(state, JSON.stringify(reply));
  }

  /** Reply to a frame the socket cannot use (binary, too large). */
  replyError(socket: WsSocketLike, message: string): void {
    const state = this.clients.get(socket);
    if (state) this.send(state, JSON.stringify({ type: 'error', message } satisfies ServerReply));
  }

  /** Deliver an event to every local client subscribed to it (and, for a notification, addressed). */
  dispatch(event: RealtimeEvent): DispatchResult {
    const camera = cameraOf(event);
    let payload: string | undefined;
    const result: DispatchResult = { delivered: 0, dropped: 0 };
    for (const state of [...this.clients.values()]) {
      const sub = state.subscriptions.get(event.channel);
      if (!sub) continue;
      if (!sub.all && (camera === null || !sub.cameras.has(camera))) continue;
      if (event.type === 'notification' && event.userId !== null && event.userId !== state.principal.userId) continue;
      payload ??= JSON.stringify(toClientEvent(event));
      if (this.send(state, payload)) result.delivered++;
      else if (!this.clients.has(state.socket)) result.dropped++;
    }
    return result;
  }

  /**
   * One heartbeat round: terminate clients that did not answer the previous ping, ping the rest.
   * Returns how many were terminated.
   */
  heartbeat(): number {
    let terminated = 0;
    for (const state of [...this.clients.values()]) {
      if (!state.alive) {
        this.clients.delete(state.socket);
        state.socket.terminate();
        terminated++;
        continue;
      }
      state.alive = false;
      try {
        state.socket.ping();
      } catch {
        /* socket closing: the close event removes it */
      }
    }
    if (terminated) this.log.debug({ terminated }, 'ws heartbeat terminated unresponsive clients');
    return terminated;
  }

  closeAll(code: number, reason: string): void {
    for (const state of this.clients.values()) {
      try {
        state.socket.close(code, reason);
      } catch {
        state.socket.terminate();
      }
    }
    this.clients.clear();
  }

  /** Channels (with camera filters) a socket is subscribed to; for diagnostics and tests. */
  subscriptionsOf(socket: WsSocketLike): Record<string, { all: boolean; cameras: string[] }> {
    const state = this.clients.get(socket);
    const out: Record<string, { all: boolean; cameras: string[] }> = {};
    for (const [channel, sub] of state?.subscriptions ?? []) out[channel] = { all: sub.all, cameras: [...sub.cameras] };
    return out;
  }

  private apply(state: ClientState, raw: string): ServerReply {
    const msg = parseClientMessage(raw);
    if (msg.kind === 'ping') return { type: 'pong' };
    const { channel, cameraId } = msg;
    if (msg.kind === 'subscribe') {
      const required = CHANNEL_PERMISSION[channel];
      if (required !== null && !hasPermission(state.principal.permissions, required)) {
        throw new ProtocolError(`Forbidden: channel ${channel} requires the ${required} permission`);
      }
      const sub = state.subscriptions.get(channel) ?? { all: false, cameras: new Set<string>() };
      if (cameraId === null) sub.all = true;
      else {
        if (!sub.cameras.has(cameraId) && this.filterCount(state) >= this.maxFilters) {
          throw new ProtocolError(`Too many camera filters (max ${this.maxFilters})`);
        }
        sub.cameras.add(cameraId);
      }
      state.subscriptions.set(channel, sub);
      return { type: 'subscribed', channel, cameraId };
    }
    const sub = state.subscriptions.get(channel);
    if (sub) {
      if (cameraId === null) state.subscriptions.delete(channel);
      else {
        sub.cameras.delete(cameraId);
        if (!sub.all && sub.cameras.size === 0) state.subscriptions.delete(channel);
      }
    }
    return { type: 'unsubscribed', channel, cameraId };
  }

  private filterCount(state: ClientState): number {
    let n = 0;
    for (const sub of state.subscriptions.values()) n += sub.cameras.size;
    return n;
  }

  /** Send unless the socket is closed; cut the client off when too much is already queued for it. */
  private send(state: ClientState, payload: string): boolean {
    const { socket } = state;
    if (socket.readyState !== OPEN) return false;
    if (socket.bufferedAmount + Buffer.byteLength(payload) > this.maxBuffered) {
      this.clients.delete(socket);
      this.log.warn({ userId: state.principal.userId, bufferedAmount: socket.bufferedAmount }, 'ws client too slow: disconnected');
      socket.terminate();
      return false;
    }
    try {
      socket.send(payload);
      return true;
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'ws send failed');
      return false;
    }
  }
}
