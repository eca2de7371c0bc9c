import { Global, Module } from '@nestjs/common';
import { EnvDto, loadEnv } from './env.dto';

/** Provides the validated EnvDto (injected by its class) to every module of both apps. */
@Global()
@Module({
  providers: [{ provide: EnvDto, useFactory: (): EnvDto => loadEnv() }],
  exports: [EnvDto],
})
export class ConfigModule {}
