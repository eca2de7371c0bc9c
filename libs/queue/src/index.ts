export * from './queue.constants';
export * from './job-payloads';
export * from './jobs.producer';
export * from './queue.module';
