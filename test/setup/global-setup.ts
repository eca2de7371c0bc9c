import 'reflect-metadata';
import './register-aliases';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnv } from '@app/core/config/env.dto';
import { createDataSource } from '@app/database/data-source';
import { quoteDatabaseName, withDatabaseName, withMaintenanceConnection } from '@app/database/database-admin';
import { SeedService } from '@app/database/seed/seed.service';
import { RUN_FILE_ENV_VAR, serverUrl, TEMPLATE_ADMIN, TEMPLATE_ENV_VAR, templateDatabaseName } from '../support/test-db';

/** Serialises template builds of concurrent jest runs on this server (pg_advisory_lock key). */
const TEMPLATE_LOCK_KEY = 7_164_150_001;
const READY = 'cctv test template: migrated and seeded';

/**
 * Prepares the template every test database is cloned from: migrated with the TS migrations and
 * seeded (roles + TEMPLATE_ADMIN). Its name hashes its inputs, so it is rebuilt only when they change
 * (a half-built one is dropped and rebuilt); concurrent runs wait on an advisory lock and share it.
 * Workers learn the template and this run's tracking file through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const base = serverUrl();
  const template = templateDatabaseName();
  const runFile = join(tmpdir(), `cctv-test-run-${process.pid}-${Date.now()}.txt`);
  writeFileSync(runFile, '');
  process.env[TEMPLATE_ENV_VAR] = template;
  process.env[RUN_FILE_ENV_VAR] = runFile;

  await withMaintenanceConnection(base, async (admin) => {
    const lock = admin.createQueryRunner();
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
      const rows: unknown = await lock.query(
        `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
        [template],
      );
      const ready = Array.isArray(rows) && (rows[0] as { comment?: string } | undefined)?.comment === READY;
      if (ready) return;

      await lock.query(`DROP DATABASE IF EXISTS ${quoteDatabaseName(template)} WITH (FORCE)`);
      await lock.query(`CREATE DATABASE ${quoteDatabaseName(template)}`);
      const env = loadEnv();
      const ds = createDataSource(env, { url: withDatabaseName(base, template), applicationName: 'cctv-test-setup' });
      await ds.initialize();
      try {
        await ds.runMigrations({ transaction: 'each' });
        await new SeedService(ds, {
          ADMIN_EMAIL: TEMPLATE_ADMIN.email,
          ADMIN_PASSWORD: TEMPLATE_ADMIN.password,
          BCRYPT_ROUNDS: 4,
          ENCRYPTION_KEY: env.ENCRYPTION_KEY,
        }).run();
      } finally {
        await ds.destroy();
      }
      // Nobody may connect to a template (a session on it blocks every clone); cloning still works.
      await lock.query(`ALTER DATABASE ${quoteDatabaseName(template)} ALLOW_CONNECTIONS false`);
      await lock.query(`COMMENT ON DATABASE ${quoteDatabaseName(template)} IS '${READY}'`);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]).catch(() => undefined);
      await lock.release();
    }
  });
}
