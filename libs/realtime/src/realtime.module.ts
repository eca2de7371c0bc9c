import { Global, Module } from '@nestjs/common';
import { RealtimePublisher } from './realtime.publisher';
import { RealtimeSubscriber } from './realtime.subscriber';

/** Realtime events over Redis pub/sub (needs RedisModule). Global: domain services publish from anywhere. */
@Global()
@Module({ providers: [RealtimePublisher, RealtimeSubscriber], exports: [RealtimePublisher, RealtimeSubscriber] })
export class RealtimeModule {}
