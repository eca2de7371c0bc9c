import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { AuthPrincipal } from '@app/core';
import { Authenticated, CurrentUser } from '@app/auth';
import { LanguageDto, PreferencesDto, SettingsService, TimeZoneDto, UpdatePreferencesDto } from '@app/system';

@ApiTags('settings')
@Controller('i18n')
export class I18nController {
  constructor(private readonly settings: SettingsService) {}

  /** UI languages a user can choose. */
  @Authenticated()
  @Get('languages')
  languages(): LanguageDto[] {
    return this.settings.languages();
  }
}

@ApiTags('settings')
@Controller('settings')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  /** IANA time zones of the runtime with their current UTC offset. */
  @Authenticated()
  @Get('timezones')
  timezones(): TimeZoneDto[] {
    return this.settings.timezones();
  }

  /** Your preferences (the defaults until you change them). */
  @Authenticated()
  @Get('preferences')
  preferences(@CurrentUser() user: AuthPrincipal): Promise<PreferencesDto> {
    return this.settings.preferences(user.userId);
  }

  /** Change your preferences: given fields replace the stored ones (`preferences` as a whole), others stay. */
  @Authenticated()
  @Put('preferences')
  update(@CurrentUser() user: AuthPrincipal, @Body() dto: UpdatePreferencesDto): Promise<PreferencesDto> {
    return this.settings.update(user.userId, dto);
  }
}
