import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigModule } from '@app/core/config/config.module';
import { EnvDto } from '@app/core/config/env.dto';
import { buildDataSourceOptions } from './data-source';

export interface DatabaseModuleOptions {
  /** Shown in pg_stat_activity, e.g. 'cctv-api' or 'cctv-worker'. */
  applicationName?: string;
}

/**
 * The TypeORM DataSource of both apps, from the same options as the cli and the tests.
 * Feature libraries get repositories with `TypeOrmModule.forFeature([...])` or inject `DataSource`.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions = {}): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          imports: [ConfigModule],
          inject: [EnvDto],
          useFactory: (env: EnvDto) => ({
            ...buildDataSourceOptions(env, { applicationName: options.applicationName }),
            // Fail fast when PostgreSQL is down instead of the default 10 x 3 s.
            retryAttempts: 3,
            retryDelay: 1000,
          }),
        }),
      ],
      exports: [TypeOrmModule],
    };
  }
}
