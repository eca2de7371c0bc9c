/** Starts the api: one process, or a cluster primary that forks API_WORKERS api processes. */
import 'reflect-metadata';
import cluster from 'node:cluster';
import { EnvValidationError, createLogger, loadEnv, setRootLogger } from '@app/core';
import { apiProcessCount, runClusterPrimary } from './cluster';

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
  const processes = apiProcessCount(env.API_WORKERS);
  if (processes > 1 && cluster.isPrimary) {
    runClusterPrimary(processes, logger);
    return;
  }
  if (cluster.isWorker) {
    // the primary is gone (killed, or crashed): shut down gracefully rather than linger orphaned
    process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  }
  // loaded here, not at the top: the cluster primary never builds the application
  const { createApiApp } = await import('./app.factory.js');
  const app = await createApiApp();
  await app.listen(env.API_PORT, env.API_HOST);
  logger.info({ port: env.API_PORT, docs: `${env.PUBLIC_URL}/docs` }, 'api listening');
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`api failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
