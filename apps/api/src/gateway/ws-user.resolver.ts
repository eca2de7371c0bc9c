import { Injectable } from '@nestjs/common';
import { UsersRepository } from '@app/users';
import type { WsPrincipalResolver, WsTokenClaims } from './ws-auth.service';
import type { WsPrincipal } from './ws-clients';

/** Judges a connecting socket on the current user row, as the HTTP JwtStrategy does. */
@Injectable()
export class WsUserResolver implements WsPrincipalResolver {
  constructor(private readonly users: UsersRepository) {}

  async resolve(claims: WsTokenClaims): Promise<WsPrincipal | null> {
    if (!/^[0-9a-f-]{36}$/i.test(claims.sub)) return null;
    const found = await this.users.findPrincipal(claims.sub);
    if (!found || found.user.status !== 'active') return null;
    return { userId: found.user.id, email: found.user.email, role: found.user.roleId, permissions: found.permissions };
  }
}
