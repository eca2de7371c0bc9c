import { DynamicModule, Module, ModuleMetadata, Type } from '@nestjs/common';
import { EnvDto, rootLogger } from '@app/core';
import { RealtimeModule } from '@app/realtime';
import { EventsGateway } from './events.gateway';
import { ClientRegistry } from './ws-clients';
import { WS_PRINCIPAL_RESOLVER, WsAuthService, WsPrincipalResolver } from './ws-auth.service';

/**
 * The WebSocket endpoint `/ws` of the api. Import into the AppModule (with ConfigModule and
 * RedisModule) and use the ws adapter: `app.useWebSocketAdapter(new WsAdapter(app))`.
 * To check users against the database on connect, provide WS_PRINCIPAL_RESOLVER.
 */
@Module({
  imports: [RealtimeModule],
  providers: [
    {
      provide: ClientRegistry,
      useFactory: (env: EnvDto): ClientRegistry =>
        new ClientRegistry({
          maxBufferedBytes: env.WS_MAX_BUFFERED_BYTES,
          logger: rootLogger().child({ context: 'ClientRegistry' }),
        }),
      inject: [EnvDto],
    },
    WsAuthService,
    EventsGateway,
  ],
  exports: [ClientRegistry],
})
export class RealtimeGatewayModule {
  /** Same module, with a resolver that checks each connecting user (e.g. against the users table). */
  static withPrincipalResolver(resolver: Type<WsPrincipalResolver>, imports: NonNullable<ModuleMetadata['imports']> = []): DynamicModule {
    return {
      module: RealtimeGatewayModule,
      imports,
      providers: [resolver, { provide: WS_PRINCIPAL_RESOLVER, useExisting: resolver }],
    };
  }
}
