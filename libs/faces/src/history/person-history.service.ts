import { Injectable } from '@nestjs/common';
import { EnvDto, Paginated, badRequest, pageWindow } from '@app/core';
import { StorageService } from '@app/storage';
import { PersonHistoryEntryDto, PersonHistoryQueryDto } from '../dto/history.dto';
import { EMPLOYEE_ID_PATTERN } from '../dto/face.dto';
import { PersonHistoryRepository, type HistoryKind, type HistoryRow } from './person-history.repository';

/** Lifetime of thumbnail URLs in history answers. */
const THUMBNAIL_URL_SECONDS = 900;

/** GET /history/person/{employeeId}: a person's detections and attendance, newest first. */
@Injectable()
export class PersonHistoryService {
  private readonly timeZone: string;

  constructor(
    env: EnvDto,
    private readonly repo: PersonHistoryRepository,
    private readonly storage: StorageService,
  ) {
    this.timeZone = isValidTimeZone(env.SITE_TIMEZONE) ? env.SITE_TIMEZONE : 'UTC';
  }

  async person(employeeId: string, q: PersonHistoryQueryDto): Promise<Paginated<PersonHistoryEntryDto>> {
    if (!EMPLOYEE_ID_PATTERN.test(employeeId)) {
      throw badRequest('employeeId must be 1-50 letters, digits, ".", "_" or "-"', [{ field: 'employeeId', issue: 'invalid' }]);
    }
    if (q.from && q.to && q.from.getTime() > q.to.getTime()) {
      throw badRequest('from must not be after to', [{ field: 'from', issue: 'after to' }]);
    }
    const { page, pageSize, skip, take } = pageWindow(q);
    const kinds: HistoryKind[] = !q.kind || q.kind === 'all' ? ['detection', 'attendance'] : [q.kind];
    const [rows, total] = await this.repo.page({ employeeId, kinds, from: q.from, to: q.to, timeZone: this.timeZone, skip, take });
    const items = await Promise.all(rows.map((r) => this.toDto(employeeId, r)));
    return Paginated.of(items, total, page, pageSize);
  }

  private async toDto(employeeId: string, r: HistoryRow): Promise<PersonHistoryEntryDto> {
    const base: PersonHistoryEntryDto = {
      kind: r.kind,
      id: r.id,
      timestamp: new Date(r.ts).toISOString(),
      employeeId,
      name: r.name,
      cameraId: r.camera_id,
      cameraName: r.camera_name,
      status: r.status,
      confidence: r.score === null ? null : Number(r.score),
    };
    if (r.kind === 'detection') {
      base.detection = {
        trackId: r.track_id,
        boundingBox: r.bounding_box,
        thumbnail: await this.thumbnailUrl(r.thumbnail),
      };
    } else {
      base.attendance = {
        date: r.date ?? '',
        timeIn: r.time_in,
        timeOut: r.time_out,
        checkOutAt: r.check_out_at ? new Date(r.check_out_at).toISOString() : null,
        odooStatus: r.odoo_status ?? 'pending',
        source: r.source ?? 'auto',
      };
    }
    return base;
  }

  /** Stored thumbnails are object keys; an absolute URL (legacy/provider) is passed through. */
  private async thumbnailUrl(value: string | null): Promise<string | null> {
    if (!value) return null;
    if (/^https?:\/\//i.test(value)) return value;
    return this.storage.presignedGetUrl(value, THUMBNAIL_URL_SECONDS);
  }
}

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
