import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';

/**
 * Runs `text` as a named prepared statement on TypeORM's own pg pool: PostgreSQL parses and plans it
 * once per connection instead of on every call (for the authenticated-request lookup that is two
 * thirds of its PostgreSQL time). Only for fixed statements on hot paths, with parameters in
 * `values`; the name is derived from the text, so one text is always one statement. Errors are pg's
 * own, with the same SQLSTATE codes the exception filter maps (a database outage answers 503).
 * Behind a transaction-pooling PgBouncer, named statements need its `max_prepared_statements` (>= 1.21).
 */
/** The part of pg's Pool used here (the project has no @types/pg). */
interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

export async function preparedQuery<T = Record<string, unknown>>(ds: DataSource, text: string, values: unknown[]): Promise<T[]> {
  const pool = (ds.driver as unknown as { master: PgPool }).master;
  let name = statementNames.get(text);
  if (!name) {
    name = `q_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    statementNames.set(text, name);
  }
  const res = await pool.query({ name, text, values });
  return res.rows as T[];
}

const statementNames = new Map<string, string>();
