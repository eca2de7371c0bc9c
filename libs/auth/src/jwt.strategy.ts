import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AuthPrincipal, EnvDto, requestContext, unauthorized } from '@app/core';
import { UsersRepository } from '@app/users';
import { jwtSecretKey, type AccessTokenClaims } from './token.service';
import { ActivityTracker } from './activity.tracker';
import { principalUsers } from './principal-users';

/**
 * Verifies the bearer token, then re-reads the user: a deleted or suspended user, or one whose role
 * changed, is judged on the current data, not on what the token claimed 15 minutes ago.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    env: EnvDto,
    private readonly users: UsersRepository,
    private readonly activity: ActivityTracker,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // a KeyObject spares jsonwebtoken a failed PEM parse per request; the typing only lists string | Buffer
      secretOrKey: jwtSecretKey(env.JWT_SECRET) as unknown as string,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessTokenClaims): Promise<AuthPrincipal> {
    if (typeof claims.sub !== 'string' || !/^[0-9a-f-]{36}$/i.test(claims.sub)) throw unauthorized('Invalid access token');
    const found = await this.users.findPrincipal(claims.sub);
    if (!found) throw unauthorized('User no longer exists');
    if (found.user.status !== 'active') throw unauthorized('User is suspended');
    requestContext.setUser(found.user.id);
    this.activity.touch(found.user.id);
    const principal: AuthPrincipal = {
      userId: found.user.id,
      email: found.user.email,
      name: found.user.name,
      roleId: found.user.roleId,
      permissions: found.permissions,
      sessionFamilyId: claims.sid,
    };
    principalUsers.set(principal, found.user);
    return principal;
  }
}
