import { Injectable } from '@nestjs/common';
import { EnvDto, RedisService } from '@app/core';
import { SummaryRepository } from './summary.repository';
import { AttendanceService } from './attendance.service';
import { Clock } from './clock';
import { siteTimezone } from './site-timezone';
import { localDate, zonedToUtc } from './time/zoned-time';
import { SystemSummaryDto } from './dto/summary.dto';

export const SUMMARY_CACHE_KEY = 'system:summary';
export const SUMMARY_CACHE_SECONDS = 15;

/**
 * The dashboard figures of GET /system/summary, computed at most every 15 s across all api
 * processes (cached in Redis; computed afresh when Redis is unreachable).
 */
@Injectable()
export class SystemSummaryService {
  constructor(
    private readonly repo: SummaryRepository,
    private readonly attendance: AttendanceService,
    private readonly redis: RedisService,
    private readonly clock: Clock,
    private readonly env: EnvDto,
  ) {}

  async summary(): Promise<SystemSummaryDto> {
    const cached = await this.redis.getJson<SystemSummaryDto>(SUMMARY_CACHE_KEY);
    if (cached) return cached;
    const now = this.clock.now();
    const tz = siteTimezone(this.env);
    const today = localDate(now, tz);
    const [counts, overview] = await Promise.all([this.repo.counts(zonedToUtc(today, '00:00', tz), today), this.attendance.overview()]);
    const dto: SystemSummaryDto = {
      activeCameras: counts.activeCameras,
      registeredPeople: counts.registeredPeople,
      peopleDetectedToday: counts.peopleDetectedToday,
      unknownFaceAlerts: counts.unknownFaceAlerts,
      manualOverrides: counts.manualOverrides,
      attendanceCompletion: overview.attendanceCompletion,
      lastSync: counts.lastSync ? new Date(counts.lastSync).toISOString() : null,
      generatedAt: now.toISOString(),
    };
    await this.redis.setJson(SUMMARY_CACHE_KEY, dto, SUMMARY_CACHE_SECONDS);
    return dto;
  }
}
