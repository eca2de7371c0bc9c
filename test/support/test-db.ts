import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadEnv } from '@app/core/config/env.dto';
import { cloneDatabase, dropDatabase, withDatabaseName, withMaintenanceConnection } from '@app/database/database-admin';

/**
 * Every integration/e2e test file gets its own database, cloned from a template that global-setup
 * migrated and seeded once (`CREATE DATABASE x TEMPLATE y`), so files run in parallel and start clean.
 *
 *   const db = await createTestDatabase();   // { name, url, drop() }
 *   ... createDataSource(env, { url: db.url }) or DATABASE_URL = db.url ...
 *   await db.drop();
 *
 * Names created are appended to a file of this run (CCTV_TEST_RUN_FILE) so that global-teardown
 * drops whatever a test forgot to drop, and only that.
 */

export interface TestDatabase {
  name: string;
  url: string;
  /** Drops the database (closing any session still on it). Safe to call twice. */
  drop(): Promise<void>;
}

/** The admin the template is seeded with (the env defaults; see test/support/test-app.ts ADMIN). */
export const TEMPLATE_ADMIN = { email: 'admin@example.com', password: 'admin12345' } as const;

export const TEMPLATE_ENV_VAR = 'CCTV_TEST_TEMPLATE_DB';
export const RUN_FILE_ENV_VAR = 'CCTV_TEST_RUN_FILE';
/** Every database these helpers create starts with this prefix. */
export const TEST_DB_PREFIX = 'cctv_test_';

/** The server coordinates come from DATABASE_URL; only the database name changes. */
export function serverUrl(): string {
  return loadEnv().DATABASE_URL;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env[TEMPLATE_ENV_VAR];
  if (!template) {
    throw new Error(
      `${TEMPLATE_ENV_VAR} is not set: createTestDatabase() needs the e2e jest project's globalSetup (test/setup/global-setup.ts)`,
    );
  }
  const name = `${TEST_DB_PREFIX}${process.pid}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const base = serverUrl();
  trackDatabase(name);
  await withMaintenanceConnection(base, (admin) => cloneDatabase(admin, template, name));
  let dropped = false;
  return {
    name,
    url: withDatabaseName(base, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withMaintenanceConnection(base, (admin) => dropDatabase(admin, name));
    },
  };
}

/** Record a database name in this run's file (one name per line). */
export function trackDatabase(name: string): void {
  const file = process.env[RUN_FILE_ENV_VAR];
  if (file) appendFileSync(file, `${name}\n`);
}

/**
 * The template's name: stable for as long as its inputs (migrations, seed code, roles) do not
 * change, so concurrent and successive runs share one template instead of dropping each other's.
 */
export function templateDatabaseName(root = process.cwd()): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(TEMPLATE_ADMIN));
  for (const input of ['migrations', 'libs/database/src/seed', 'libs/auth/src/permissions.ts']) {
    for (const file of listFiles(join(root, input))) {
      hash.update(relative(root, file));
      hash.update(readFileSync(file));
    }
  }
  return `${TEST_DB_PREFIX}template_${hash.digest('hex').slice(0, 12)}`;
}

function listFiles(path: string): string[] {
  if (!existsSync(path)) throw new Error(`Template input missing: ${path} (run jest from the repository root)`);
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((entry) => listFiles(join(path, entry)));
}
