import type { DataSource, EntityManager } from 'typeorm';

export type IsolationLevel = 'READ UNCOMMITTED' | 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/** SQLSTATEs worth retrying a whole transaction for. */
const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

export interface TransactionOptions {
  isolationLevel?: IsolationLevel;
  /** Extra attempts after a serialization failure or deadlock (default 2). */
  retries?: number;
}

/**
 * Run `work` in one transaction; retried from the start on serialization failures and deadlocks,
 * so `work` must have no side effects outside the database. For use inside repositories.
 */
export async function runInTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const retries = options.retries ?? 2;
  for (let attempt = 0; ; attempt++) {
    try {
      return options.isolationLevel ? await dataSource.transaction(options.isolationLevel, work) : await dataSource.transaction(work);
    } catch (err) {
      if (attempt >= retries || !RETRYABLE.has(pgErrorCode(err) ?? '')) throw err;
      await new Promise((r) => setTimeout(r, 10 * 2 ** attempt + Math.random() * 10));
    }
  }
}

/** The PostgreSQL SQLSTATE of an error thrown by TypeORM/pg, if any. */
export function pgErrorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e.driverError?.code ?? e.code;
  return typeof code === 'string' ? code : undefined;
}

/** The constraint (or unique index) named by a PostgreSQL error, if any. */
export function pgConstraint(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { constraint?: unknown; driverError?: { constraint?: unknown } };
  const name = e.driverError?.constraint ?? e.constraint;
  return typeof name === 'string' ? name : undefined;
}

/** True for a unique violation (23505), optionally of one constraint/index, e.g. 'uq_users_email'. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  return pgErrorCode(err) === '23505' && (constraint === undefined || pgConstraint(err) === constraint);
}

/** True for a foreign-key violation (23503), optionally of one constraint. */
export function isForeignKeyViolation(err: unknown, constraint?: string): boolean {
  return pgErrorCode(err) === '23503' && (constraint === undefined || pgConstraint(err) === constraint);
}
