import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisService, rootLogger } from '@app/core';
import { parseRealtimeEvent, REALTIME_REDIS_CHANNEL, RealtimeEvent } from './realtime.events';

export type RealtimeHandler = (event: RealtimeEvent) => void;

/**
 * Receives the realtime events published by any process. One SUBSCRIBE on the shared subscriber
 * connection (RedisService.subscriber()), fanned out to local handlers; ioredis re-subscribes by
 * itself after a reconnect. Malformed messages are dropped.
 */
@Injectable()
export class RealtimeSubscriber implements OnApplicationShutdown {
  private readonly channel: string;
  private readonly handlers = new Set<RealtimeHandler>();
  private connection?: Redis;
  private subscribing?: Promise<void>;

  private readonly onMessage = (channel: string, message: string): void => {
    if (channel !== this.channel) return;
    const event = parseRealtimeEvent(message);
    if (!event) {
      rootLogger().debug({ channel }, 'dropped malformed realtime message');
      return;
    }
    for (const handler of [...this.handlers]) {
      try {
        handler(event);
      } catch (err) {
        rootLogger().error({ err }, 'realtime handler failed');
      }
    }
  };

  constructor(private readonly redis: RedisService) {
    this.channel = redis.channel(REALTIME_REDIS_CHANNEL);
  }

  /**
   * Add a handler. Resolves once Redis confirmed the subscription (immediately when already
   * subscribed); while Redis is down it stays pending until the connection comes back.
   * Returns the function that removes the handler again.
   */
  async subscribe(handler: RealtimeHandler): Promise<() => Promise<void>> {
    this.handlers.add(handler);
    if (!this.subscribing) {
      this.connection = this.redis.subscriber();
      this.connection.on('message', this.onMessage);
      this.subscribing = this.connection.subscribe(this.channel).then(() => undefined);
      this.subscribing.catch((err: unknown) => {
        rootLogger().warn({ err: (err as Error).message }, 'realtime subscribe failed');
        this.subscribing = undefined;
        this.connection?.off('message', this.onMessage);
      });
    }
    try {
      await this.subscribing;
    } catch (err) {
      this.handlers.delete(handler);
      throw err;
    }
    return async () => {
      this.handlers.delete(handler);
      if (this.handlers.size === 0) await this.stop();
    };
  }

  get handlerCount(): number {
    return this.handlers.size;
  }

  private async stop(): Promise<void> {
    const conn = this.connection;
    if (!conn || !this.subscribing) return;
    this.subscribing = undefined;
    this.connection = undefined;
    conn.off('message', this.onMessage);
    const done = conn.unsubscribe(this.channel).catch(() => undefined);
    // while Redis is down the command would wait for the reconnect: do not hold shutdown for it
    if (conn.status === 'ready') await done;
  }

  async onApplicationShutdown(): Promise<void> {
    this.handlers.clear();
    await this.stop();
  }
}
