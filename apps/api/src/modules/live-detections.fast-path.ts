import { Injectable } from '@nestjs/common';
import { parse as parseQueryString } from 'node:querystring';
import { EnvDto, RATE_HIT_LUA, RateLimiter, rateLimitKey, RedisService, rootLogger, userRateKey, type RateDecision } from '@app/core';
import { hasPermission, PERMISSIONS, TokenService } from '@app/auth';
import { UsersRepository } from '@app/users';
import { LiveDetectionsService, parseLiveQuery, REDIS_KEYS } from '@app/detections';
import { API_PREFIX } from '../api-prefix';

const UUID = /^[0-9a-f-]{36}$/i;

/** The path the fast path answers (the global prefix included). */
export const LIVE_DETECTIONS_PATH = `/${API_PREFIX}/detections/live`;

/** Unexpected Redis errors of the fast path are logged at most this often (the answer falls back). */
const ERROR_LOG_INTERVAL_MS = 60_000;

/** How long the fast path trusts a user's status and permissions read from PostgreSQL. */
export const PRINCIPAL_CACHE_SECONDS = 5;

interface CachedPrincipal {
  status: string;
  permissions: string[];
}

/**
 * KEYS: rate-limit counter, cached principal, list meta, list; ARGV: rate window (s), items to read.
 * Returns {count, ttl, principal or nil, meta or nil, items}. (The keys of one request live on one
 * Redis; a Redis Cluster would need them under one hash tag.)
 */
const LIVE_FAST_READ = `${RATE_HIT_LUA}
local principal = redis.call('GET', KEYS[2])
local meta = redis.call('GET', KEYS[3])
local items = redis.call('LRANGE', KEYS[4], 0, tonumber(ARGV[2]) - 1)
return {c, ttl, principal, meta, items}
`;

type LiveRead = [number, number, Buffer | null, Buffer | null, Buffer[]];

interface FastReadClient {
  liveFastReadBuffer(
    rateKey: string,
    principalKey: string,
    metaKey: string,
    listKey: string,
    windowSeconds: number,
    take: number,
  ): Promise<LiveRead>;
}

/** A request the fast path may answer: a canonical query and a valid access token. */
export interface LiveRequest {
  userId: string;
  cameraId: string | null;
  limit: number;
}

/** What the fast path answers: the response body and the rate-limit decision for the headers. */
export interface LiveAnswer {
  userId: string;
  body: Buffer;
  decision: RateDecision;
}

/**
 * Fast path of GET /detections/live (the dashboard polls it; target p99 < 10 ms at 1,000 req/s on
 * 2 cores), run by the HTTP server ahead of Express (apps/api/src/http/live-fast-lane.ts). It
 * answers a canonical request of a signed-in user allowed `detections:read` with the checks of the
 * global guards (access token, per-user rate limit, current user status and role permissions) and
 * the cached bytes with no JSON work: the rate-limit hit, the user's status and permissions and
 * the cached list are read by ONE Redis command (a script). The user's status and permissions come from
 * PostgreSQL and are then kept in Redis for PRINCIPAL_CACHE_SECONDS, so a suspension or role
 * change reaches this read-only endpoint within 5 s (every other route: at once). Anything else
 * (no or bad token, suspended user, missing permission, rate limit exceeded, non-canonical query,
 * a cold list, Redis down) goes to the regular route or the service's slow path, which give the
 * usual answers; a request that falls through is counted twice by the rate limiter, which only
 * makes an over-limit client wait longer.
 */
@Injectable()
export class LiveDetectionsFastPath {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly users: UsersRepository,
    private readonly live: LiveDetectionsService,
    private readonly redis: RedisService,
    private readonly env: EnvDto,
    // the access-token check of the global guards, with its memo of verified tokens
    private readonly tokens: TokenService,
  ) {
    if (!('liveFastRead' in redis.client)) redis.client.defineCommand('liveFastRead', { numberOfKeys: 4, lua: LIVE_FAST_READ });
    this.client = redis.client as unknown as FastReadClient;
  }

  private readonly client: FastReadClient;

  /**
   * The request, when it is GET of the live path with a canonical query (what Express's query
   * parser and parseLiveQuery accept, nothing the DTO would rewrite) and a valid access token; null
   * sends it to the regular route. Synchronous and cheap: it runs for every request.
   */
  match(method: string | undefined, url: string | undefined, authorization: string | undefined): LiveRequest | null {
    if (method !== 'GET' || !url?.startsWith(LIVE_DETECTIONS_PATH)) return null;
    const rest = url.length === LIVE_DETECTIONS_PATH.length ? '' : url.slice(LIVE_DETECTIONS_PATH.length);
    if (rest !== '' && rest[0] !== '?') return null;
    if (!authorization?.startsWith('Bearer ')) return null;
    // Express 5's default ("simple") query parser is node:querystring.
    const query = parseLiveQuery(rest.length > 1 ? { ...parseQueryString(rest.slice(1)) } : {});
    if (!query) return null;
    const claims = this.tokens.verifyAccess(authorization.slice(7));
    if (!claims || typeof claims.sub !== 'string' || !UUID.test(claims.sub)) return null;
    return { userId: claims.sub, cameraId: query.cameraId, limit: query.limit };
  }

  /** The answer to a matched request, or null when the regular route must answer it. */
  async answer(request: LiveRequest): Promise<LiveAnswer | null> {
    const { userId, cameraId, limit: take } = request;
    const limit = this.env.RATE_LIMIT_PER_MINUTE;
    let decision: RateDecision | null = null;
    let principal: CachedPrincipal | null = null;
    let body: Buffer | null = null;
    const read = this.redis.ready ? await this.read(userId, cameraId, take).catch((err: unknown) => this.readFailed(err)) : null;
    if (read) {
      const [count, ttl, principalJson, meta, items] = read;
      decision = { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), retryAfterSeconds: Math.max(1, ttl) };
      principal = principalJson ? (JSON.parse(principalJson.toString('utf8')) as CachedPrincipal) : null;
      body = this.live.cachedBody(meta, items);
    }
    decision ??= await this.limiter.hit(userRateKey(userId), limit);
    principal ??= await this.loadPrincipal(userId);
    if (!decision.allowed || !principal || principal.status !== 'active') return null;
    if (!hasPermission(principal.permissions, PERMISSIONS.DETECTIONS_READ)) return null;
    body ??= await this.live.responseBody(cameraId, take);
    return { userId, body, decision };
  }

  /**
   * Everything the answer needs from Redis, in one command (one round trip, one reply: the least
   * work and garbage per request): the rate-limit hit (RateLimiter's own Lua), the cached
   * principal, and the list's meta and items, as Buffers.
   */
  private read(userId: string, cameraId: string | null, take: number): Promise<LiveRead> {
    const keys = this.live.listKeys(cameraId, take);
    return this.client.liveFastReadBuffer(
      rateLimitKey(userRateKey(userId)),
      REDIS_KEYS.livePrincipal(userId),
      keys.meta,
      keys.list,
      60,
      keys.take,
    );
  }

  /** A failed read (the answer then comes from the slower paths): logged, at most once a minute. */
  private readFailed(err: unknown): null {
    const now = Date.now();
    if (now - this.lastErrorLogAt >= ERROR_LOG_INTERVAL_MS) {
      this.lastErrorLogAt = now;
      this.log.warn({ err: (err as Error).message }, 'live fast path: Redis read failed; answering from the slow path');
    }
    return null;
  }

  private lastErrorLogAt = 0;
  private readonly log = rootLogger().child({ context: 'LiveDetectionsFastPath' });

  /** The user's status and role permissions from PostgreSQL, kept in Redis for a few seconds. */
  private async loadPrincipal(userId: string): Promise<CachedPrincipal | null> {
    const found = await this.users.findPrincipal(userId);
    if (!found) return null;
    const principal: CachedPrincipal = { status: found.user.status, permissions: found.permissions };
    void this.redis.setJson(REDIS_KEYS.livePrincipal(userId), principal, PRINCIPAL_CACHE_SECONDS);
    return principal;
  }
}
