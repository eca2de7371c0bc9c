export * from './realtime.events';
export * from './realtime.publisher';
export * from './realtime.subscriber';
export * from './realtime.module';
