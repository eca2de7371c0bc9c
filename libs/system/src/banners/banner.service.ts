import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AuthPrincipal } from '@app/core';
import { RedisService, badRequest, conflict, notFound, serviceUnavailable } from '@app/core';
import { BANNER_DEFAULT_TTL_MINUTES, BANNER_MAX_TTL_MINUTES, BannerDto, CreateBannerDto, MAX_ACTIVE_BANNERS } from './banner.dto';

/** Redis hash id -> JSON BannerDto. Expired entries are dropped when read. */
export const BANNERS_KEY = 'banners:messages';

/**
 * Banner messages shown across the UI (maintenance windows, incidents), each with an expiry.
 * Kept in Redis (shared by every api process; short-lived by nature), not in a table.
 */
@Injectable()
export class BannerService {
  constructor(private readonly redis: RedisService) {}

  /** Banners that have not expired, newest first. */
  async list(now = new Date()): Promise<BannerDto[]> {
    const all = await this.readAll();
    const expired = all.filter((b) => Date.parse(b.expiresAt) <= now.getTime()).map((b) => b.id);
    if (expired.length) await this.guard(() => this.redis.client.hdel(BANNERS_KEY, ...expired));
    return all
      .filter((b) => Date.parse(b.expiresAt) > now.getTime())
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
  }

  async create(dto: CreateBannerDto, actor: AuthPrincipal, now = new Date()): Promise<BannerDto> {
    if (dto.expiresAt && dto.ttlMinutes !== undefined) {
      throw badRequest('Give expiresAt or ttlMinutes, not both', [{ field: 'ttlMinutes', issue: 'conflicts with expiresAt' }]);
    }
    let expiresAt: Date;
    if (dto.expiresAt) {
      if (dto.expiresAt.getTime() <= now.getTime())
        throw badRequest('expiresAt must be in the future', [{ field: 'expiresAt', issue: 'in the past' }]);
      if (dto.expiresAt.getTime() - now.getTime() > BANNER_MAX_TTL_MINUTES * 60_000) {
        throw badRequest('expiresAt must be at most 30 days ahead', [{ field: 'expiresAt', issue: 'more than 30 days ahead' }]);
      }
      expiresAt = dto.expiresAt;
    } else {
      expiresAt = new Date(now.getTime() + (dto.ttlMinutes ?? BANNER_DEFAULT_TTL_MINUTES) * 60_000);
    }
    if ((await this.list(now)).length >= MAX_ACTIVE_BANNERS) {
      throw conflict(`At most ${MAX_ACTIVE_BANNERS} banners can be active; delete one first`);
    }
    const banner: BannerDto = {
      id: randomUUID(),
      message: dto.message,
      level: dto.level ?? 'info',
      createdAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
      createdBy: actor.email,
    };
    await this.guard(() => this.redis.client.hset(BANNERS_KEY, banner.id, JSON.stringify(banner)));
    return banner;
  }

  async remove(id: string): Promise<void> {
    const removed = await this.guard(() => this.redis.client.hdel(BANNERS_KEY, id));
    if (removed === 0) throw notFound('Banner message', id);
  }

  private async readAll(): Promise<BannerDto[]> {
    const raw = await this.guard(() => this.redis.client.hgetall(BANNERS_KEY));
    const out: BannerDto[] = [];
    for (const value of Object.values(raw)) {
      try {
        out.push(JSON.parse(value) as BannerDto);
      } catch {
        /* skip a corrupt entry */
      }
    }
    return out;
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw serviceUnavailable('Redis is unavailable: banner messages cannot be read or changed', { reason: (err as Error).message });
    }
  }
}
