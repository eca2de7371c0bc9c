import { ExecutionContext, SetMetadata, applyDecorators, createParamDecorator } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOperation, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { AuthPrincipal, ClientInfo } from '@app/core';
import type { Permission } from './permissions';

export const ACCESS_META = 'access-rule';

export type AccessRule = { kind: 'public' } | { kind: 'authenticated' } | { kind: 'permission'; permission: Permission };

/** No token needed (login, refresh, health). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_META, { kind: 'public' } satisfies AccessRule);

/** Any signed-in user, acting on their own data (their notifications, preferences, password). */
export const Authenticated = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(ACCESS_META, { kind: 'authenticated' } satisfies AccessRule),
    ApiBearerAuth('bearer'),
    ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token' }),
  );

/** The permission a route needs; `*` in a role grants all. */
export const RequirePermission = (permission: Permission): MethodDecorator =>
  applyDecorators(
    SetMetadata(ACCESS_META, { kind: 'permission', permission } satisfies AccessRule),
    ApiBearerAuth('bearer'),
    ApiOperation({ description: `Requires permission \`${permission}\`.` }),
    ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token' }),
    ApiForbiddenResponse({ description: `The caller lacks \`${permission}\`` }),
  );

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthPrincipal => {
  const req = ctx.switchToHttp().getRequest<{ user: AuthPrincipal }>();
  return req.user;
});

export const Client = createParamDecorator((_: unknown, ctx: ExecutionContext): ClientInfo => {
  const req = ctx.switchToHttp().getRequest<{ ip?: string; headers: Record<string, string | undefined> }>();
  return clientInfo(req);
});

export function clientInfo(req: { ip?: string; headers: Record<string, string | string[] | undefined> }): ClientInfo {
  const ua = req.headers['user-agent'];
  const ip = (req.ip ?? '').replace(/^::ffff:/, '') || null;
  return { ip, userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null };
}
