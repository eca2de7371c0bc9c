import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuthPrincipal, ClientInfo, EnvDto, RateLimitedException, RateLimiter, unauthorized } from '@app/core';
import { AuditService } from '@app/audit';
import { PasswordHasher, UserDto, UserEntity, UsersRepository } from '@app/users';
import { TokenService } from './token.service';
import { principalUsers } from './principal-users';
import { LoginDto, LoginResultDto, MeDto, TokenPairDto } from './dto/auth.dto';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly limiter: RateLimiter,
    private readonly audit: AuditService,
    private readonly env: EnvDto,
  ) {}

  async login(dto: LoginDto, client: ClientInfo): Promise<LoginResultDto> {
    // Stricter limits on login: per IP and per username, shared by all api processes.
    for (const key of [`login:ip:${client.ip ?? 'unknown'}`, `login:user:${dto.username}`]) {
      const d = await this.limiter.hit(key, this.env.LOGIN_RATE_LIMIT_PER_MINUTE);
      if (!d.allowed) {
        await this.audit.record({
          actor: dto.username,
          action: 'auth.login_rate_limited',
          resourceType: 'auth',
          message: `Login rate limit hit for ${dto.username}`,
          severity: 'warning',
          ipAddress: client.ip,
          userAgent: client.userAgent,
        });
        throw new RateLimitedException(d, 'Too many login attempts; try again later');
      }
    }
    const user = await this.users.findByEmail(dto.username);
    const ok = user ? await this.hasher.verify(dto.password, user.hashedPassword) : await this.hasher.verifyAgainstNothing(dto.password);
    if (!user || !ok || user.status !== 'active') {
      const reason = !user ? 'unknown user' : !ok ? 'wrong password' : 'user suspended';
      await this.audit.record({
        actor: dto.username,
        actorRole: user?.roleId ?? null,
        action: 'auth.login_failed',
        resourceType: 'auth',
        resourceId: user?.id ?? null,
        message: `Failed login for ${dto.username}: ${reason}`,
        severity: 'warning',
        ipAddress: client.ip,
        userAgent: client.userAgent,
      });
      throw unauthorized(user && ok ? 'Account is suspended' : 'Invalid username or password');
    }
    const pair = await this.issue(user, randomUUID(), client);
    await this.users.touchLastActive(user.id);
    user.lastActive = new Date();
    await this.audit.record({
      actor: user.email,
      actorRole: user.roleId,
      action: 'auth.login',
      resourceType: 'auth',
      resourceId: user.id,
      message: `${user.email} logged in`,
      ipAddress: client.ip,
      userAgent: client.userAgent,
    });
    return { ...pair, user: UserDto.from(user) };
  }

  /**
   * Rotates a refresh token. A token that was already rotated is a replay (stolen or raced): the
   * whole session chain is revoked and the caller must log in again.
   */
  async refresh(refreshToken: string, client: ClientInfo): Promise<TokenPairDto> {
    const session = await this.users.findSessionByHash(this.tokens.hashRefreshToken(refreshToken));
    if (!session) throw unauthorized('Invalid refresh token');
    if (session.revokedAt) {
      if (session.replacedBy) await this.revokeChainForReuse(session.familyId, session.userId, client);
      throw unauthorized('Refresh token has been revoked');
    }
    if (session.expiresAt.getTime() <= Date.now()) throw unauthorized('Refresh token expired');
    const user = await this.users.findById(session.userId);
    if (!user || user.status !== 'active') {
      await this.users.revokeFamily(session.familyId);
      throw unauthorized(user ? 'Account is suspended' : 'User no longer exists');
    }
    const result = await this.users.transaction(async (manager) => {
      const raw = this.tokens.newRefreshToken();
      const next = await this.users.createSession(
        {
          userId: user.id,
          familyId: session.familyId,
          refreshHash: this.tokens.hashRefreshToken(raw),
          expiresAt: this.tokens.refreshExpiry(),
          userAgent: client.userAgent,
          ipAddress: client.ip,
        },
        manager,
      );
      const won = await this.users.rotateSession(manager, session.id, next.id);
      return won ? raw : null;
    });
    if (!result) {
      await this.revokeChainForReuse(session.familyId, session.userId, client);
      throw unauthorized('Refresh token has been revoked');
    }
    await this.users.touchLastActive(user.id);
    const permissions = (await this.users.findPrincipal(user.id))?.permissions ?? [];
    return this.pair(user, permissions, session.familyId, result);
  }

  /** Revokes the session chain of the given refresh token. Unknown tokens are ignored (idempotent). */
  async logout(refreshToken: string, client: ClientInfo): Promise<void> {
    const session = await this.users.findSessionByHash(this.tokens.hashRefreshToken(refreshToken));
    if (!session) return;
    await this.users.revokeFamily(session.familyId);
    const user = await this.users.findById(session.userId);
    await this.audit.record({
      actor: user?.email ?? session.userId,
      actorRole: user?.roleId ?? null,
      action: 'auth.logout',
      resourceType: 'auth',
      resourceId: session.userId,
      message: `${user?.email ?? session.userId} logged out`,
      ipAddress: client.ip,
      userAgent: client.userAgent,
    });
  }

  async me(principal: AuthPrincipal): Promise<MeDto> {
    // the row this very request was authenticated with, else (a principal built elsewhere) a fresh read
    const user = principalUsers.get(principal) ?? (await this.users.findById(principal.userId));
    if (!user) throw unauthorized('User no longer exists');
    return { user: UserDto.from(user), permissions: principal.permissions };
  }

  private async issue(user: UserEntity, familyId: string, client: ClientInfo): Promise<TokenPairDto> {
    const raw = this.tokens.newRefreshToken();
    await this.users.createSession({
      userId: user.id,
      familyId,
      refreshHash: this.tokens.hashRefreshToken(raw),
      expiresAt: this.tokens.refreshExpiry(),
      userAgent: client.userAgent,
      ipAddress: client.ip,
    });
    const permissions = (await this.users.findPrincipal(user.id))?.permissions ?? [];
    return this.pair(user, permissions, familyId, raw);
  }

  private pair(user: UserEntity, permissions: string[], familyId: string, refreshToken: string): TokenPairDto {
    return {
      accessToken: this.tokens.signAccess({ sub: user.id, email: user.email, role: user.roleId, permissions, sid: familyId }),
      refreshToken,
      expiresIn: this.env.JWT_ACCESS_TTL_SECONDS,
      tokenType: 'Bearer',
    };
  }

  private async revokeChainForReuse(familyId: string, userId: string, client: ClientInfo): Promise<void> {
    const n = await this.users.revokeFamily(familyId);
    await this.audit.record({
      actor: userId,
      action: 'auth.refresh_reuse',
      resourceType: 'auth',
      resourceId: userId,
      message: `A rotated refresh token was presented again; session chain revoked (${n} live session(s))`,
      severity: 'critical',
      ipAddress: client.ip,
      userAgent: client.userAgent,
    });
  }
}
