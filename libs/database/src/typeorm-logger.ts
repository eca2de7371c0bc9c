import type { Logger as TypeOrmLogger, QueryRunner } from 'typeorm';
import { rootLogger } from '@app/core/logging/logger';

/** TypeORM's messages go to the structured pino log (with the request id), never to the console. */
export class PinoTypeOrmLogger implements TypeOrmLogger {
  constructor(private readonly logQueries: boolean) {}

  logQuery(query: string, parameters?: unknown[], _qr?: QueryRunner): void {
    if (this.logQueries) rootLogger().debug({ query, params: parameters?.length }, 'sql');
  }

  logQueryError(error: string | Error, query: string, _parameters?: unknown[], _qr?: QueryRunner): void {
    if (this.logQueries) rootLogger().warn({ err: typeof error === 'string' ? error : error.message, query }, 'sql failed');
  }

  logQuerySlow(time: number, query: string, _parameters?: unknown[], _qr?: QueryRunner): void {
    rootLogger().warn({ durationMs: time, query: query.slice(0, 500) }, 'slow sql');
  }

  logSchemaBuild(message: string): void {
    rootLogger().debug({ context: 'schema' }, message);
  }

  logMigration(message: string): void {
    rootLogger().info({ context: 'migration' }, message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    const text = message instanceof Error ? message.message : String(message);
    if (level === 'warn') rootLogger().warn({ context: 'typeorm' }, text);
    else rootLogger().debug({ context: 'typeorm' }, text);
  }
}
