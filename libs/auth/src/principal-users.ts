import type { AuthPrincipal } from '@app/core';
import type { UserEntity } from '@app/users';

/**
 * The user row read while authenticating a request, keyed by that request's principal: a handler that
 * needs the caller's own row (GET /auth/me) reuses this read instead of querying again.
 */
export const principalUsers = new WeakMap<AuthPrincipal, UserEntity>();
