import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { RateLimiter } from '@app/core';
import { UsersModule } from '@app/users';
import { AuthService } from './auth.service';
import { TokenService } from './token.service';
import { JwtStrategy } from './jwt.strategy';
import { ActivityTracker } from './activity.tracker';
import { JwtAuthGuard, PermissionsGuard, RateLimitGuard } from './guards';

/**
 * Authentication and the three global guards, in order: rate limit (per user or IP), JWT (skips
 * @Public), permission (the route's declared rule; routes without one are refused).
 */
@Module({
  imports: [UsersModule, PassportModule, JwtModule.register({})],
  providers: [
    AuthService,
    TokenService,
    JwtStrategy,
    ActivityTracker,
    RateLimiter,
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: PermissionsGuard },
  ],
  exports: [AuthService, TokenService, RateLimiter, UsersModule],
})
export class AuthModule {}
