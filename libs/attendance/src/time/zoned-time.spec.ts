import { describe, expect, it } from '@jest/globals';
import {
  addDays,
  daysBetween,
  isCalendarDate,
  isoWeekday,
  isValidTimeZone,
  localDate,
  localTime,
  zonedToUtc,
  zoneOffsetMs,
} from './zoned-time';

describe('zoned time (Intl)', () => {
  it('converts wall clock to UTC in zones far from UTC', () => {
    expect(zonedToUtc('2025-03-03', '09:00', 'Pacific/Kiritimati').toISOString()).toBe('2025-03-02T19:00:00.000Z');
    expect(zonedToUtc('2025-03-03', '09:00:00', 'Asia/Kathmandu').toISOString()).toBe('2025-03-03T03:15:00.000Z');
    expect(zonedToUtc('2025-03-03', '09:00', 'America/Los_Angeles').toISOString()).toBe('2025-03-03T17:00:00.000Z');
    expect(zonedToUtc('2025-03-03', '00:00', 'UTC').toISOString()).toBe('2025-03-03T00:00:00.000Z');
  });

  it('reads the local date and time of an instant', () => {
    const at = new Date('2025-03-02T19:30:15Z');
    expect(localDate(at, 'Pacific/Kiritimati')).toBe('2025-03-03');
    expect(localTime(at, 'Pacific/Kiritimati')).toBe('09:30:15');
    expect(localDate(at, 'UTC')).toBe('2025-03-02');
    expect(localTime(new Date('2025-03-03T00:00:00Z'), 'UTC')).toBe('00:00:00');
    expect(zoneOffsetMs(at, 'Asia/Kathmandu')).toBe((5 * 60 + 45) * 60_000);
  });

  it('handles DST gaps and overlaps', () => {
    // Berlin springs forward 2025-03-30 02:00 -> 03:00: 02:30 does not exist and maps past the gap.
    expect(zonedToUtc('2025-03-30', '02:30', 'Europe/Berlin').toISOString()).toBe('2025-03-30T01:30:00.000Z');
    expect(zonedToUtc('2025-03-30', '03:30', 'Europe/Berlin').toISOString()).toBe('2025-03-30T01:30:00.000Z');
    expect(zonedToUtc('2025-03-30', '01:30', 'Europe/Berlin').toISOString()).toBe('2025-03-30T00:30:00.000Z');
    // Falls back 2025-10-26 03:00 -> 02:00: 02:30 happens twice; the later one is taken.
    expect(zonedToUtc('2025-10-26', '02:30', 'Europe/Berlin').toISOString()).toBe('2025-10-26T01:30:00.000Z');
    expect(zonedToUtc('2025-10-26', '12:00', 'Europe/Berlin').toISOString()).toBe('2025-10-26T11:00:00.000Z');
  });

  it('does calendar arithmetic', () => {
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(isoWeekday('2025-03-03')).toBe(1);
    expect(isoWeekday('2025-03-09')).toBe(7);
    expect(daysBetween('2025-01-01', '2025-03-01')).toBe(59);
    expect(isCalendarDate('2025-02-28')).toBe(true);
    expect(isCalendarDate('2025-02-30')).toBe(false);
    expect(isCalendarDate('2025-2-3')).toBe(false);
  });

  it('validates zone names', () => {
    expect(isValidTimeZone('Asia/Kathmandu')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone(42)).toBe(false);
  });
});
