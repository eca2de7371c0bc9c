import { DynamicModule, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import type { QueueOptions } from 'bullmq';
import { EnvDto } from '@app/core';
import { JobsProducer } from './jobs.producer';
import { bullPrefix, QUEUE_NAMES } from './queue.constants';

/** Shared BullMQ options: the Redis of REDIS_URL, keys under `<REDIS_PREFIX>:bull`. */
export function bullOptions(env: EnvDto): QueueOptions {
  return {
    // BullMQ wants maxRetriesPerRequest null (blocking commands); JobsProducer times out on its own.
    connection: { url: env.REDIS_URL, maxRetriesPerRequest: null },
    prefix: bullPrefix(env.REDIS_PREFIX),
  };
}

/**
 * BullMQ for both apps: the shared connection, every queue of the catalogue registered, and the one
 * JobsProducer. Global: import `QueueModule.forRoot()` once in each app module.
 */
@Module({})
export class QueueModule {
  static forRoot(): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      imports: [
        BullModule.forRootAsync({ useFactory: (env: EnvDto) => bullOptions(env), inject: [EnvDto] }),
        BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
      ],
      providers: [JobsProducer],
      exports: [JobsProducer, BullModule],
    };
  }
}
