import { addDays, isoWeekday, localDate, timeToSeconds, zonedToUtc } from '../time/zoned-time';

/** What the instance arithmetic needs of a shift (timezone already resolved: shift's own or the site's). */
export interface ShiftRule {
  id: string;
  name: string;
  /** 'HH:MM[:SS]' wall clock in `timezone`. */
  startTime: string;
  endTime: string;
  timezone: string;
  graceMinutes: number;
  /** ISO weekdays (1 = Monday) on which an instance starts. */
  daysOfWeek: number[];
  departments: string[];
  employeeIds: string[];
  /** Minutes before the start from which a sighting counts as arriving for this instance. */
  checkInWindowMinutes: number;
  /** Minutes after the end until which a sighting still counts as leaving from this instance. */
  checkOutWindowMinutes: number;
}

/** One occurrence of a shift: the shift started on `date` (site-local) and its exact bounds. */
export interface ShiftInstance {
  shiftId: string;
  shiftName: string;
  /** Day the instance starts (a night shift belongs to the day it starts). */
  date: string;
  timezone: string;
  startsAt: Date;
  endsAt: Date;
  /** A first sighting after this instant is late. */
  lateAfter: Date;
  /** Sightings in [windowStart, windowEnd) may belong to this instance. */
  windowStart: Date;
  windowEnd: Date;
}

const MINUTE = 60_000;

/** True when the shift's end is on the next day (end <= start, e.g. 22:00-06:00). */
export function crossesMidnight(startTime: string, endTime: string): boolean {
  return timeToSeconds(endTime) <= timeToSeconds(startTime);
}

/** The instance of `shift` starting on `date`, or null when the shift does not run that weekday. */
export function instanceOn(shift: ShiftRule, date: string): ShiftInstance | null {
  if (!shift.daysOfWeek.includes(isoWeekday(date))) return null;
  const startsAt = zonedToUtc(date, shift.startTime, shift.timezone);
  const endDate = crossesMidnight(shift.startTime, shift.endTime) ? addDays(date, 1) : date;
  const endsAt = zonedToUtc(endDate, shift.endTime, shift.timezone);
  return {
    shiftId: shift.id,
    shiftName: shift.name,
    date,
    timezone: shift.timezone,
    startsAt,
    endsAt,
    lateAfter: new Date(startsAt.getTime() + shift.graceMinutes * MINUTE),
    windowStart: new Date(startsAt.getTime() - shift.checkInWindowMinutes * MINUTE),
    windowEnd: new Date(endsAt.getTime() + shift.checkOutWindowMinutes * MINUTE),
  };
}

/** Instances of `shift` starting on the local days from `from` to `to` inclusive. */
export function instancesBetween(shift: ShiftRule, from: string, to: string): ShiftInstance[] {
  const out: ShiftInstance[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const inst = instanceOn(shift, d);
    if (inst) out.push(inst);
  }
  return out;
}

/** Does `shift` expect this person? By employee id, by department, or everyone when it names neither. */
export function shiftAppliesTo(
  shift: Pick<ShiftRule, 'departments' | 'employeeIds'>,
  employeeId: string,
  department: string | null,
): boolean {
  if (shift.departments.length === 0 && shift.employeeIds.length === 0) return true;
  if (shift.employeeIds.includes(employeeId)) return true;
  const dep = department?.trim().toLowerCase();
  return !!dep && shift.departments.some((d) => d.trim().toLowerCase() === dep);
}

/**
 * The instance a sighting at `at` belongs to among the given shifts (already filtered to the person),
 * or null. Candidates are instances whose window [start - checkInWindow, end + checkOutWindow)
 * holds `at`; the one whose [start, end) holds it wins, else the nearest by distance to that span;
 * ties go to the later start (a double shift hands over at the boundary).
 */
export function resolveInstance(shifts: readonly ShiftRule[], at: Date): ShiftInstance | null {
  const t = at.getTime();
  let best: { inst: ShiftInstance; distance: number } | null = null;
  for (const shift of shifts) {
    const day = localDate(at, shift.timezone);
    for (const d of [addDays(day, -1), day, addDays(day, 1)]) {
      const inst = instanceOn(shift, d);
      if (!inst || t < inst.windowStart.getTime() || t >= inst.windowEnd.getTime()) continue;
      const distance =
        t < inst.startsAt.getTime() ? inst.startsAt.getTime() - t : t >= inst.endsAt.getTime() ? t - inst.endsAt.getTime() + 1 : 0;
      if (!best || distance < best.distance || (distance === best.distance && inst.startsAt.getTime() > best.inst.startsAt.getTime())) {
        best = { inst, distance };
      }
    }
  }
  return best?.inst ?? null;
}

/** The instance of `shift` running at `now`, else the latest one that started before `now` (within 8 days). */
export function currentOrLatestInstance(shift: ShiftRule, now: Date): ShiftInstance | null {
  const today = localDate(now, shift.timezone);
  for (let i = 0; i <= 8; i++) {
    const inst = instanceOn(shift, addDays(today, -i));
    if (inst && inst.startsAt.getTime() <= now.getTime()) return inst;
  }
  return null;
}

/** present or late for a first sighting at `checkIn` of `inst`. */
export function arrivalStatus(inst: ShiftInstance, checkIn: Date): 'present' | 'late' {
  return checkIn.getTime() > inst.lateAfter.getTime() ? 'late' : 'present';
}
