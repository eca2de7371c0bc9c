import 'reflect-metadata';
import { EnvValidationError, createLogger, loadEnv, setRootLogger } from '@app/core';
import { createApiApp } from './app.factory';

async function bootstrap(): Promise<void> {
  let env;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof EnvValidationError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: env.LOG_LEVEL, pretty: env.LOG_PRETTY, name: 'api' });
  setRootLogger(logger);
  const app = await createApiApp();
  await app.listen(env.API_PORT, env.API_HOST);
  logger.info({ port: env.API_PORT, docs: `${env.PUBLIC_URL}/docs` }, 'api listening');
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`api failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
