import { Injectable } from '@nestjs/common';
import { badRequest, conflict, EnvDto, notFound, Paginated, PaginationQueryDto, pageWindow, unprocessable } from '@app/core';
import { StorageService } from '@app/storage';
import { AttendanceRepository, ExpectedSelector, LOG_ID_PATTERN, LogFilter, StatsRange } from './attendance.repository';
import { ShiftsRepository } from './shifts.repository';
import { Clock } from './clock';
import { siteTimezone } from './site-timezone';
import { arrivalStatus, instanceOn, resolveInstance, shiftAppliesTo } from './shifts/shift-instances';
import { selectorOf, toShiftRule } from './shifts/shift-rules';
import { addDays, daysBetween, isValidTimeZone, localDate, localTime } from './time/zoned-time';
import {
  AttendanceLogDto,
  AttendanceOverviewDto,
  AttendanceRecordDto,
  AttendanceStatisticsDto,
  DayStatDto,
  HourStatDto,
  ListLogsQueryDto,
  LogFiltersDto,
  ManualEntryDto,
  RecordsQueryDto,
  StatisticsQueryDto,
} from './dto/attendance.dto';

/** Thumbnails are presigned for this long on read. */
const THUMBNAIL_URL_SECONDS = 3600;
/** Clock skew tolerated for manual entries "now". */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
const MAX_STATS_DAYS = 366;

const round1 = (n: number): number => Math.round(n * 10) / 10;
const rate = (attended: number, of: number): number => (of > 0 ? round1((attended / of) * 100) : 0);

/** Validates the date range of a log filter and maps the DTO to the repository filter. */
export function toLogFilter(q: LogFiltersDto): LogFilter {
  if (q.dateFrom && q.dateTo && q.dateFrom > q.dateTo) {
    throw badRequest('dateFrom must not be after dateTo', [{ field: 'dateFrom', issue: 'must not be after dateTo' }]);
  }
  return {
    search: q.search || undefined,
    cameraId: q.cameraId,
    dateFrom: q.dateFrom,
    dateTo: q.dateTo,
    odooStatus: q.odooStatus,
    status: q.status,
    source: q.source,
  };
}

/**
 * Attendance reads (presence, logs, statistics, overview, pending sync) and operator changes
 * (manual entries, deletions).
 */
@Injectable()
export class AttendanceService {
  constructor(
    private readonly repo: AttendanceRepository,
    private readonly shifts: ShiftsRepository,
    private readonly storage: StorageService,
    private readonly clock: Clock,
    private readonly env: EnvDto,
  ) {}

  /** Current presence, most recent sighting first. */
  async records(q: RecordsQueryDto): Promise<AttendanceRecordDto[]> {
    const rows = await this.repo.listRecords(q.limit ?? 50);
    return Promise.all(
      rows.map(async (r) => ({
        id: r.id,
        personId: r.personId,
        name: r.name,
        role: r.role,
        department: r.department,
        status: r.status,
        accuracy: r.accuracy,
        timestamp: r.timestamp.toISOString(),
        cameraId: r.cameraId,
        cameraName: r.cameraName,
        thumbnail: await this.thumbnailUrl(r.thumbnail),
      })),
    );
  }

  async logs(q: ListLogsQueryDto): Promise<Paginated<AttendanceLogDto>> {
    const { page, pageSize, skip, take } = pageWindow(q);
    const [rows, total] = await this.repo.listLogs(toLogFilter(q), skip, take);
    return Paginated.of(rows.map(AttendanceLogDto.from), total, page, pageSize);
  }

  /** Logs awaiting Odoo sync (pending, with an arrival), oldest first. */
  async pending(q: PaginationQueryDto): Promise<Paginated<AttendanceLogDto>> {
    const { page, pageSize, skip, take } = pageWindow(q);
    const [rows, total] = await this.repo.listPending(skip, take);
    return Paginated.of(rows.map(AttendanceLogDto.from), total, page, pageSize);
  }

  /**
   * A manual entry: its own log (source 'manual'), placed in the person's shift instance like a
   * sighting would be (date, shift, status computed when not given), never merged with automatic
   * logs. One per person and day: a second one is a 409 naming the existing entry.
   */
  async manual(dto: ManualEntryDto): Promise<AttendanceLogDto> {
    const person = await this.repo.findPerson(dto.employeeId);
    if (!person || person.status === 'archived') {
      throw unprocessable(`No registered person with employee id '${dto.employeeId}'`, [
        { field: 'employeeId', issue: 'unknown employee' },
      ]);
    }
    const camera = dto.cameraId ? await this.repo.cameraInfo(dto.cameraId) : null;
    if (dto.cameraId && !camera) {
      throw unprocessable(`Camera '${dto.cameraId}' not found`, [{ field: 'cameraId', issue: 'unknown camera' }]);
    }
    const at = new Date(dto.timestamp);
    if (Number.isNaN(at.getTime())) throw badRequest('timestamp is not a valid instant', [{ field: 'timestamp', issue: 'invalid date' }]);
    const now = this.clock.now().getTime();
    if (at.getTime() > now + FUTURE_TOLERANCE_MS) {
      throw unprocessable('timestamp is in the future', [{ field: 'timestamp', issue: 'must not be in the future' }]);
    }
    let checkOut: Date | null = null;
    if (dto.checkOut) {
      if (dto.status === 'missed')
        throw unprocessable('A missed entry has no check-out', [{ field: 'checkOut', issue: 'not allowed with status missed' }]);
      checkOut = new Date(dto.checkOut);
      if (Number.isNaN(checkOut.getTime()) || checkOut <= at || checkOut.getTime() - at.getTime() > 24 * 3600_000) {
        throw unprocessable('checkOut must be after timestamp and within 24 hours of it', [{ field: 'checkOut', issue: 'out of range' }]);
      }
      if (checkOut.getTime() > now + FUTURE_TOLERANCE_MS) {
        throw unprocessable('checkOut is in the future', [{ field: 'checkOut', issue: 'must not be in the future' }]);
      }
    }

    const site = siteTimezone(this.env);
    const rules = (await this.shifts.listEnabled())
      .filter((s) => shiftAppliesTo(s, person.employeeId, person.department))
      .map((s) => toShiftRule(s, site));
    const inst = resolveInstance(rules, at);
    const tz = inst?.timezone ?? (camera?.timezone && isValidTimeZone(camera.timezone) ? camera.timezone : site);
    const date = inst?.date ?? localDate(at, tz);
    const status = dto.status ?? (inst ? arrivalStatus(inst, at) : 'present');
    const missed = status === 'missed';

    const created = await this.repo.insertManual({
      employeeId: person.employeeId,
      name: person.name,
      department: person.department,
      date,
      timeIn: missed ? null : localTime(at, tz),
      timeOut: checkOut ? localTime(checkOut, tz) : null,
      checkInAt: missed ? null : at,
      checkOutAt: checkOut,
      cameraId: camera?.id ?? null,
      cameraName: camera?.name ?? null,
      status,
      shiftId: inst?.shiftId ?? null,
      shiftStart: inst?.startsAt ?? null,
      note: dto.note || null,
    });
    if (!created) {
      const existingId = await this.repo.findManual(person.employeeId, date);
      throw conflict(`${person.employeeId} already has a manual entry on ${date}; delete it first to replace it`, { existingId, date });
    }
    return AttendanceLogDto.from(created);
  }

  async remove(id: string): Promise<void> {
    if (!LOG_ID_PATTERN.test(id))
      throw badRequest('id must be an attendance log id like ATT-20251105-001', [{ field: 'id', issue: 'malformed' }]);
    if (!(await this.repo.deleteLog(id))) throw notFound('Attendance log', id);
  }

  /** Counts by hour of check-in, by day, by camera and by department over a date range. */
  async statistics(q: StatisticsQueryDto): Promise<AttendanceStatisticsDto> {
    const tz = siteTimezone(this.env);
    const today = localDate(this.clock.now(), tz);
    const dateTo = q.dateTo ?? (q.dateFrom && q.dateFrom > today ? addDays(q.dateFrom, 6) : today);
    const dateFrom = q.dateFrom ?? addDays(dateTo, -6);
    if (dateFrom > dateTo)
      throw badRequest('dateFrom must not be after dateTo', [{ field: 'dateFrom', issue: 'must not be after dateTo' }]);
    const days = daysBetween(dateFrom, dateTo) + 1;
    if (days > MAX_STATS_DAYS) {
      throw badRequest(`The range may span at most ${MAX_STATS_DAYS} days`, [
        { field: 'dateTo', issue: `range over ${MAX_STATS_DAYS} days` },
      ]);
    }
    const range: StatsRange = { dateFrom, dateTo, cameraId: q.cameraId, department: q.department };
    const [totals, hours, byDayRows, byCamera, byDepartment] = await Promise.all([
      this.repo.statsTotals(range),
      this.repo.statsByHour(range),
      this.repo.statsByDay(range),
      this.repo.statsByCamera(range),
      this.repo.statsByDepartment(range),
    ]);
    const hourMap = new Map(hours.map((h) => [h.hour, h]));
    const byHour: HourStatDto[] = Array.from({ length: 24 }, (_, hour) => hourMap.get(hour) ?? { hour, checkIns: 0, late: 0 });
    const dayMap = new Map(byDayRows.map((d) => [d.date, d]));
    const byDay: DayStatDto[] = Array.from({ length: days }, (_, i) => {
      const date = addDays(dateFrom, i);
      return dayMap.get(date) ?? { date, total: 0, present: 0, late: 0, missed: 0, people: 0 };
    });
    return {
      dateFrom,
      dateTo,
      timezone: tz,
      totals: { ...totals, attendanceRate: rate(totals.present + totals.late, totals.present + totals.late + totals.missed) },
      byHour,
      byDay,
      byCamera,
      byDepartment: byDepartment.map((d) => ({ ...d, attendanceRate: rate(d.present + d.late, d.present + d.late + d.missed) })),
    };
  }

  /** Today at a glance (site timezone): expected so far, present, late, missed, on site now. */
  async overview(): Promise<AttendanceOverviewDto> {
    const now = this.clock.now();
    const tz = siteTimezone(this.env);
    const today = localDate(now, tz);
    const selectors: ExpectedSelector[] = [];
    for (const s of await this.shifts.listEnabled()) {
      const rule = toShiftRule(s, tz);
      const inst = instanceOn(rule, localDate(now, rule.timezone));
      if (inst && inst.startsAt.getTime() <= now.getTime()) selectors.push(selectorOf(s));
    }
    const since = new Date(now.getTime() - this.env.ATTENDANCE_PRESENCE_TIMEOUT_MINUTES * 60_000);
    const [counts, exp, onSiteNow] = await Promise.all([
      this.repo.dayCounts(today),
      this.repo.expectedAndAttended(selectors, today),
      this.repo.countOnSite(since),
    ]);
    return {
      date: today,
      timezone: tz,
      expected: exp.expected,
      present: counts.present,
      late: counts.late,
      missed: counts.missed,
      notArrived: Math.max(0, exp.expected - exp.withLog),
      onSiteNow,
      manualEntries: counts.manual,
      attendanceCompletion: rate(exp.attended, exp.expected),
    };
  }

  private async thumbnailUrl(key: string | null): Promise<string | null> {
    if (!key) return null;
    if (/^https?:\/\//i.test(key)) return key;
    try {
      return await this.storage.presignedGetUrl(key, THUMBNAIL_URL_SECONDS);
    } catch {
      return null;
    }
  }
}
