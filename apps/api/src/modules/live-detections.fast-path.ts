import { Injectable, NestMiddleware } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { NextFunction, Request, Response } from 'express';
import { createSecretKey } from 'node:crypto';
import { EnvDto, RateLimiter, requestContext, rootLogger } from '@app/core';
import { hasPermission, PERMISSIONS, type AccessTokenClaims } from '@app/auth';
import { UsersRepository } from '@app/users';
import { LiveDetectionsService, parseLiveQuery } from '@app/detections';

const UUID = /^[0-9a-f-]{36}$/i;

/**
 * Fast path of GET /detections/live (the dashboard polls it; target p99 < 10 ms at 1,000 req/s on
 * 2 cores). It answers a well-formed request of a signed-in user allowed `detections:read` with the
 * same checks as the global guards, composed from the same parts (token verification, the
 * per-user Redis rate limit, the current user row and role permissions), then writes the cached
 * JSON body with no parsing or serialisation. Anything else (no or bad token, suspended user,
 * missing permission, rate limit exceeded, invalid query, Redis and PostgreSQL failures) falls
 * through to the regular route, whose guards, pipes and filter give the usual answers; such a
 * request is counted twice by the rate limiter, which only makes an over-limit client wait longer.
 */
@Injectable()
export class LiveDetectionsFastPath implements NestMiddleware {
  private readonly log = rootLogger().child({ context: 'LiveDetectionsFastPath' });
  /**
   * The access-token check of TokenService.verifyAccess (HS256, JWT_SECRET, expiry), with the
   * secret as a KeyObject: given a string, jsonwebtoken first tries (and fails) to parse it as a
   * public key on every call, which measured ~0.45 ms of CPU per request here.
   */
  private readonly jwt: JwtService;

  constructor(
    private readonly limiter: RateLimiter,
    private readonly users: UsersRepository,
    private readonly live: LiveDetectionsService,
    private readonly env: EnvDto,
  ) {
    this.jwt = new JwtService({ secret: createSecretKey(Buffer.from(env.JWT_SECRET, 'utf8')), verifyOptions: { algorithms: ['HS256'] } });
  }

  use(req: Request, res: Response, next: NextFunction): void {
    const query = parseLiveQuery(req.query);
    const auth = req.headers.authorization;
    if (!query || !auth?.startsWith('Bearer ')) return next();
    const claims = this.verify(auth.slice(7));
    if (!claims || typeof claims.sub !== 'string' || !UUID.test(claims.sub)) return next();
    this.serve(claims.sub, query, res).then(
      (served) => {
        if (!served) next();
      },
      (err: unknown) => {
        this.log.debug({ err: (err as Error).message }, 'live fast path fell through');
        if (!res.headersSent) next();
      },
    );
  }

  private verify(token: string): AccessTokenClaims | null {
    try {
      return this.jwt.verify<AccessTokenClaims & object>(token);
    } catch {
      return null;
    }
  }

  private async serve(userId: string, query: { cameraId: string | null; limit: number }, res: Response): Promise<boolean> {
    const [decision, principal] = await Promise.all([
      this.limiter.hit(`u:${userId}`, this.env.RATE_LIMIT_PER_MINUTE),
      this.users.findPrincipal(userId),
    ]);
    if (!decision.allowed || !principal || principal.user.status !== 'active') return false;
    if (!hasPermission(principal.permissions, PERMISSIONS.DETECTIONS_READ)) return false;
    requestContext.setUser(principal.user.id);
    const body = await this.live.responseBody(query.cameraId, query.limit);
    res.setHeader('X-RateLimit-Limit', String(decision.limit));
    res.setHeader('X-RateLimit-Remaining', String(decision.remaining));
    res.status(200).type('application/json; charset=utf-8').send(body);
    return true;
  }
}
