export * from './realtime-gateway.module';
export * from './events.gateway';
export * from './ws-clients';
export * from './ws-auth.service';
export * from './ws-protocol';
