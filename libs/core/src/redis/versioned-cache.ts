import type { RedisService } from './redis.service';

/**
 * One round trip for a read: the current version of the cache (created at first use, or after a
 * flush, above any earlier one) and the entries stored under it for each variant.
 * KEYS[1] = version key; ARGV = [initial version, entry key prefix (with REDIS_PREFIX: keys built in
 * Lua are not prefixed by ioredis), entry key suffixes...]. Returns {version, entry or '' ...}.
 */
const READ_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'NX')
  v = redis.call('GET', KEYS[1])
end
local out = {v}
for i = 3, #ARGV do out[#out + 1] = redis.call('GET', ARGV[2] .. v .. ARGV[i]) or '' end
return out
`;

/**
 * A read-through cache in Redis for answers that every api process may share (list pages), kept
 * correct by versioning rather than by expiry: every write to the underlying data calls invalidate(),
 * which bumps the version, so no process serves an entry written before the change. Entries also
 * expire after `ttlSeconds`, which bounds staleness after a write made around the cache (raw SQL, a
 * restore) and lets old versions disappear. When Redis is unreachable reads miss and writes are
 * skipped: the cache never fails a request.
 */
export class VersionedCache<T> {
  private readonly versionKey: string;
  private readonly entryPrefix: string;

  constructor(
    private readonly redis: RedisService,
    name: string,
    private readonly ttlSeconds = 30,
  ) {
    this.versionKey = `cache:${name}:version`;
    this.entryPrefix = `cache:${name}:entry:`;
    // EVALSHA on every read (ioredis sends the script body only when Redis does not know it yet)
    if (!('versionedCacheRead' in redis.client)) redis.client.defineCommand('versionedCacheRead', { numberOfKeys: 1, lua: READ_SCRIPT });
  }

  /** The current version and, when cached under it, the entry for `variant`; null without Redis. */
  async read(variant: string): Promise<{ version: string; value?: T } | null> {
    const read = await this.readAll([variant]);
    if (!read) return null;
    const [value] = read.values;
    return value === undefined ? { version: read.version } : { version: read.version, value };
  }

  /** The current version and the entries cached under it for each variant (undefined: not cached), in one round trip. */
  async readAll(variants: readonly string[]): Promise<{ version: string; values: Array<T | undefined> } | null> {
    try {
      const client = this.redis.client as unknown as {
        versionedCacheRead(key: string, initial: string, entryPrefix: string, ...entrySuffixes: string[]): Promise<string[]>;
      };
      const [version, ...raws] = await client.versionedCacheRead(
        this.versionKey,
        String(Date.now()),
        `${this.redis.prefix}${this.entryPrefix}`,
        ...variants.map((v) => `:${v}`),
      );
      return { version, values: raws.map((raw) => (raw ? (JSON.parse(raw) as T) : undefined)) };
    } catch {
      return null;
    }
  }

  /** Stores `value` for `variant` under the version read() returned before the data was read. */
  async write(version: string, variant: string, value: T): Promise<void> {
    await this.writeAll(version, [[variant, value]]);
  }

  /** Stores several entries under the version readAll() returned before the data was read (one round trip). */
  async writeAll(version: string, entries: ReadonlyArray<readonly [variant: string, value: T]>): Promise<void> {
    if (entries.length === 0) return;
    try {
      const write = this.redis.client.multi();
      for (const [variant, value] of entries)
        write.set(`${this.entryPrefix}${version}:${variant}`, JSON.stringify(value), 'EX', this.ttlSeconds);
      await write.exec();
    } catch {
      /* cache only */
    }
  }

  /** After a write to the underlying data: entries cached before it are never served again. */
  async invalidate(): Promise<void> {
    try {
      // only an existing version is bumped: a missing one is created (above any earlier) by read()
      if (await this.redis.client.exists(this.versionKey)) await this.redis.client.incr(this.versionKey);
    } catch {
      /* nothing can be read from the cache while Redis is away; entries expire on their own */
    }
  }
}
