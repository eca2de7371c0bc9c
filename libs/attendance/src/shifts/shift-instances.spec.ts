import { describe, expect, it } from '@jest/globals';
import { arrivalStatus, currentOrLatestInstance, instanceOn, resolveInstance, shiftAppliesTo, ShiftRule } from './shift-instances';

const rule = (over: Partial<ShiftRule> = {}): ShiftRule => ({
  id: 'SHIFT-DAY',
  name: 'Day',
  startTime: '09:00:00',
  endTime: '17:00:00',
  timezone: 'UTC',
  graceMinutes: 10,
  daysOfWeek: [1, 2, 3, 4, 5],
  departments: [],
  employeeIds: [],
  checkInWindowMinutes: 120,
  checkOutWindowMinutes: 240,
  ...over,
});

describe('shift instances', () => {
  it('builds an instance on a working day and none on a day off', () => {
    const inst = instanceOn(rule(), '2025-03-03')!;
    expect(inst.startsAt.toISOString()).toBe('2025-03-03T09:00:00.000Z');
    expect(inst.endsAt.toISOString()).toBe('2025-03-03T17:00:00.000Z');
    expect(inst.lateAfter.toISOString()).toBe('2025-03-03T09:10:00.000Z');
    expect(instanceOn(rule(), '2025-03-08')).toBeNull();
  });

  it('puts a night shift on the day it starts', () => {
    const night = rule({ id: 'N', startTime: '22:00', endTime: '06:00' });
    const inst = instanceOn(night, '2025-03-03')!;
    expect(inst.endsAt.toISOString()).toBe('2025-03-04T06:00:00.000Z');
    const after = resolveInstance([night], new Date('2025-03-04T05:30:00Z'))!;
    expect(after.date).toBe('2025-03-03');
    // Friday's night shift ends on Saturday morning and still belongs to Friday.
    expect(resolveInstance([night], new Date('2025-03-08T03:00:00Z'))!.date).toBe('2025-03-07');
  });

  it('resolves early arrivals and late departures within the windows, nothing outside', () => {
    expect(resolveInstance([rule()], new Date('2025-03-03T07:30:00Z'))!.date).toBe('2025-03-03');
    expect(resolveInstance([rule()], new Date('2025-03-03T20:59:00Z'))!.date).toBe('2025-03-03');
    expect(resolveInstance([rule()], new Date('2025-03-03T21:00:00Z'))).toBeNull();
    expect(resolveInstance([rule()], new Date('2025-03-03T06:59:00Z'))).toBeNull();
  });

  it('prefers the instance in progress, then the nearest one', () => {
    const early = rule({ id: 'E', startTime: '06:00', endTime: '14:00' });
    const late = rule({ id: 'L', startTime: '14:00', endTime: '22:00' });
    expect(resolveInstance([early, late], new Date('2025-03-03T13:59:00Z'))!.shiftId).toBe('E');
    expect(resolveInstance([early, late], new Date('2025-03-03T14:00:00Z'))!.shiftId).toBe('L');
    const morning = rule({ id: 'M', startTime: '06:00', endTime: '10:00' });
    const noon = rule({ id: 'N', startTime: '12:00', endTime: '16:00' });
    expect(resolveInstance([morning, noon], new Date('2025-03-03T10:30:00Z'))!.shiftId).toBe('M');
    expect(resolveInstance([morning, noon], new Date('2025-03-03T11:30:00Z'))!.shiftId).toBe('N');
  });

  it('computes in the shift timezone (Kiritimati, UTC+14)', () => {
    const kiri = rule({ timezone: 'Pacific/Kiritimati' });
    // 19:05 UTC on Sunday is 09:05 Monday in Kiritimati.
    const inst = resolveInstance([kiri], new Date('2025-03-02T19:05:00Z'))!;
    expect(inst.date).toBe('2025-03-03');
    expect(inst.startsAt.toISOString()).toBe('2025-03-02T19:00:00.000Z');
    expect(arrivalStatus(inst, new Date('2025-03-02T19:10:00Z'))).toBe('present');
    expect(arrivalStatus(inst, new Date('2025-03-02T19:10:01Z'))).toBe('late');
  });

  it('matches people by id, department (case-insensitive) or everyone', () => {
    expect(shiftAppliesTo({ departments: [], employeeIds: [] }, 'E1', null)).toBe(true);
    expect(shiftAppliesTo({ departments: ['Manufacturing'], employeeIds: [] }, 'E1', ' manufacturing')).toBe(true);
    expect(shiftAppliesTo({ departments: ['Manufacturing'], employeeIds: [] }, 'E1', 'R&D')).toBe(false);
    expect(shiftAppliesTo({ departments: ['Manufacturing'], employeeIds: ['E2'] }, 'E2', null)).toBe(true);
    expect(shiftAppliesTo({ departments: [], employeeIds: ['E2'] }, 'E1', 'R&D')).toBe(false);
  });

  it('finds the current or latest instance', () => {
    expect(currentOrLatestInstance(rule(), new Date('2025-03-03T10:00:00Z'))!.date).toBe('2025-03-03');
    expect(currentOrLatestInstance(rule(), new Date('2025-03-03T08:00:00Z'))!.date).toBe('2025-02-28');
    expect(currentOrLatestInstance(rule({ daysOfWeek: [] }), new Date('2025-03-03T08:00:00Z'))).toBeNull();
  });
});
