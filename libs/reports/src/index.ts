export * from './csv';
export * from './html';
export * from './chromium.client';
export * from './reports.module';
