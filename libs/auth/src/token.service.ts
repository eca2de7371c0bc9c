import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHash, randomBytes } from 'node:crypto';
import { EnvDto } from '@app/core';

export interface AccessTokenClaims {
  sub: string;
  email: string;
  role: string;
  permissions: string[];
  /** refresh-token family (session chain) the access token belongs to */
  sid?: string;
}

/** Signs and verifies access JWTs (HS256) and mints opaque refresh tokens stored only as hashes. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly env: EnvDto,
  ) {}

  signAccess(claims: AccessTokenClaims): string {
    return this.jwt.sign(claims, {
      secret: this.env.JWT_SECRET,
      algorithm: 'HS256',
      expiresIn: this.env.JWT_ACCESS_TTL_SECONDS,
    });
  }

  /** Returns the claims or null for any invalid, expired or foreign token. */
  verifyAccess(token: string): AccessTokenClaims | null {
    try {
      return this.jwt.verify<AccessTokenClaims & object>(token, { secret: this.env.JWT_SECRET, algorithms: ['HS256'] });
    } catch {
      return null;
    }
  }

  newRefreshToken(): string {
    return randomBytes(48).toString('base64url');
  }

  hashRefreshToken(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('hex');
  }

  refreshExpiry(from = new Date()): Date {
    return new Date(from.getTime() + this.env.JWT_REFRESH_TTL_DAYS * 86_400_000);
  }
}
