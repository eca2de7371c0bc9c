import { Injectable } from '@nestjs/common';
import { RedisService, rootLogger } from '@app/core';
import { UsersRepository } from '@app/users';

/**
 * Keeps users.last_active current without a write per request: at most one UPDATE per user per
 * minute across all api processes (a Redis SET NX gate, tried at most every 30 s per process).
 * Fire-and-forget.
 */
@Injectable()
export class ActivityTracker {
  constructor(
    private readonly redis: RedisService,
    private readonly users: UsersRepository,
  ) {}

  /** Per-process memo of the last gate attempt: skips the Redis round trip on most requests. */
  private readonly recent = new Map<string, number>();

  touch(userId: string): void {
    const now = Date.now();
    const last = this.recent.get(userId);
    if (last !== undefined && now - last < 30_000) return;
    if (this.recent.size > 10_000) this.recent.clear();
    this.recent.set(userId, now);
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
