import { Injectable } from '@nestjs/common';
import { RedisService, rootLogger } from '@app/core';
import { REALTIME_REDIS_CHANNEL, RealtimeEvent } from './realtime.events';

/**
 * Publishes realtime events on Redis for every api gateway to deliver. Best effort: live updates
 * are not worth failing a job or a request for, so an unreachable Redis is logged (debug) and
 * publish resolves false instead of throwing.
 */
@Injectable()
export class RealtimePublisher {
  private readonly channel: string;

  constructor(private readonly redis: RedisService) {
    this.channel = redis.channel(REALTIME_REDIS_CHANNEL);
  }

  /** Resolves true once Redis accepted the event, false when it could not be published. */
  async publish(event: RealtimeEvent): Promise<boolean> {
    try {
      await this.redis.client.publish(this.channel, JSON.stringify(event));
      return true;
    } catch (err) {
      rootLogger().debug({ err: (err as Error).message, type: event.type }, 'realtime publish failed');
      return false;
    }
  }
}
