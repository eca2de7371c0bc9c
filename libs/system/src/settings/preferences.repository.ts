import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { UserPreferenceEntity } from '@app/users/entities/user-preference.entity';

export type PreferenceFields = Pick<UserPreferenceEntity, 'theme' | 'gridMode' | 'autoRotate' | 'language' | 'timezone' | 'preferences'>;

@Injectable()
export class PreferencesRepository {
  private readonly repo: Repository<UserPreferenceEntity>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.repo = dataSource.getRepository(UserPreferenceEntity);
  }

  findByUser(userId: string): Promise<UserPreferenceEntity | null> {
    return this.repo.findOneBy({ userId });
  }

  /** Creates the user's row or updates it (one row per user: uq_user_preferences_user_id). */
  async upsert(userId: string, fields: PreferenceFields): Promise<UserPreferenceEntity> {
    await this.dataSource.query(
      `INSERT INTO user_preferences (user_id, theme, grid_mode, auto_rotate, language, timezone, preferences)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
       ON CONFLICT ON CONSTRAINT uq_user_preferences_user_id DO UPDATE SET
         theme = EXCLUDED.theme, grid_mode = EXCLUDED.grid_mode, auto_rotate = EXCLUDED.auto_rotate,
         language = EXCLUDED.language, timezone = EXCLUDED.timezone, preferences = EXCLUDED.preferences, updated_at = now()`,
      [
        userId,
        fields.theme,
        fields.gridMode,
        fields.autoRotate,
        fields.language,
        fields.timezone,
        JSON.stringify(fields.preferences ?? {}),
      ],
    );
    return this.repo.findOneByOrFail({ userId });
  }
}
