import { Inject, Injectable, Optional } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { EnvDto } from '@app/core';
import type { WsPrincipal } from './ws-clients';

/** Claims of an access token as the auth library signs them. */
export interface WsTokenClaims {
  sub: string;
  email: string;
  role: string;
  permissions: string[];
}

/**
 * Optional hook: turn verified claims into the principal, e.g. re-reading the user so a suspended
 * account or a changed role takes effect (as the HTTP JwtStrategy does). Return null to refuse.
 * Without it the token's claims are used as they are.
 */
export interface WsPrincipalResolver {
  resolve(claims: WsTokenClaims): Promise<WsPrincipal | null>;
}
export const WS_PRINCIPAL_RESOLVER = Symbol('WS_PRINCIPAL_RESOLVER');

export type WsAuthResult = { ok: true; principal: WsPrincipal } | { ok: false; reason: string };

function isClaims(v: unknown): v is WsTokenClaims {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return (
    typeof c.sub === 'string' &&
    c.sub.length > 0 &&
    typeof c.email === 'string' &&
    typeof c.role === 'string' &&
    Array.isArray(c.permissions) &&
    c.permissions.every((p) => typeof p === 'string')
  );
}

/** Reads `?token=` from the upgrade URL and verifies it (HS256, JWT_SECRET, not expired). */
@Injectable()
export class WsAuthService {
  private readonly jwt: JwtService;

  constructor(
    env: EnvDto,
    @Optional() @Inject(WS_PRINCIPAL_RESOLVER) private readonly resolver?: WsPrincipalResolver,
  ) {
    this.jwt = new JwtService({ secret: env.JWT_SECRET, verifyOptions: { algorithms: ['HS256'] } });
  }

  static tokenFromUrl(url: string | undefined): string | null {
    if (!url) return null;
    try {
      const token = new URL(url, 'http://localhost').searchParams.get('token');
      return token && token.length <= 8192 ? token : null;
    } catch {
      return null;
    }
  }

  async authenticate(url: string | undefined): Promise<WsAuthResult> {
    const token = WsAuthService.tokenFromUrl(url);
    if (!token) return { ok: false, reason: 'Missing token' };
    let claims: unknown;
    try {
      claims = this.jwt.verify<object>(token);
    } catch (err) {
      return { ok: false, reason: (err as Error).name === 'TokenExpiredError' ? 'Token expired' : 'Invalid token' };
    }
    if (!isClaims(claims)) return { ok: false, reason: 'Invalid token' };
    if (this.resolver) {
      const principal = await this.resolver.resolve(claims);
      return principal ? { ok: true, principal } : { ok: false, reason: 'User not allowed' };
    }
    return {
      ok: true,
      principal: { userId: claims.sub, email: claims.email, role: claims.role, permissions: claims.permissions },
    };
  }
}
