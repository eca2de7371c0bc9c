import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createLogger, EnvValidationError, loadEnv, PinoNestLogger, setRootLogger } from '@app/core';
import type { EnvDto } from '@app/core';
import { WorkerModule } from './worker.module';

/**
 * Worker process: BullMQ processors and schedules, no public HTTP. SIGTERM/SIGINT close the BullMQ
 * workers (letting active jobs finish, up to WORKER_SHUTDOWN_TIMEOUT_SECONDS) and the context.
 */
async function bootstrap(): Promise<void> {
  let env: EnvDto;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof EnvValidationError) {
      process.stderr.write(`worker: refusing to start.\n${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  const logger = createLogger({ level: env.LOG_LEVEL, pretty: env.LOG_PRETTY, name: 'worker' });
  setRootLogger(logger);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));

  const app = await NestFactory.createApplicationContext(WorkerModule, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  logger.info({ pid: process.pid }, 'worker started');

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'worker stopping: waiting for active jobs');
    const force = setTimeout(() => {
      logger.error({ timeoutSeconds: env.WORKER_SHUTDOWN_TIMEOUT_SECONDS }, 'shutdown timed out: exiting');
      process.exit(1);
    }, env.WORKER_SHUTDOWN_TIMEOUT_SECONDS * 1000);
    force.unref();
    try {
      await app.close();
      logger.info('worker stopped');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', (s) => void shutdown(s));
  process.on('SIGINT', (s) => void shutdown(s));
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`worker: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
