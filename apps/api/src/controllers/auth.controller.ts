import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { AuthPrincipal, ClientInfo } from '@app/core';
import { SkipAudit } from '@app/audit';
import {
  AuthService,
  Authenticated,
  Client,
  CurrentUser,
  LoginDto,
  LoginResultDto,
  MeDto,
  Public,
  RefreshDto,
  TokenPairDto,
} from '@app/auth';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Log in with email (as `username`) and password: an access token (15 min) and a refresh token (14 days). */
  @Public()
  @SkipAudit()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  login(@Body() dto: LoginDto, @Client() client: ClientInfo): Promise<LoginResultDto> {
    return this.auth.login(dto, client);
  }

  /** Exchange a refresh token for a new pair; the old refresh token stops working (rotation). */
  @Public()
  @SkipAudit()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  refresh(@Body() dto: RefreshDto, @Client() client: ClientInfo): Promise<TokenPairDto> {
    return this.auth.refresh(dto.refreshToken, client);
  }

  /** Revoke the session of this refresh token. */
  @Public()
  @SkipAudit()
  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  async logout(@Body() dto: RefreshDto, @Client() client: ClientInfo): Promise<void> {
    await this.auth.logout(dto.refreshToken, client);
  }

  /** The signed-in user and their effective permissions. */
  @Authenticated()
  @Get('me')
  me(@CurrentUser() user: AuthPrincipal): Promise<MeDto> {
    return this.auth.me(user);
  }
}
