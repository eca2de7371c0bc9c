import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { badRequest, conflict, EnvDto, notFound } from '@app/core';
import { isUniqueViolation } from '@app/database/transaction';
import { ShiftsRepository } from './shifts.repository';
import { Clock } from './clock';
import { siteTimezone } from './site-timezone';
import type { ShiftScheduleEntity } from './entities/shift-schedule.entity';
import { currentOrLatestInstance } from './shifts/shift-instances';
import { selectorOf, toShiftRule } from './shifts/shift-rules';
import { timeToSeconds } from './time/zoned-time';
import { CreateShiftDto, InstanceState, ShiftDto, ShiftInstanceDto, UpdateShiftDto } from './dto/shift.dto';

const hhmm = (t: string): string => t.slice(0, 5);
const fullTime = (t: string): string => (t.length === 5 ? `${t}:00` : t);

export function newShiftId(): string {
  return `SHIFT-${randomBytes(4).toString('hex').toUpperCase()}`;
}

/** Live figures of a shift: who it expects and how its current (or latest) instance is going. */
export interface ShiftFigures {
  expected: number;
  compliance: number;
  instance: ShiftInstanceDto | null;
}

/** Shift schedules: CRUD and live compliance of the current or latest instance. */
@Injectable()
export class ShiftsService {
  constructor(
    private readonly repo: ShiftsRepository,
    private readonly clock: Clock,
    private readonly env: EnvDto,
  ) {}

  /** Every shift (enabled or not) by start time, with live figures. */
  async list(): Promise<ShiftDto[]> {
    const shifts = await this.repo.list();
    return Promise.all(shifts.map((s) => this.toDto(s)));
  }

  async get(id: string): Promise<ShiftDto> {
    return this.toDto(await this.load(id));
  }

  async create(dto: CreateShiftDto): Promise<ShiftDto> {
    this.checkTimes(dto.startTime, dto.endTime);
    const shift = this.repo.create({
      id: dto.id ?? newShiftId(),
      name: dto.name,
      startTime: fullTime(dto.startTime),
      endTime: fullTime(dto.endTime),
      location: dto.location ?? null,
      graceMinutes: dto.graceMinutes ?? 10,
      departments: dedupe(dto.departments ?? []),
      employeeIds: dedupe(dto.employeeIds ?? []),
      daysOfWeek: [...new Set(dto.daysOfWeek ?? [1, 2, 3, 4, 5])].sort((a, b) => a - b),
      timezone: dto.timezone ?? null,
      enabled: dto.enabled ?? true,
      checkInWindowMinutes: dto.checkInWindowMinutes ?? 120,
      checkOutWindowMinutes: dto.checkOutWindowMinutes ?? 240,
      compliance: 0,
      expectedHeadcount: 0,
    });
    shift.expectedHeadcount = await this.repo.countExpected(selectorOf(shift));
    if (dto.id && (await this.repo.exists(dto.id))) throw conflict(`Shift '${dto.id}' already exists`);
    try {
      // insert, not upsert: save() on an existing primary key would overwrite it
      await this.repo.shifts.insert(shift);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`Shift '${shift.id}' already exists`);
      throw err;
    }
    return this.get(shift.id);
  }

  async update(id: string, dto: UpdateShiftDto): Promise<ShiftDto> {
    const shift = await this.load(id);
    const startTime = dto.startTime !== undefined ? fullTime(dto.startTime) : shift.startTime;
    const endTime = dto.endTime !== undefined ? fullTime(dto.endTime) : shift.endTime;
    this.checkTimes(startTime, endTime);
    shift.startTime = startTime;
    shift.endTime = endTime;
    if (dto.name !== undefined) shift.name = dto.name;
    if (dto.location !== undefined) shift.location = dto.location ?? null;
    if (dto.graceMinutes !== undefined) shift.graceMinutes = dto.graceMinutes;
    if (dto.departments !== undefined) shift.departments = dedupe(dto.departments);
    if (dto.employeeIds !== undefined) shift.employeeIds = dedupe(dto.employeeIds);
    if (dto.daysOfWeek !== undefined) shift.daysOfWeek = [...new Set(dto.daysOfWeek)].sort((a, b) => a - b);
    if (dto.timezone !== undefined) shift.timezone = dto.timezone ?? null;
    if (dto.enabled !== undefined) shift.enabled = dto.enabled;
    if (dto.checkInWindowMinutes !== undefined) shift.checkInWindowMinutes = dto.checkInWindowMinutes;
    if (dto.checkOutWindowMinutes !== undefined) shift.checkOutWindowMinutes = dto.checkOutWindowMinutes;
    shift.expectedHeadcount = await this.repo.countExpected(selectorOf(shift));
    await this.repo.save(shift);
    return this.get(id);
  }

  /** Deletes a shift; its logs stay (shift_id becomes null, their dates and statuses are kept). */
  async remove(id: string): Promise<void> {
    if (!(await this.repo.delete(id))) throw notFound('Shift', id);
  }

  /** Expected headcount and compliance of a shift right now (also stored by the mark-missed job). */
  async figures(s: ShiftScheduleEntity): Promise<ShiftFigures> {
    const now = this.clock.now();
    const rule = toShiftRule(s, siteTimezone(this.env));
    const sel = selectorOf(s);
    const expected = await this.repo.countExpected(sel);
    const inst = currentOrLatestInstance(rule, now);
    if (!inst) return { expected, compliance: 0, instance: null };
    const counts = await this.repo.instanceCounts(s.id, inst.startsAt, sel);
    const t = now.getTime();
    const state: InstanceState = t < inst.startsAt.getTime() ? 'upcoming' : t < inst.endsAt.getTime() ? 'in-progress' : 'ended';
    const compliance = expected > 0 ? Math.round(((counts.present + counts.late) / expected) * 10000) / 100 : 0;
    return {
      expected,
      compliance: Math.min(100, compliance),
      instance: {
        date: inst.date,
        startsAt: inst.startsAt.toISOString(),
        endsAt: inst.endsAt.toISOString(),
        state,
        expected,
        ...counts,
      },
    };
  }

  private async toDto(s: ShiftScheduleEntity): Promise<ShiftDto> {
    const f = await this.figures(s);
    return {
      id: s.id,
      name: s.name,
      startTime: hhmm(s.startTime),
      endTime: hhmm(s.endTime),
      location: s.location,
      expectedHeadcount: f.expected,
      compliance: f.compliance,
      graceMinutes: s.graceMinutes,
      departments: s.departments,
      employeeIds: s.employeeIds,
      daysOfWeek: s.daysOfWeek,
      timezone: s.timezone,
      effectiveTimezone: s.timezone ?? siteTimezone(this.env),
      enabled: s.enabled,
      checkInWindowMinutes: s.checkInWindowMinutes,
      checkOutWindowMinutes: s.checkOutWindowMinutes,
      currentInstance: f.instance,
      createdAt: s.createdAt.toISOString(),
      updatedAt: s.updatedAt.toISOString(),
    };
  }

  private async load(id: string): Promise<ShiftScheduleEntity> {
    if (!/^[A-Za-z0-9_-]{1,50}$/.test(id)) throw badRequest('id must be a shift id', [{ field: 'id', issue: 'malformed' }]);
    const shift = await this.repo.findById(id);
    if (!shift) throw notFound('Shift', id);
    return shift;
  }

  private checkTimes(start: string, end: string): void {
    if (timeToSeconds(start) === timeToSeconds(end)) {
      throw badRequest('endTime must differ from startTime (an end before the start means the next day)', [
        { field: 'endTime', issue: 'equals startTime' },
      ]);
    }
  }
}

function dedupe(values: string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter((v) => v.length > 0))];
}
