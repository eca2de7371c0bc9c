import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Response } from 'express';
import { AuthPrincipal, EnvDto, RateLimitedException, RateLimiter, forbidden, unauthorized, userRateKey } from '@app/core';
import { ACCESS_META, AccessRule } from './auth.decorators';
import { TokenService } from './token.service';
import { hasPermission } from './permissions';

function ruleOf(reflector: Reflector, ctx: ExecutionContext): AccessRule | undefined {
  return reflector.getAllAndOverride<AccessRule>(ACCESS_META, [ctx.getHandler(), ctx.getClass()]);
}

/** Authenticates every route that is not @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(ctx: ExecutionContext): ReturnType<CanActivate['canActivate']> {
    if (ctx.getType() !== 'http') return true;
    if (ruleOf(this.reflector, ctx)?.kind === 'public') return true;
    return super.canActivate(ctx);
  }

  override handleRequest<T>(err: unknown, user: T | false, info: unknown): T {
    // errors from validate() (HTTP ones, or a database outage that the filter turns into 503) pass through
    if (err) throw err;
    if (!user) {
      const name = (info as { name?: string } | undefined)?.name;
      throw unauthorized(
        name === 'TokenExpiredError'
          ? 'Access token expired'
          : name === 'JsonWebTokenError'
            ? 'Invalid access token'
            : 'Authentication required',
      );
    }
    return user;
  }
}

/** Enforces the route's declared rule. A route without a rule is refused: nothing is open by accident. */
@Injectable()
export class PermissionsGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const rule = ruleOf(this.reflector, ctx);
    if (!rule) throw forbidden('This route declares no access rule');
    if (rule.kind === 'public') return true;
    const user = ctx.switchToHttp().getRequest<{ user?: AuthPrincipal }>().user;
    if (!user) throw unauthorized();
    if (rule.kind === 'authenticated') return true;
    if (!hasPermission(user.permissions, rule.permission)) throw forbidden(`Permission '${rule.permission}' required`);
    return true;
  }
}

/**
 * RATE_LIMIT_PER_MINUTE per user when the request carries a valid access token, per IP otherwise;
 * counted in Redis so the limit holds across api processes. Runs before authentication so that
 * anonymous floods are limited too.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly tokens: TokenService,
    private readonly env: EnvDto,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<{ ip?: string; headers: Record<string, string | undefined> }>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const auth = req.headers.authorization;
    const claims = auth?.startsWith('Bearer ') ? this.tokens.verifyAccess(auth.slice(7)) : null;
    const key = claims ? userRateKey(claims.sub) : `ip:${req.ip ?? 'unknown'}`;
    const decision = await this.limiter.hit(key, this.env.RATE_LIMIT_PER_MINUTE);
    if (!decision.allowed) throw new RateLimitedException(decision);
    res.setHeader('X-RateLimit-Limit', String(decision.limit));
    res.setHeader('X-RateLimit-Remaining', String(decision.remaining));
    return true;
  }
}
