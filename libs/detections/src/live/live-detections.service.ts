import { Injectable } from '@nestjs/common';
import { RedisService, rootLogger } from '@app/core';
import { StorageService } from '@app/storage';
import { LIVE_ALL_SCOPE, LIVE_LIST_CAP, LIVE_REFRESH_MS, LIVE_THUMBNAIL_URL_SECONDS, REDIS_KEYS } from '../detections.constants';
import type { LiveDetectionDto } from '../dto/detection.dto';
import { DetectionsRepository } from '../detections.repository';
import type { DetectionEntity } from '../entities/detection.entity';
import { liveItemPrefix, renderLiveDetection, toLiveDetectionDto } from './live-detection.mapper';

/** A Redis read slower than this is abandoned for PostgreSQL. */
const REDIS_READ_TIMEOUT_MS = 500;
const REBUILD_LOCK_MS = 5_000;
const BODY_HEAD = Buffer.from('{"success":true,"data":[');
const BODY_TAIL = Buffer.from(']}');
const COMMA = Buffer.from(',');

/**
 * Inserts one rendered detection into each live list, newest timestamp first (a sighting decided
 * late, e.g. when its track closed, lands at its place, not on top), and trims to the cap; a
 * detection already listed (pushed again by a re-run job) is replaced where it is. Lists
 * that were never built (no meta key) are left alone: their first reader builds them from
 * PostgreSQL. Every write bumps the list's version so a concurrent rebuild knows it is stale.
 * KEYS: per scope (list, meta, version); ARGV: item, ISO timestamp, cap, item id prefix.
 */
const PUSH_SCRIPT = `
local item, ts, cap, prefix = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
for i = 1, #KEYS, 3 do
  local list, meta, ver = KEYS[i], KEYS[i + 1], KEYS[i + 2]
  if redis.call('EXISTS', meta) == 1 then
    local items = redis.call('LRANGE', list, 0, cap - 1)
    local pivot, listed = nil, nil
    for idx, v in ipairs(items) do
      if string.sub(v, 1, #prefix) == prefix then listed = idx break end
    end
    if listed ~= nil then
      redis.call('LSET', list, listed - 1, item)
    else
      for _, v in ipairs(items) do
        local t = string.match(v, '"timestamp":"([^"]+)"')
        if t == nil or t <= ts then pivot = v break end
      end
      if pivot == nil then
        redis.call('RPUSH', list, item)
      else
        redis.call('LINSERT', list, 'BEFORE', pivot, item)
      end
      redis.call('LTRIM', list, 0, cap - 1)
    end
  end
  redis.call('INCR', ver)
end
return 1
`;

/** Replaces the item whose rendering starts with ARGV[1] by ARGV[2] in each list. KEYS as PUSH_SCRIPT. */
const REPLACE_SCRIPT = `
local prefix, item = ARGV[1], ARGV[2]
for i = 1, #KEYS, 3 do
  local list, ver = KEYS[i], KEYS[i + 2]
  local items = redis.call('LRANGE', list, 0, -1)
  for idx, v in ipairs(items) do
    if string.sub(v, 1, #prefix) == prefix then
      redis.call('LSET', list, idx - 1, item)
      break
    end
  end
  redis.call('INCR', ver)
end
return 1
`;

/**
 * Replaces a list with a rebuilt one unless a write happened since the rebuild read its version.
 * KEYS: list, meta, version; ARGV: version read, fresh-until (ms), items...
 */
const REBUILD_SCRIPT = `
local current = redis.call('GET', KEYS[3]) or '0'
if current ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
if #ARGV > 2 then redis.call('RPUSH', KEYS[1], unpack(ARGV, 3)) end
redis.call('SET', KEYS[2], ARGV[2])
return 1
`;

/**
 * Live detections: the newest sightings per camera and overall, kept in Redis lists of rendered
 * JSON by the pipeline (written on every new or changed sighting, so they are always current: no
 * TTL that lets a herd of requests through to PostgreSQL). A read is one round trip and no JSON
 * work at all; the response body is the cached strings joined.
 *
 * Lists are built from PostgreSQL by their first reader (one process at a time, guarded by a lock
 * and a write counter so a rebuild racing with a write is discarded) and rebuilt once a day so the
 * presigned thumbnail URLs they hold (valid 7 days) never expire while served. When Redis is
 * unreachable, reads fall back to PostgreSQL.
 */
@Injectable()
export class LiveDetectionsService {
  private readonly log = rootLogger().child({ context: 'LiveDetections' });
  private readonly rebuilding = new Map<string, Promise<string[] | null>>();

  constructor(
    private readonly redis: RedisService,
    private readonly repo: DetectionsRepository,
    private readonly storage: StorageService,
  ) {}

  /**
   * The complete response body of GET /detections/live: the envelope around the cached items, as
   * bytes straight from Redis (no decoding, parsing or re-encoding).
   */
  async responseBody(cameraId: string | null, limit: number): Promise<Buffer> {
    return this.envelope(await this.renderedItems(cameraId, limit));
  }

  private envelope(items: Buffer[]): Buffer {
    const parts: Buffer[] = [BODY_HEAD];
    items.forEach((item, i) => {
      if (i > 0) parts.push(COMMA);
      parts.push(item);
    });
    parts.push(BODY_TAIL);
    return Buffer.concat(parts);
  }

  /**
   * The Redis keys of a cached list (its meta key: fresh-until in ms; the list of rendered items)
   * and how many items to read, for a caller that reads them in its own round trip; `cachedBody`
   * turns what it read into the response body.
   */
  listKeys(cameraId: string | null, limit: number): { meta: string; list: string; take: number } {
    const scope = cameraId ?? LIVE_ALL_SCOPE;
    return {
      meta: REDIS_KEYS.liveMeta(scope),
      list: REDIS_KEYS.liveList(scope),
      take: Math.max(1, Math.min(LIVE_LIST_CAP, Math.floor(limit))),
    };
  }

  /** The body from the list's meta and items (listKeys), or null when the list is cold or due for a rebuild (use responseBody). */
  cachedBody(meta: unknown, items: unknown): Buffer | null {
    const freshUntil = Buffer.isBuffer(meta) ? Number(meta.toString('latin1')) : typeof meta === 'string' ? Number(meta) : NaN;
    if (!(freshUntil > Date.now()) || !Array.isArray(items) || !items.every((i) => Buffer.isBuffer(i))) return null;
    return this.envelope(items as Buffer[]);
  }

  /** The newest `limit` detections (of one camera, or of all), newest first. */
  async list(cameraId: string | null, limit: number): Promise<LiveDetectionDto[]> {
    return (await this.renderedItems(cameraId, limit)).map((b) => JSON.parse(b.toString('utf8')) as LiveDetectionDto);
  }

  /** A new sighting: into its camera's list and the global one (once). Never throws (cache only). */
  async push(dto: LiveDetectionDto): Promise<void> {
    try {
      await this.redis.client.eval(
        PUSH_SCRIPT,
        6,
        ...this.scopeKeys(dto.cameraId),
        ...this.scopeKeys(LIVE_ALL_SCOPE),
        renderLiveDetection(dto),
        dto.timestamp,
        LIVE_LIST_CAP,
        liveItemPrefix(dto.id),
      );
    } catch (err) {
      // The lists are rebuilt from PostgreSQL when they go stale; a lost push shows up then.
      this.log.warn({ err: (err as Error).message, detectionId: dto.id }, 'live cache push failed');
      await this.invalidate(dto.cameraId);
    }
  }

  /** A sighting whose identity changed: replace it where it is listed. Never throws. */
  async replace(dto: LiveDetectionDto): Promise<void> {
    try {
      await this.redis.client.eval(
        REPLACE_SCRIPT,
        6,
        ...this.scopeKeys(dto.cameraId),
        ...this.scopeKeys(LIVE_ALL_SCOPE),
        liveItemPrefix(dto.id),
        renderLiveDetection(dto),
      );
    } catch (err) {
      this.log.warn({ err: (err as Error).message, detectionId: dto.id }, 'live cache replace failed');
      await this.invalidate(dto.cameraId);
    }
  }

  /** Renders a row as the live view shows it (presigned thumbnail URL valid 7 days). */
  async render(row: DetectionEntity): Promise<LiveDetectionDto> {
    const url = row.thumbnail ? await this.storage.presignedGetUrl(row.thumbnail, LIVE_THUMBNAIL_URL_SECONDS) : null;
    return toLiveDetectionDto(row, url);
  }

  /** Marks a camera's list and the global one stale: the next read rebuilds them. */
  async invalidate(cameraId: string): Promise<void> {
    await this.redis.del(REDIS_KEYS.liveMeta(cameraId), REDIS_KEYS.liveMeta(LIVE_ALL_SCOPE));
  }

  // ---------------------------------------------------------------------------------------------

  private scopeKeys(scope: string): [string, string, string] {
    return [REDIS_KEYS.liveList(scope), REDIS_KEYS.liveMeta(scope), REDIS_KEYS.liveVersion(scope)];
  }

  private async renderedItems(cameraId: string | null, limit: number): Promise<Buffer[]> {
    const scope = cameraId ?? LIVE_ALL_SCOPE;
    const take = Math.max(1, Math.min(LIVE_LIST_CAP, Math.floor(limit)));
    const cached = await this.readCache(scope, take);
    if (cached && cached.meta !== null) {
      if (!(Number(cached.meta) > Date.now())) void this.rebuild(scope, cameraId);
      return cached.items;
    }
    if (cached) {
      // Cold list: build it (one reader per process; the lock keeps other processes out).
      const built = await this.rebuild(scope, cameraId);
      if (built) return built.slice(0, take).map((s) => Buffer.from(s, 'utf8'));
    }
    return (await this.fromDatabase(cameraId, take)).map((s) => Buffer.from(s, 'utf8'));
  }

  /** {meta, items} or null when Redis did not answer. */
  private async readCache(scope: string, take: number): Promise<{ meta: string | null; items: Buffer[] } | null> {
    if (!this.redis.ready) return null;
    let timer: NodeJS.Timeout | undefined;
    try {
      const read = this.redis.client
        .pipeline()
        .get(REDIS_KEYS.liveMeta(scope))
        .lrangeBuffer(REDIS_KEYS.liveList(scope), 0, take - 1)
        .exec();
      const timeout = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), REDIS_READ_TIMEOUT_MS);
      });
      const res = await Promise.race([read, timeout]);
      if (!res) return null;
      const [[metaErr, meta], [listErr, items]] = res as [[Error | null, string | null], [Error | null, Buffer[]]];
      if (metaErr || listErr) return null;
      return { meta, items };
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  private rebuild(scope: string, cameraId: string | null): Promise<string[] | null> {
    let running = this.rebuilding.get(scope);
    if (!running) {
      running = this.doRebuild(scope, cameraId).finally(() => this.rebuilding.delete(scope));
      this.rebuilding.set(scope, running);
    }
    return running;
  }

  /** Rebuilds a list from PostgreSQL under a short lock; resolves its items, or null when another process holds the lock. */
  private async doRebuild(scope: string, cameraId: string | null): Promise<string[] | null> {
    try {
      const lock = await this.redis.client.set(REDIS_KEYS.liveRebuildLock(scope), String(process.pid), 'PX', REBUILD_LOCK_MS, 'NX');
      if (lock !== 'OK') return null;
      try {
        const version = (await this.redis.client.get(REDIS_KEYS.liveVersion(scope))) ?? '0';
        const rows = await this.repo.recent(cameraId, LIVE_LIST_CAP);
        const items = await Promise.all(rows.map(async (r) => renderLiveDetection(await this.render(r))));
        await this.redis.client.eval(REBUILD_SCRIPT, 3, ...this.scopeKeys(scope), version, String(Date.now() + LIVE_REFRESH_MS), ...items);
        return items;
      } finally {
        await this.redis.client.del(REDIS_KEYS.liveRebuildLock(scope)).catch(() => undefined);
      }
    } catch (err) {
      this.log.debug({ err: (err as Error).message, scope }, 'live cache rebuild failed');
      return null;
    }
  }

  private async fromDatabase(cameraId: string | null, take: number): Promise<string[]> {
    const rows = await this.repo.recent(cameraId, take);
    return Promise.all(rows.map(async (r) => renderLiveDetection(await this.render(r))));
  }
}
