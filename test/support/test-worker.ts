import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { WorkerModule } from '../../apps/worker/src/worker.module';

/**
 * Boots the real worker (every processor and schedule of apps/worker) in this test process, against
 * the environment a createTestApp() call set up (same database, Redis prefix and S3 server).
 * For crash tests, run the built worker as a child process instead (dist/apps/worker/src/main.js
 * with TestContext.env).
 */
export async function createTestWorker(): Promise<INestApplicationContext> {
  const ctx = await NestFactory.createApplicationContext(WorkerModule, { logger: false, abortOnError: false });
  await ctx.init();
  return ctx;
}
