import type { ShiftScheduleEntity } from '../entities/shift-schedule.entity';
import type { ExpectedSelector } from '../attendance.repository';
import type { ShiftRule } from './shift-instances';

/** The instance arithmetic's view of a stored shift (timezone: the shift's own, else the site's). */
export function toShiftRule(s: ShiftScheduleEntity, siteTimezone: string): ShiftRule {
  return {
    id: s.id,
    name: s.name,
    startTime: s.startTime,
    endTime: s.endTime,
    timezone: s.timezone ?? siteTimezone,
    graceMinutes: s.graceMinutes,
    daysOfWeek: s.daysOfWeek,
    departments: s.departments,
    employeeIds: s.employeeIds,
    checkInWindowMinutes: s.checkInWindowMinutes,
    checkOutWindowMinutes: s.checkOutWindowMinutes,
  };
}

/** Who a shift expects, for SQL over face_profiles. */
export function selectorOf(s: Pick<ShiftScheduleEntity, 'departments' | 'employeeIds'>): ExpectedSelector {
  const departments = [...new Set(s.departments.map((d) => d.trim().toLowerCase()).filter((d) => d.length > 0))];
  return {
    all: s.departments.length === 0 && s.employeeIds.length === 0,
    employeeIds: [...new Set(s.employeeIds)],
    departments,
  };
}
