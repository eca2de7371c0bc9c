import { Injectable } from '@nestjs/common';
import { UserPreferenceEntity } from '@app/users/entities/user-preference.entity';
import { DEFAULT_LANGUAGE, LANGUAGES } from './languages';
import { canonicalTimeZone, supportedTimeZones, zoneOffset } from './timezones';
import { LanguageDto, PreferencesDto, TimeZoneDto, UpdatePreferencesDto } from './settings.dto';
import { PreferenceFields, PreferencesRepository } from './preferences.repository';

/** What a user without a stored row gets (the column defaults of user_preferences). */
export const DEFAULT_PREFERENCES: PreferenceFields = {
  theme: 'dark',
  gridMode: '3x3',
  autoRotate: true,
  language: DEFAULT_LANGUAGE,
  timezone: 'UTC',
  preferences: {},
};

function view(p: PreferenceFields, updatedAt: Date | null): PreferencesDto {
  return {
    theme: p.theme,
    gridMode: p.gridMode,
    autoRotate: p.autoRotate,
    language: p.language,
    timezone: p.timezone,
    preferences: p.preferences ?? {},
    updatedAt: updatedAt ? updatedAt.toISOString() : null,
  };
}

/** Languages, time zones and each user's own preferences. */
@Injectable()
export class SettingsService {
  constructor(private readonly repo: PreferencesRepository) {}

  languages(): LanguageDto[] {
    return LANGUAGES.map((l) => ({ ...l }));
  }

  /** Every IANA zone of the runtime with its current offset, by name. */
  timezones(now = new Date()): TimeZoneDto[] {
    return supportedTimeZones().map((id) => {
      const { offset, minutes } = zoneOffset(id, now);
      return { id, offset, offsetMinutes: minutes };
    });
  }

  async preferences(userId: string): Promise<PreferencesDto> {
    const row = await this.repo.findByUser(userId);
    return row ? view(row, row.updatedAt) : view(DEFAULT_PREFERENCES, null);
  }

  async update(userId: string, dto: UpdatePreferencesDto): Promise<PreferencesDto> {
    const current: PreferenceFields = (await this.repo.findByUser(userId)) ?? DEFAULT_PREFERENCES;
    const next: PreferenceFields = {
      theme: dto.theme ?? current.theme,
      gridMode: dto.gridMode ?? current.gridMode,
      autoRotate: dto.autoRotate ?? current.autoRotate,
      language: dto.language ?? current.language,
      timezone: dto.timezone !== undefined ? (canonicalTimeZone(dto.timezone) ?? dto.timezone) : current.timezone,
      preferences: dto.preferences ?? current.preferences ?? {},
    };
    const row: UserPreferenceEntity = await this.repo.upsert(userId, next);
    return view(row, row.updatedAt);
  }
}
