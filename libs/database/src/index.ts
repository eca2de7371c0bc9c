export * from './transformers';
export * from './entities';
export * from './data-source';
export * from './database.module';
export * from './transaction';
export * from './seed/seed.service';
export * from './database-admin';
export * from './prepared';
