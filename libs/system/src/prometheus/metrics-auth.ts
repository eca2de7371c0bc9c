import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an Authorization header carries the METRICS_TOKEN bearer (constant-time comparison).
 * An empty token means the listener needs none (it is internal: METRICS_HOST / the worker's port).
 */
export function metricsTokenAccepted(authorization: string | string[] | undefined, token: string): boolean {
  if (!token) return true;
  const header = Array.isArray(authorization) ? authorization[0] : authorization;
  if (!header?.startsWith('Bearer ')) return false;
  const given = createHash('sha256').update(header.slice(7)).digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, expected);
}
