export * from './storage.errors';
export * from './storage.service';
export * from './storage.module';
