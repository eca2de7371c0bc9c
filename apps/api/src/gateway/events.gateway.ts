import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayDisconnect, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { EnvDto, rootLogger } from '@app/core';
import { RealtimeSubscriber } from '@app/realtime';
import { ClientRegistry } from './ws-clients';
import { WsAuthService } from './ws-auth.service';
import { WS_CLOSE } from './ws-protocol';

/** Largest client frame accepted (subscribe messages are tiny); larger frames close the socket (1009). */
export const WS_MAX_PAYLOAD = 16 * 1024;
/** Frames a client may send before its token is verified; the rest are dropped. */
const MAX_PENDING_FRAMES = 16;
const OPEN = 1;

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * `/ws?token=<access JWT>`: authenticates the socket, then hands frames and the realtime events
 * from Redis (published by any api or worker process) to the ClientRegistry. Needs the WsAdapter
 * from @nestjs/platform-ws (`app.useWebSocketAdapter(new WsAdapter(app))`).
 */
@Injectable()
@WebSocketGateway({ path: '/ws', maxPayload: WS_MAX_PAYLOAD })
export class EventsGateway implements OnGatewayConnection, OnGatewayDisconnect, OnModuleInit, OnModuleDestroy {
  private readonly log = rootLogger().child({ context: 'EventsGateway' });
  private readonly heartbeatMs: number;
  private heartbeatTimer?: NodeJS.Timeout;
  private unsubscribe?: () => Promise<void>;
  private destroyed = false;

  constructor(
    env: EnvDto,
    private readonly registry: ClientRegistry,
    private readonly auth: WsAuthService,
    private readonly subscriber: RealtimeSubscriber,
  ) {
    this.heartbeatMs = env.WS_HEARTBEAT_INTERVAL_SECONDS * 1000;
  }

  async onModuleInit(): Promise<void> {
    const subscribed = this.subscriber
      .subscribe((event) => this.registry.dispatch(event))
      .then(async (unsubscribe) => {
        if (this.destroyed) await unsubscribe();
        else this.unsubscribe = unsubscribe;
      })
      .catch((err: unknown) => this.log.error({ err }, 'realtime subscription failed: no live events'));
    // Wait for the SUBSCRIBE so events right after boot are delivered, but never hold boot on Redis:
    // the subscriber connection subscribes once Redis is back.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([subscribed, new Promise<void>((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
    this.heartbeatTimer = setInterval(() => this.registry.heartbeat(), this.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.destroyed = true;
    clearInterval(this.heartbeatTimer);
    this.registry.closeAll(WS_CLOSE.GOING_AWAY, 'Server shutting down');
    await this.unsubscribe?.();
  }

  async handleConnection(socket: WebSocket, request: IncomingMessage): Promise<void> {
    const pending: Array<[RawData, boolean]> = [];
    let ready = false;
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (!ready) {
        if (pending.length < MAX_PENDING_FRAMES) pending.push([data, isBinary]);
        return;
      }
      this.onFrame(socket, data, isBinary);
    });
    socket.on('pong', () => this.registry.markAlive(socket));
    try {
      const result = await this.auth.authenticate(request.url);
      if (socket.readyState !== OPEN) return;
      if (!result.ok) {
        socket.close(WS_CLOSE.UNAUTHORIZED, `Unauthorized: ${result.reason}`);
        return;
      }
      this.registry.add(socket, result.principal);
      ready = true;
      for (const [data, isBinary] of pending.splice(0)) this.onFrame(socket, data, isBinary);
    } catch (err) {
      this.log.error({ err }, 'ws connection setup failed');
      if (socket.readyState === OPEN) socket.close(1011, 'Internal error');
    }
  }

  handleDisconnect(socket: WebSocket): void {
    this.registry.remove(socket);
  }

  private onFrame(socket: WebSocket, data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.registry.replyError(socket, 'Binary frames are not supported');
      return;
    }
    this.registry.handleMessage(socket, toBuffer(data).toString('utf8'));
  }
}
