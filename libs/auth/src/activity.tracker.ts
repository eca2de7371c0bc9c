import { Injectable } from '@nestjs/common';
import { RedisService, rootLogger } from '@app/core';
import { UsersRepository } from '@app/users';

/**
 * Keeps users.last_active current without a write per request: at most one UPDATE per user per
 * minute across all api processes (a Redis SET NX gate). Fire-and-forget.
 */
@Injectable()
export class ActivityTracker {
  constructor(
    private readonly redis: RedisService,
    private readonly users: UsersRepository,
  ) {}

  touch(userId: string): void {
    void this.run(userId);
  }

  private async run(userId: string): Promise<void> {
    try {
      const gate = await this.redis.client.set(`active:${userId}`, '1', 'EX', 60, 'NX');
      if (gate !== 'OK') return;
    } catch {
      return; // Redis down: skip rather than write on every request
    }
    try {
      await this.users.touchLastActive(userId);
    } catch (err) {
      rootLogger().warn({ err: (err as Error).message }, 'could not update last_active');
    }
  }
}
