import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { conflict, rootLogger, unprocessable } from '@app/core';
import { isUniqueViolation } from '@app/database';
import { CamerasRepository } from './cameras.repository';
import { CamerasService, monitoringOf, type MonitoringState } from './cameras.service';
import { CAMERA_ID_PATTERN } from './camera-id';
import { CameraEntity, type CameraStreamType } from './entities/camera.entity';
import type { CreateCameraDto } from './dto/camera.dto';
import {
  CAMERA_EXPORT_VERSION,
  CameraExportDto,
  CameraImportDto,
  CameraImportQueryDto,
  CameraImportReportDto,
  CameraImportRowDto,
  EXPORT_NOTE,
  ImportIssueDto,
} from './dto/camera-transfer.dto';

interface PlannedCreate {
  row: number;
  dto: CameraImportRowDto;
  plainUrl: string;
}

interface PlannedUpdate {
  row: number;
  camera: CameraEntity;
  dto: CameraImportRowDto;
  before: MonitoringState;
}

const REQUIRED_FOR_NEW = ['name', 'location', 'streamType', 'streamUrl'] as const;

function issues(errors: ValidationError[], parent = ''): ImportIssueDto[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    return [...Object.values(e.constraints ?? {}).map((issue) => ({ field, issue })), ...issues(e.children ?? [], field)];
  });
}

/**
 * Camera export and import (JSON). Export masks every stream URL. Import validates the whole file
 * first (each row like a request body, plus ids, duplicates and stream URLs against the database)
 * and then writes all rows in one transaction, or none: with rejected rows nothing is written unless
 * `partial` was asked for. `dryRun` reports without writing.
 */
@Injectable()
export class CameraTransferService {
  private readonly log = rootLogger().child({ context: 'CameraTransfer' });

  constructor(
    private readonly repo: CamerasRepository,
    private readonly cameras: CamerasService,
  ) {}

  async export(now = new Date()): Promise<CameraExportDto> {
    const rows = await this.repo.listAll();
    return {
      version: CAMERA_EXPORT_VERSION,
      exportedAt: now.toISOString(),
      note: EXPORT_NOTE,
      cameras: rows.map((c) => ({
        id: c.id,
        name: c.name,
        location: c.location,
        streamType: c.streamType,
        streamUrl: c.streamUrlMasked,
        enabled: c.enabled,
        ipAddress: c.ipAddress,
        tags: c.tags ?? [],
        rtspTransport: c.rtspTransport,
        sampleIntervalMs: c.sampleIntervalMs,
        samplingEnabled: c.samplingEnabled,
        timezone: c.timezone,
      })),
    };
  }

  async import(body: CameraImportDto, q: CameraImportQueryDto): Promise<CameraImportReportDto> {
    const dryRun = q.dryRun ?? false;
    const partial = q.partial ?? false;
    const report: CameraImportReportDto = {
      dryRun,
      partial,
      applied: false,
      total: body.cameras.length,
      created: [],
      updated: [],
      rejected: [],
    };
    const reject = (row: number, id: unknown, reasons: ImportIssueDto[]): void => {
      report.rejected.push({ row, id: typeof id === 'string' && id !== '' ? id.slice(0, 50) : null, reasons });
    };

    // 1. Each row on its own, like a request body.
    const parsed: Array<{ row: number; dto: CameraImportRowDto }> = [];
    for (const [row, raw] of body.cameras.entries()) {
      const dto = plainToInstance(CameraImportRowDto, raw);
      const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
      if (errors.length > 0) reject(row, raw.id, issues(errors));
      else parsed.push({ row, dto });
    }

    const updatedCameras: PlannedUpdate[] = [];
    const write = this.repo.transaction(async (m) => {
      // 2. Against the database and the rest of the file.
      const ids = [...new Set(parsed.map((p) => p.dto.id).filter((id): id is string => !!id))];
      const existing = new Map((await this.repo.findExisting(ids, m)).map((c) => [c.id, c]));
      const seen = new Map<string, number>();
      const creates: PlannedCreate[] = [];
      for (const { row, dto } of parsed) {
        if (dto.id) {
          const first = seen.get(dto.id);
          if (first !== undefined) {
            reject(row, dto.id, [{ field: 'id', issue: `duplicate of row ${first} in this file` }]);
            continue;
          }
          seen.set(dto.id, row);
        }
        const camera = dto.id ? existing.get(dto.id) : undefined;
        if (camera?.deletedAt) {
          reject(row, dto.id, [{ field: 'id', issue: 'belongs to a deleted camera whose history still refers to it' }]);
          continue;
        }
        if (camera) {
          const type = (dto.streamType ?? camera.streamType) as CameraStreamType;
          const problem = this.cameras.urlProblem(type, dto.streamUrl, camera);
          if (problem) reject(row, dto.id, [{ field: 'streamUrl', issue: problem }]);
          else updatedCameras.push({ row, camera, dto, before: monitoringOf(camera) });
          continue;
        }
        const missing = REQUIRED_FOR_NEW.filter((f) => dto[f] === undefined || dto[f] === null);
        if (missing.length > 0) {
          reject(
            row,
            dto.id,
            missing.map((field) => ({ field, issue: `${field} is required for a new camera` })),
          );
          continue;
        }
        if (dto.id && !CAMERA_ID_PATTERN.test(dto.id)) {
          reject(row, dto.id, [{ field: 'id', issue: 'must be 1-50 letters, digits, - or _' }]);
          continue;
        }
        const problem = this.cameras.urlProblem(dto.streamType as CameraStreamType, dto.streamUrl, null);
        if (problem) {
          reject(row, dto.id, [{ field: 'streamUrl', issue: problem }]);
          continue;
        }
        creates.push({ row, dto, plainUrl: dto.streamUrl as string });
      }
      report.rejected.sort((a, b) => a.row - b.row);

      // 3. Ids for new cameras without one (reserved under the id lock until commit).
      const explicit = creates.map((c) => c.dto.id).filter((id): id is string => !!id);
      const generated = await this.repo.nextIds(creates.filter((c) => !c.dto.id).length, m, explicit);
      for (const c of creates) c.dto.id ??= generated.shift();
      report.created = creates.map((c) => ({ row: c.row, id: c.dto.id as string }));
      report.updated = updatedCameras.map((u) => ({ row: u.row, id: u.camera.id }));

      if (report.rejected.length > 0 && !partial) {
        throw unprocessable(
          `${report.rejected.length} of ${report.total} rows are invalid; nothing was imported (ask for partial import to import the valid rows)`,
          report,
        );
      }
      if (dryRun) return;

      // 4. Write.
      const repo = m.getRepository(CameraEntity);
      if (creates.length > 0) {
        await repo.insert(creates.map((c) => this.cameras.newCameraData(c.dto as CreateCameraDto, c.plainUrl)));
      }
      for (const u of updatedCameras) {
        const url = this.cameras.resolveUrl((u.dto.streamType ?? u.camera.streamType) as CameraStreamType, u.dto.streamUrl, u.camera);
        this.cameras.applyFields(u.camera, u.dto, url);
        await this.repo.save(u.camera, m);
      }
      report.applied = true;
    });
    await write.catch((err: unknown) => {
      if (isUniqueViolation(err)) throw conflict('A camera id of the file was created meanwhile by someone else; nothing was imported');
      throw err;
    });

    if (report.applied) {
      for (const u of updatedCameras) await this.cameras.afterMonitoringChange(u.camera, u.before);
      await this.cameras.invalidateCache();
    }
    this.log.info(
      {
        dryRun,
        partial,
        applied: report.applied,
        created: report.created.length,
        updated: report.updated.length,
        rejected: report.rejected.length,
      },
      'cameras imported',
    );
    return report;
  }
}
