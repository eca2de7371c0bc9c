import { DataSource } from 'typeorm';
import { pgErrorCode } from './transaction';

/**
 * Whole-database operations (create, clone, drop) for the cli and the test helpers. They run on a
 * connection to the `postgres` maintenance database of the same server, outside any transaction.
 */

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** The database name in a postgres:// URL. */
export function databaseNameOf(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new Error(`No database name in ${redactUrl(url)}`);
  return name;
}

/** The same URL pointing at another database. */
export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

/** The URL with its password hidden, for messages. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** Quote an identifier we build ourselves; refuses anything unusual rather than escaping it. */
export function quoteDatabaseName(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`Refusing unusual database name: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** Run `work` with a DataSource on the server's `postgres` database (no entities, no migrations). */
export async function withMaintenanceConnection<T>(url: string, work: (admin: DataSource) => Promise<T>): Promise<T> {
  const admin = new DataSource({
    type: 'postgres',
    url: withDatabaseName(url, 'postgres'),
    applicationName: 'cctv-db-admin',
    installExtensions: false,
    logging: ['error'],
    extra: { max: 1 },
  });
  await admin.initialize();
  try {
    return await work(admin);
  } finally {
    await admin.destroy();
  }
}

export async function databaseExists(admin: DataSource, name: string): Promise<boolean> {
  const rows: unknown = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  return Array.isArray(rows) && rows.length > 0;
}

/** CREATE DATABASE unless it exists; true when created. */
export async function createDatabaseIfMissing(url: string): Promise<boolean> {
  const name = databaseNameOf(url);
  return withMaintenanceConnection(url, async (admin) => {
    if (await databaseExists(admin, name)) return false;
    try {
      await admin.query(`CREATE DATABASE ${quoteDatabaseName(name)}`);
      return true;
    } catch (err) {
      if (pgErrorCode(err) === '42P04') return false; // duplicate_database: created concurrently
      throw err;
    }
  });
}

export interface CloneOptions {
  /** How long to keep retrying while the template is busy (default 30 s). */
  timeoutMs?: number;
}

/**
 * CREATE DATABASE <name> TEMPLATE <template>. PostgreSQL refuses while any other session is
 * connected to the template (55006, e.g. a parallel clone): retried with a short random backoff.
 */
export async function cloneDatabase(admin: DataSource, template: string, name: string, options: CloneOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    try {
      await admin.query(`CREATE DATABASE ${quoteDatabaseName(name)} TEMPLATE ${quoteDatabaseName(template)}`);
      return;
    } catch (err) {
      const busy = pgErrorCode(err) === '55006' || /being accessed by other users/.test(String(err));
      if (!busy || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 150));
    }
  }
}

/** DROP DATABASE IF EXISTS ... WITH (FORCE): also ends sessions left open on it. */
export async function dropDatabase(admin: DataSource, name: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS ${quoteDatabaseName(name)} WITH (FORCE)`);
}
