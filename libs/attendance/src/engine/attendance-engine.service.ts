import { Injectable } from '@nestjs/common';
import { EnvDto, rootLogger } from '@app/core';
import { siteTimezone } from '../site-timezone';
import { AttendanceRepository } from '../attendance.repository';
import { ShiftsRepository } from '../shifts.repository';
import { arrivalStatus, resolveInstance, shiftAppliesTo } from '../shifts/shift-instances';
import { toShiftRule } from '../shifts/shift-rules';
import { isValidTimeZone, localDate, localTime } from '../time/zoned-time';
import type { Sighting, SightingOutcome } from './sighting';

export type { Sighting, SightingOutcome } from './sighting';

/**
 * Turns recognised sightings into attendance.
 *
 * - `attendance_records`: current presence, one row per person (id = employee id), 'on-site' with the
 *   camera and time of the latest sighting (an older sighting arriving late never moves it back).
 * - `attendance_logs`: the person's automatic log for the SHIFT INSTANCE the sighting falls in
 *   (see resolveInstance: from `checkInWindowMinutes` before the start to `checkOutWindowMinutes`
 *   after the end). First sighting = check-in (and status: `late` after start + grace, else
 *   `present`), last sighting = check-out. A night shift belongs to the day it starts. Instances
 *   are computed in the shift's timezone, else SITE_TIMEZONE.
 * - A sighting outside every shift of the person goes to their UNSCHEDULED log of that day
 *   (shift null, status present, dated in the camera's timezone, else SITE_TIMEZONE): attendance is
 *   recorded, never dropped, and never merged into a shift it does not belong to.
 *
 * Exactly one automatic log per person and instance, whatever the concurrency (advisory lock +
 * unique partial indexes); ids ATT-YYYYMMDD-NNN from a per-day counter.
 */
@Injectable()
export class AttendanceEngine {
  private readonly log = rootLogger().child({ context: 'AttendanceEngine' });

  constructor(
    private readonly repo: AttendanceRepository,
    private readonly shifts: ShiftsRepository,
    private readonly env: EnvDto,
  ) {}

  async recordSighting(s: Sighting): Promise<SightingOutcome> {
    const employeeId = typeof s.employeeId === 'string' ? s.employeeId.trim().slice(0, 50) : '';
    const at = s.timestamp instanceof Date ? s.timestamp : new Date(s.timestamp as unknown as string);
    if (!employeeId || Number.isNaN(at.getTime())) {
      this.log.warn({ employeeId: s.employeeId, timestamp: String(s.timestamp) }, 'sighting ignored: no employee id or bad timestamp');
      return { logId: null, created: false, status: null };
    }
    const name = (s.name ?? '').trim().slice(0, 255) || employeeId;
    const department = s.department?.trim().slice(0, 255) || null;
    const confidence = Math.round(Math.min(100, Math.max(0, Number.isFinite(s.confidence) ? s.confidence : 0)) * 100) / 100;
    const camera = s.cameraId ? await this.repo.cameraInfo(s.cameraId) : null;
    const cameraId = camera?.id ?? null;
    const cameraName = camera?.name ?? (s.cameraName?.slice(0, 255) || null);
    const site = siteTimezone(this.env);

    await this.repo.upsertPresence({
      employeeId,
      name,
      department,
      cameraId,
      cameraName,
      confidence,
      at,
      thumbnail: s.thumbnail?.slice(0, 255) ?? null,
    });

    const rules = (await this.shifts.listEnabled())
      .filter((sh) => shiftAppliesTo(sh, employeeId, department))
      .map((sh) => toShiftRule(sh, site));
    const inst = resolveInstance(rules, at);
    const common = { employeeId, name, department, cameraId, cameraName, confidence, at };
    const result = inst
      ? await this.repo.mergeAutoSighting({
          ...common,
          date: inst.date,
          localTime: localTime(at, inst.timezone),
          status: arrivalStatus(inst, at),
          shiftId: inst.shiftId,
          shiftStart: inst.startsAt,
        })
      : await this.unscheduled(common, camera?.timezone, site);
    return { logId: result.logId, created: result.created, status: result.status };
  }

  private unscheduled(
    common: {
      employeeId: string;
      name: string;
      department: string | null;
      cameraId: string | null;
      cameraName: string | null;
      confidence: number;
      at: Date;
    },
    cameraTimezone: string | null | undefined,
    site: string,
  ): ReturnType<AttendanceRepository['mergeAutoSighting']> {
    const tz = cameraTimezone && isValidTimeZone(cameraTimezone) ? cameraTimezone : site;
    return this.repo.mergeAutoSighting({
      ...common,
      date: localDate(common.at, tz),
      localTime: localTime(common.at, tz),
      status: 'present',
      shiftId: null,
      shiftStart: null,
    });
  }
}
