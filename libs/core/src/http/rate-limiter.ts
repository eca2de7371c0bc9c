import { HttpStatus, Injectable } from '@nestjs/common';
import { ApiException, ErrorCode } from './api-error';
import { RedisService } from '../redis/redis.service';

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  retryAfterSeconds: number;
}

/**
 * One hit of a fixed-window counter, as a Lua fragment: counts a hit on KEYS[1] (window ARGV[1]
 * seconds) and leaves the count in `c` and the seconds left in `ttl`. Scripts that do more in the
 * same round trip (the live-detections fast path) embed it.
 */
export const RATE_HIT_LUA = `
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
`;

const SCRIPT = `${RATE_HIT_LUA}return {c, ttl}`;

/** RateLimiter key of a signed-in user's requests (the per-user limit of every route). */
export const userRateKey = (userId: string): string => `u:${userId}`;

/** Redis key of a rate-limit counter (`key` as given to RateLimiter.hit). */
export const rateLimitKey = (key: string): string => `rl:${key}`;

/**
 * Fixed-window counters in Redis, shared by every api process. When Redis is unreachable the limiter
 * fails open: availability of the API matters more than the limit for those seconds.
 */
@Injectable()
export class RateLimiter {
  constructor(private readonly redis: RedisService) {
    if (!('rateHit' in redis.client)) redis.client.defineCommand('rateHit', { numberOfKeys: 1, lua: SCRIPT });
  }

  async hit(key: string, limit: number, windowSeconds = 60): Promise<RateDecision> {
    try {
      const client = this.redis.client as unknown as { rateHit(key: string, window: number): Promise<[number, number]> };
      const [count, ttl] = await client.rateHit(rateLimitKey(key), windowSeconds);
      return {
        allowed: count <= limit,
        limit,
        remaining: Math.max(0, limit - count),
        retryAfterSeconds: Math.max(1, ttl),
      };
    } catch {
      return { allowed: true, limit, remaining: limit, retryAfterSeconds: 0 };
    }
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(rateLimitKey(key));
  }
}

export class RateLimitedException extends ApiException {
  readonly headers: Record<string, string>;
  constructor(decision: RateDecision, message = 'Too many requests; slow down') {
    super(HttpStatus.TOO_MANY_REQUESTS, ErrorCode.RATE_LIMITED, message, { retryAfterSeconds: decision.retryAfterSeconds });
    this.headers = {
      'Retry-After': String(decision.retryAfterSeconds),
      'X-RateLimit-Limit': String(decision.limit),
      'X-RateLimit-Remaining': '0',
    };
  }
}
