import { Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AllExceptionsFilter, ConfigModule, EnvelopeInterceptor, RedisModule, createValidationPipe } from '@app/core';
import { DatabaseModule } from '@app/database';
import { StorageModule } from '@app/storage';
import { AuditInterceptor, AuditModule } from '@app/audit';
import { AuthModule } from '@app/auth';
import { UsersModule } from '@app/users';
import { QueueModule } from '@app/queue';
import { RealtimeModule } from '@app/realtime';
import { AlertsModule } from '@app/alerts';
import { HealthService } from '@app/system/health/health.service';
import { AuthController } from './controllers/auth.controller';
import { RolesController, UsersController } from './controllers/users.controller';
import { AuditController } from './controllers/audit.controller';
import { HealthController } from './controllers/health.controller';
import { JobsController } from './controllers/jobs.controller';
import { RealtimeGatewayModule } from './gateway/realtime-gateway.module';
import { WsUserResolver } from './gateway/ws-user.resolver';
import { FEATURE_MODULES } from './feature-modules';

/** Platform modules shared by every feature of the api. */
export const PLATFORM_MODULES = [
  ConfigModule,
  RedisModule,
  DatabaseModule.forRoot(),
  StorageModule,
  QueueModule.forRoot(),
  RealtimeModule,
  AuditModule,
  AlertsModule,
  AuthModule,
  RealtimeGatewayModule.withPrincipalResolver(WsUserResolver, [UsersModule]),
];

@Module({
  imports: [...PLATFORM_MODULES, ...FEATURE_MODULES],
  controllers: [AuthController, UsersController, RolesController, AuditController, HealthController, JobsController],
  providers: [
    HealthService,
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    // Interceptors run outside-in: the envelope wraps what the audit interceptor passes through.
    { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
    { provide: APP_INTERCEPTOR, useExisting: AuditInterceptor },
  ],
})
export class AppModule {}
