import { Injectable } from '@nestjs/common';
import { type AuthPrincipal, EnvDto, notFound, serviceUnavailable, unprocessable } from '@app/core';
import { JobsProducer } from '@app/queue';
import { StorageService } from '@app/storage';
import { ExportsRepository } from './exports.repository';
import { AttendanceRepository } from './attendance.repository';
import { Clock } from './clock';
import { toLogFilter } from './attendance.service';
import type { ExportJobEntity } from './entities/export-job.entity';
import { LogFiltersDto } from './dto/attendance.dto';
import { CreateExportDto, ExportAcceptedDto, ExportDto } from './dto/export.dto';

/** How long a finished export (and its presigned URL) lives: 7 days, the SigV4 maximum. */
export const EXPORT_TTL_SECONDS = 7 * 24 * 3600;

/** The stored form of an export's filters: only the keys that were given. */
export function storedFilters(f: LogFiltersDto | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['search', 'cameraId', 'dateFrom', 'dateTo', 'odooStatus', 'status', 'source'] as const) {
    const v = f?.[key];
    if (typeof v === 'string' && v.length > 0) out[key] = v;
  }
  return out;
}

const isAdmin = (p: AuthPrincipal): boolean => p.permissions.includes('*');

/**
 * Export requests (api side): an export_jobs row plus an 'export-attendance' job whose de-duplication
 * id is the export id (a retried or restarted job rewrites the same export). Reads give status and a
 * fresh presigned URL to the owner (or an admin); other users get 404.
 */
@Injectable()
export class ExportsService {
  constructor(
    private readonly repo: ExportsRepository,
    private readonly logs: AttendanceRepository,
    private readonly jobs: JobsProducer,
    private readonly storage: StorageService,
    private readonly clock: Clock,
    private readonly env: EnvDto,
  ) {}

  async request(dto: CreateExportDto, actor: AuthPrincipal): Promise<ExportAcceptedDto> {
    const filter = toLogFilter(dto.filters ?? {});
    if (dto.format === 'pdf') {
      const rows = await this.logs.countLogs(filter);
      if (rows > this.env.EXPORT_PDF_MAX_ROWS) {
        throw unprocessable(
          `A PDF export holds at most ${this.env.EXPORT_PDF_MAX_ROWS} rows (${rows} match): narrow the filters or export CSV`,
          {
            rows,
            limit: this.env.EXPORT_PDF_MAX_ROWS,
          },
        );
      }
    }
    const row = await this.repo.create({
      userId: actor.userId,
      type: 'attendance',
      format: dto.format,
      filters: storedFilters(dto.filters),
    });
    let jobId: string;
    try {
      jobId = await this.jobs.enqueue('export-attendance', { exportId: row.id }, { jobId: row.id });
    } catch (err) {
      await this.repo.fail(row.id, 'The job queue is unavailable', true);
      throw serviceUnavailable('The job queue is unavailable: the export was not started', {
        exportId: row.id,
        cause: (err as Error).message,
      });
    }
    await this.repo.setJobId(row.id, jobId);
    return { jobId, exportId: row.id, status: 'queued' };
  }

  async get(id: string, actor: AuthPrincipal): Promise<ExportDto> {
    const row = await this.repo.findById(id);
    if (!row || (row.userId !== actor.userId && !isAdmin(actor))) throw notFound('Export', id);
    return this.toDto(row);
  }

  private async toDto(e: ExportJobEntity): Promise<ExportDto> {
    let downloadUrl: string | null = null;
    if (e.status === 'completed' && e.s3Key) {
      const left = e.expiresAt ? Math.floor((e.expiresAt.getTime() - this.clock.now().getTime()) / 1000) : EXPORT_TTL_SECONDS;
      if (left > 0) {
        downloadUrl = await this.storage.presignedGetUrl(e.s3Key, Math.min(EXPORT_TTL_SECONDS, left), {
          downloadName: exportFileName(e),
        });
      }
    }
    return {
      id: e.id,
      type: e.type,
      format: e.format,
      status: e.status,
      progress: e.progress,
      rowCount: e.rowCount,
      filters: e.filters,
      errorMessage: e.errorMessage,
      jobId: e.bullmqJobId,
      createdAt: e.createdAt.toISOString(),
      completedAt: e.completedAt ? e.completedAt.toISOString() : null,
      expiresAt: e.expiresAt ? e.expiresAt.toISOString() : null,
      downloadUrl,
    };
  }
}

/** File name offered to browsers: attendance-<created date>-<short id>.<ext>. */
export function exportFileName(e: Pick<ExportJobEntity, 'id' | 'format' | 'createdAt' | 'type'>): string {
  return `${e.type}-${e.createdAt.toISOString().slice(0, 10)}-${e.id.slice(0, 8)}.${e.format}`;
}
