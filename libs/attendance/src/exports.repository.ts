import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { ExportFormat, ExportJobEntity } from './entities/export-job.entity';
import { returned } from './attendance.repository';

/** export_jobs rows: the state of each CSV/PDF export. Transitions are conditional updates. */
@Injectable()
export class ExportsRepository {
  readonly exports: Repository<ExportJobEntity>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.exports = dataSource.getRepository(ExportJobEntity);
  }

  create(row: { userId: string | null; type: string; format: ExportFormat; filters: Record<string, unknown> }): Promise<ExportJobEntity> {
    return this.exports.save(this.exports.create({ ...row, status: 'queued', progress: 0 }));
  }

  findById(id: string): Promise<ExportJobEntity | null> {
    return this.exports.findOneBy({ id });
  }

  async setJobId(id: string, jobId: string): Promise<void> {
    await this.exports.update({ id }, { bullmqJobId: jobId });
  }

  /** queued/processing/failed -> processing (a retry or a restarted worker starts over). False once completed. */
  async start(id: string): Promise<boolean> {
    const rows = returned<{ id: string }>(
      await this.dataSource.query(
        `UPDATE export_jobs SET status = 'processing', progress = 0, error_message = NULL, updated_at = now()
          WHERE id = $1 AND status <> 'completed' RETURNING id`,
        [id],
      ),
    );
    return rows.length > 0;
  }

  async progress(id: string, percent: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE export_jobs SET progress = $2, updated_at = now() WHERE id = $1 AND status = 'processing' AND progress <> $2`,
      [id, Math.max(0, Math.min(100, Math.round(percent)))],
    );
  }

  /** processing -> completed, once: false when another run already completed it. */
  async complete(id: string, r: { s3Key: string; rowCount: number; downloadUrl: string; expiresAt: Date }): Promise<boolean> {
    const rows = returned<{ id: string }>(
      await this.dataSource.query(
        `UPDATE export_jobs
            SET status = 'completed', progress = 100, s3_key = $2, row_count = $3, download_url = $4,
                expires_at = $5, completed_at = now(), error_message = NULL, updated_at = now()
          WHERE id = $1 AND status <> 'completed' RETURNING id`,
        [id, r.s3Key, r.rowCount, r.downloadUrl, r.expiresAt],
      ),
    );
    return rows.length > 0;
  }

  /** Records a failed attempt: back to 'queued' when a retry follows, else 'failed'. False once completed. */
  async fail(id: string, message: string, final: boolean): Promise<boolean> {
    const rows = returned<{ id: string }>(
      await this.dataSource.query(
        `UPDATE export_jobs SET status = $2, error_message = $3, updated_at = now()
          WHERE id = $1 AND status <> 'completed' RETURNING id`,
        [id, final ? 'failed' : 'queued', message.slice(0, 2000)],
      ),
    );
    return rows.length > 0;
  }
}
