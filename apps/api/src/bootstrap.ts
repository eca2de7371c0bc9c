import 'reflect-metadata';
import cluster from 'node:cluster';
import { setFlagsFromString } from 'node:v8';
import { EnvValidationError, createLogger, loadEnv, setRootLogger } from '@app/core';
import { apiProcessCount, runClusterPrimary } from './cluster';

async function bootstrap(): Promise<void> {
  // Before the application is loaded: V8 must not pretenure allocation sites. Sites that Nest's start-up
  // runs are judged long-lived and pretenured, some of them also allocate per request, and their objects
  // then keep each request's young objects alive until they are promoted (7-11 % of what an
  // authenticated request allocates; 0.1 % without). The promoted garbage forces full GCs, and those
  // were the p99 tail of bench/auth.bench.ts. Long-lived objects still reach the old generation, by
  // surviving two scavenges.
  setFlagsFromString('--no-allocation-site-pretenuring');
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
