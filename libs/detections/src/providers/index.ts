export * from './redact';
export * from './image-size';
export { CallHistory, DEFAULT_DEGRADED_AFTER_MS, DEFAULT_TIMEOUT_MS, type ProviderRequest, type ProviderResponse } from './provider-http';
export * from './http-provider.client';
export * from './compreface.client';
export * from './codeproject.client';
export * from './provider-factory';
