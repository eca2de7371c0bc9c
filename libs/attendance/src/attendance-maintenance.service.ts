import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EnvDto, RedisService, rootLogger } from '@app/core';
import { AttendanceRepository } from './attendance.repository';
import { ShiftsRepository } from './shifts.repository';
import { ShiftsService } from './shifts.service';
import { Clock } from './clock';
import { siteTimezone } from './site-timezone';
import { instancesBetween, type ShiftInstance } from './shifts/shift-instances';
import { selectorOf, toShiftRule } from './shifts/shift-rules';
import { addDays, localDate } from './time/zoned-time';

export interface MarkMissedResult {
  /** false when another run held the lock (nothing done). */
  ran: boolean;
  /** Ended instances examined. */
  instances: number;
  /** Missed logs written. */
  missed: number;
  /** People no longer on-site (presence timeout). */
  presenceExpired: number;
}

/** Days back the scheduled run looks for ended instances (catches up after a worker outage). */
const LOOKBACK_DAYS = 2;
const LOCK_KEY = 'attendance:mark-missed:lock';
const LOCK_TTL_SECONDS = 600;

/**
 * The scheduled 'mark-missed' job: for every ended shift instance, people it expected (active
 * profiles registered before it ended) with no log for it get a `missed` log; presence older than
 * the timeout turns 'off-site'; the stored headcount/compliance of each shift are refreshed.
 * Idempotent (a log per person per instance at most; reruns add nothing) and serialised across
 * workers by a Redis lock. Instances that ended before the shift was created are never marked.
 */
@Injectable()
export class AttendanceMaintenanceService {
  private readonly log = rootLogger().child({ context: 'AttendanceMaintenance' });

  constructor(
    private readonly repo: AttendanceRepository,
    private readonly shiftsRepo: ShiftsRepository,
    private readonly shifts: ShiftsService,
    private readonly redis: RedisService,
    private readonly clock: Clock,
    private readonly env: EnvDto,
  ) {}

  /**
   * @param date site-local start day (YYYY-MM-DD) of the instances to close; omitted = every instance
   *             that started in the last LOOKBACK_DAYS days and has ended.
   */
  async markMissed(date?: string): Promise<MarkMissedResult> {
    const token = randomUUID();
    const locked = await this.redis.client.set(LOCK_KEY, token, 'EX', LOCK_TTL_SECONDS, 'NX').catch(() => 'OK');
    if (locked !== 'OK') return { ran: false, instances: 0, missed: 0, presenceExpired: 0 };
    try {
      return await this.run(date);
    } finally {
      // release only our own lock
      await this.redis.client
        .eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`, 1, LOCK_KEY, token)
        .catch(() => undefined);
    }
  }

  private async run(date?: string): Promise<MarkMissedResult> {
    const now = this.clock.now();
    const site = siteTimezone(this.env);
    let instances = 0;
    let missed = 0;
    for (const shift of await this.shiftsRepo.listEnabled()) {
      const rule = toShiftRule(shift, site);
      const today = localDate(now, rule.timezone);
      const from = date ?? addDays(today, -LOOKBACK_DAYS);
      const to = date ?? today;
      const ended = instancesBetween(rule, from, to).filter(
        (i: ShiftInstance) => i.endsAt.getTime() <= now.getTime() && i.endsAt.getTime() > shift.createdAt.getTime(),
      );
      const sel = selectorOf(shift);
      for (const inst of ended) {
        instances++;
        const people = await this.repo.missedCandidates(sel, inst);
        if (people.length === 0) continue;
        const ids = await this.repo.insertMissed(people, { shiftId: shift.id, startsAt: inst.startsAt, date: inst.date });
        missed += ids.length;
        if (ids.length) this.log.info({ shiftId: shift.id, date: inst.date, missed: ids.length }, 'marked missed');
      }
      const f = await this.shifts.figures(shift);
      await this.shiftsRepo.storeFigures(shift.id, f.expected, f.compliance);
    }
    const presenceExpired = await this.repo.expirePresence(new Date(now.getTime() - this.env.ATTENDANCE_PRESENCE_TIMEOUT_MINUTES * 60_000));
    return { ran: true, instances, missed, presenceExpired };
  }
}
