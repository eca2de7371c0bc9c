import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { UserPreferenceEntity } from '@app/users/entities/user-preference.entity';

export type PreferenceFields = Pick<UserPreferenceEntity, 'theme' | 'gridMode' | 'autoRotate' | 'language' | 'timezone' | 'preferences'>;

@Injectable()
export class PreferencesRepository {
  private readonly repo: Repository<UserPreferenceEntity>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.repo = dataSource.getRepository(UserPreferenceEntity);
  }

  findByUser(userId: string): Promise<UserPreferenceEntity | null> {
    return this.repo.findOneBy({ userId });
  }

  /** Creates the user's row or updates it (one row per user: uq_user_preferences_user_id). */
  async upsert(userId: string, fields: PreferenceFields): Promise<UserPreferenceEntity> {
    await this.repo.upsert({ userId, ...fields }, { conflictPaths: ['userId'], skipUpdateIfNoValuesChanged: false });
    return this.repo.findOneByOrFail({ userId });
  }
}
