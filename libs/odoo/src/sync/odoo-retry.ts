import { OdooError } from '../client/odoo.errors';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Delay before retry number `attempt` (1 = first retry): base * 2^(attempt-1), capped, with +-20 % jitter. */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random = Math.random): number {
  const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

/** True for failures worth repeating as is: network errors, timeouts, 5xx, Odoo's transient errors. */
export function isRetryable(error: unknown): boolean {
  return error instanceof OdooError && error.retryable;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs an idempotent Odoo call, repeating it on retryable failures with exponential backoff.
 * Non-retryable failures (bad credentials, validation errors) are thrown at once; after the last
 * attempt the last error is thrown. Never use it for `create`: a lost answer would create twice.
 */
export async function withRetry<T>(
  call: () => Promise<T>,
  policy: RetryPolicy,
  onRetry?: (error: unknown, attempt: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!isRetryable(error) || attempt >= policy.attempts) {
        throw error;
      }
      onRetry?.(error, attempt);
      await sleep(backoffDelay(attempt, policy));
    }
  }
}
