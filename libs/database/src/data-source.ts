import { DataSource, type DataSourceOptions } from 'typeorm';
import type { EnvDto } from '@app/core/config/env.dto';
// migrations/ sits at the repository root, outside every library: no alias reaches it.
import { MIGRATIONS } from '../../../migrations';
import { ALL_ENTITIES } from './entities';
import { PinoTypeOrmLogger } from './typeorm-logger';

/** The part of the env the DataSource needs (tests can pass just these). */
export type DatabaseEnv = Pick<EnvDto, 'DATABASE_URL' | 'DATABASE_POOL_SIZE' | 'DATABASE_LOG_QUERIES'>;

export interface DataSourceExtras {
  /** Shown in pg_stat_activity; defaults to 'cctv-attendance'. */
  applicationName?: string;
  /** Overrides env.DATABASE_URL (test databases, db:create). */
  url?: string;
}

/**
 * The one set of options for the api, the worker, the cli and the tests. Schema changes only
 * through migrations: synchronize and migrationsRun stay off.
 */
export function buildDataSourceOptions(env: DatabaseEnv, extras: DataSourceExtras = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url: extras.url ?? env.DATABASE_URL,
    applicationName: extras.applicationName ?? 'cctv-attendance',
    entities: [...ALL_ENTITIES],
    migrations: [...MIGRATIONS],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    // gen_random_uuid() is built into PostgreSQL >= 13: no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    // Failed queries surface as exceptions (logged where handled); expected conflicts such as a
    // unique violation caught by a repository must not flood the log.
    logging: env.DATABASE_LOG_QUERIES ? ['query', 'error', 'warn'] : ['warn'],
    logger: new PinoTypeOrmLogger(env.DATABASE_LOG_QUERIES),
    maxQueryExecutionTime: 1000,
    // a dead or hung server fails requests within seconds (503) instead of holding them
    extra: { max: env.DATABASE_POOL_SIZE, connectionTimeoutMillis: 5000, statement_timeout: 60_000 },
  };
}

/** A DataSource, not yet initialised. */
export function createDataSource(env: DatabaseEnv, extras: DataSourceExtras = {}): DataSource {
  return new DataSource(buildDataSourceOptions(env, extras));
}
