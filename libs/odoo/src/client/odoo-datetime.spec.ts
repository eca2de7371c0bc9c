import { describe, expect, it } from '@jest/globals';
import { fromOdooDatetime, isOdooDatetime, toOdooDatetime } from './odoo-datetime';

describe('toOdooDatetime', () => {
  it('formats in UTC whatever the offset of the source', () => {
    expect(toOdooDatetime(new Date('2024-03-05T14:07:09+05:30'))).toBe('2024-03-05 08:37:09');
    expect(toOdooDatetime(new Date('2024-12-31T23:59:59-01:00'))).toBe('2025-01-01 00:59:59');
  });

  it('truncates milliseconds instead of rounding up', () => {
    expect(toOdooDatetime(new Date('2024-01-15T08:00:00.999Z'))).toBe('2024-01-15 08:00:00');
  });

  it('pads small years and fields', () => {
    expect(toOdooDatetime(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)))).toBe('2024-01-02 03:04:05');
  });

  it('refuses an invalid date', () => {
    expect(() => toOdooDatetime(new Date('nope'))).toThrow(RangeError);
  });
});

describe('fromOdooDatetime', () => {
  it('reads the string as UTC', () => {
    expect(fromOdooDatetime('2024-03-05 08:37:09').toISOString()).toBe('2024-03-05T08:37:09.000Z');
  });

  it('round-trips with toOdooDatetime', () => {
    const samples = ['2000-02-29 00:00:00', '2023-06-30 23:59:59', '1999-12-31 12:00:01'];
    for (const s of samples) {
      expect(toOdooDatetime(fromOdooDatetime(s))).toBe(s);
    }
  });

  it.each([
    ['2024-03-05T08:37:09', 'ISO T separator'],
    ['2024-03-05 08:37:09Z', 'zone suffix'],
    ['2024-03-05 08:37:09.123', 'fraction'],
    ['2024-03-05', 'date only'],
    ['2023-02-29 10:00:00', 'not a leap year'],
    ['2024-13-01 10:00:00', 'month 13'],
    ['2024-01-01 24:00:00', 'hour 24'],
    ['0000-01-01 00:00:00', 'year 0'],
    ['', 'empty'],
  ])('refuses %s (%s)', (value) => {
    expect(() => fromOdooDatetime(value)).toThrow(RangeError);
    expect(isOdooDatetime(value)).toBe(false);
  });

  it('accepts leap days of leap years', () => {
    expect(isOdooDatetime('2024-02-29 10:00:00')).toBe(true);
  });
});
