import { Injectable } from '@nestjs/common';
import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';
import { Client, ClientOptions } from 'minio';
import { EnvDto } from '@app/core';
import { mapStorageError, StorageObjectNotFoundError, StorageTimeoutError } from './storage.errors';

export interface PutOptions {
  contentType: string;
  /** Byte length of a stream body when known (a Buffer's own length is used otherwise). */
  size?: number;
  /** Extra user metadata, stored as x-amz-meta-* headers. */
  metadata?: Record<string, string>;
}

export interface ObjectStat {
  key: string;
  size: number;
  etag: string;
  contentType: string | null;
  lastModified: Date;
  metadata: Record<string, string>;
}

export interface PresignOptions {
  /** Sent back as Content-Disposition: attachment, so browsers save the file under this name. */
  downloadName?: string;
}

/** The longest lifetime SigV4 allows for a presigned URL (7 days). */
export const MAX_PRESIGN_SECONDS = 604800;

interface EndpointParts {
  endPoint: string;
  port: number;
  useSSL: boolean;
}

function parseEndpoint(url: string): EndpointParts {
  const u = new URL(url);
  const useSSL = u.protocol === 'https:';
  return {
    endPoint: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : useSSL ? 443 : 80,
    useSSL,
  };
}

/**
 * A transport for the minio client that gives up when no response headers arrive within timeoutMs
 * (the client has no timeout of its own, so a silent server would hang a request forever).
 * Once headers arrive the timer is cleared: a slow consumer of a download stream is not cut off.
 */
function timedTransport(useSSL: boolean, timeoutMs: number): NonNullable<ClientOptions['transport']> {
  const mod = useSSL ? https : http;
  const request = (options: http.RequestOptions, callback?: (res: http.IncomingMessage) => void): http.ClientRequest => {
    const req = mod.request(options, callback);
    req.setTimeout(timeoutMs, () => req.destroy(new StorageTimeoutError(timeoutMs)));
    req.once('response', () => req.setTimeout(0));
    return req;
  };
  return { request: request as typeof http.request };
}

function rfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Content-Disposition for a download (RFC 6266). ASCII names are sent as `filename="..."` only; other
 * names add `filename*=UTF-8''...`. (s3rver encodes `'`, `*`, `(`, `)` and `!` in query values unlike
 * real S3, so a URL whose name holds one of them, or any non-ASCII name, only verifies on MinIO/S3.)
 */
export function attachmentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const base = `attachment; filename="${ascii}"`;
  return ascii === name ? base : `${base}; filename*=UTF-8''${rfc5987(name)}`;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StorageTimeoutError(ms)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

/**
 * The S3 client (minio package) behind every stored file: face images, snapshots, thumbnails, exports.
 * Keys are paths inside the one bucket (S3_BUCKET), e.g. `faces/<profileId>/<imageId>.jpg`.
 * An unreachable server surfaces as StorageUnavailableError (503), a missing object as
 * StorageObjectNotFoundError (404).
 */
@Injectable()
export class StorageService {
  readonly bucket: string;
  private readonly client: Client;
  /** Signs URLs for the host clients fetch from; never makes a request (region is fixed). */
  private readonly signer: Client;
  private readonly timeoutMs: number;

  constructor(env: EnvDto) {
    this.bucket = env.S3_BUCKET;
    this.timeoutMs = env.S3_TIMEOUT_MS;
    const internal = parseEndpoint(env.S3_ENDPOINT);
    const common = {
      accessKey: env.S3_ACCESS_KEY,
      secretKey: env.S3_SECRET_KEY,
      region: env.S3_REGION,
      pathStyle: true,
    };
    this.client = new Client({
      ...common,
      ...internal,
      transport: timedTransport(internal.useSSL, this.timeoutMs),
    });
    const publicEndpoint = parseEndpoint(env.S3_PUBLIC_ENDPOINT ?? env.S3_ENDPOINT);
    this.signer = new Client({ ...common, ...publicEndpoint });
  }

  /** Create the bucket when it does not exist. */
  async ensureBucket(): Promise<void> {
    try {
      const exists = await this.client.bucketExists(this.bucket);
      if (!exists) await this.client.makeBucket(this.bucket, this.client.region);
    } catch (err) {
      throw mapStorageError(err, 'ensureBucket');
    }
  }

  /**
   * Store an object. A stream without `size` is buffered up to the client's part size and sent in one
   * request; only larger streams use a multipart upload.
   */
  async put(key: string, body: Buffer | Readable, opts: PutOptions): Promise<{ key: string; etag: string; size: number }> {
    const meta: Record<string, string> = { 'Content-Type': opts.contentType, ...(opts.metadata ?? {}) };
    try {
      if (Buffer.isBuffer(body)) {
        const res = await this.client.putObject(this.bucket, key, body, body.length, meta);
        return { key, etag: res.etag, size: body.length };
      }
      if (opts.size !== undefined) {
        const res = await this.client.putObject(this.bucket, key, body, opts.size, meta);
        return { key, etag: res.etag, size: opts.size };
      }
      const { buffer, rest } = await this.bufferUpTo(body, this.client.partSize);
      if (rest === null) {
        const res = await this.client.putObject(this.bucket, key, buffer, buffer.length, meta);
        return { key, etag: res.etag, size: buffer.length };
      }
      const res = await this.client.putObject(this.bucket, key, rest, undefined, meta);
      const stat = await this.stat(key);
      return { key, etag: res.etag, size: stat?.size ?? 0 };
    } catch (err) {
      throw mapStorageError(err, 'put');
    }
  }

  async getBuffer(key: string): Promise<Buffer> {
    try {
      const stream = await this.client.getObject(this.bucket, key);
      return await readAll(stream);
    } catch (err) {
      throw mapStorageError(err, 'get', key);
    }
  }

  async getStream(key: string): Promise<Readable> {
    try {
      return await this.client.getObject(this.bucket, key);
    } catch (err) {
      throw mapStorageError(err, 'get', key);
    }
  }

  /** Object metadata, or null when the object does not exist. */
  async stat(key: string): Promise<ObjectStat | null> {
    try {
      const s = await this.client.statObject(this.bucket, key);
      const metadata: Record<string, string> = {};
      let contentType: string | null = null;
      for (const [k, v] of Object.entries(s.metaData ?? {})) {
        const value = String(v);
        if (k.toLowerCase() === 'content-type') contentType = value;
        else metadata[k] = value;
      }
      return { key, size: s.size, etag: s.etag, contentType, lastModified: s.lastModified, metadata };
    } catch (err) {
      const mapped = mapStorageError(err, 'stat', key);
      if (mapped instanceof StorageObjectNotFoundError) return null;
      throw mapped;
    }
  }

  /** Delete one object; deleting a missing object is not an error. */
  async remove(key: string): Promise<void> {
    try {
      await this.client.removeObject(this.bucket, key);
    } catch (err) {
      const mapped = mapStorageError(err, 'remove', key);
      if (mapped instanceof StorageObjectNotFoundError) return;
      throw mapped;
    }
  }

  /** Delete many objects (batches of 1,000, the S3 limit per request). */
  async removeMany(keys: readonly string[]): Promise<void> {
    try {
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000);
        const results = await this.client.removeObjects(this.bucket, [...batch]);
        const failed = results.filter(
          (r): r is typeof r & { Code: string } =>
            typeof r === 'object' && r !== null && 'Code' in r && typeof r.Code === 'string' && r.Code !== 'NoSuchKey',
        );
        if (failed.length) throw new Error(`failed to delete ${failed.length} object(s): ${failed[0]!.Code}`);
      }
    } catch (err) {
      throw mapStorageError(err, 'removeMany');
    }
  }

  /** Delete every object under a prefix (e.g. `faces/<profileId>/`); returns how many were deleted. */
  async removePrefix(prefix: string): Promise<number> {
    if (!prefix) throw new Error('removePrefix needs a non-empty prefix (refusing to empty the bucket)');
    const keys = await this.listKeys(prefix);
    await this.removeMany(keys);
    return keys.length;
  }

  /** Every key under a prefix, in the server's (lexicographic) order. */
  async listKeys(prefix: string): Promise<string[]> {
    try {
      const keys: string[] = [];
      const stream = this.client.listObjectsV2(this.bucket, prefix, true);
      for await (const item of stream as AsyncIterable<{ name?: string }>) {
        if (item.name) keys.push(item.name);
      }
      return keys;
    } catch (err) {
      throw mapStorageError(err, 'list');
    }
  }

  /** Every object under a prefix with its last-modified time, in the server's (lexicographic) order, as listed. */
  async *listObjects(prefix: string): AsyncGenerator<{ key: string; lastModified: Date | null }> {
    try {
      const stream = this.client.listObjectsV2(this.bucket, prefix, true);
      for await (const item of stream as AsyncIterable<{ name?: string; lastModified?: Date }>) {
        if (item.name) yield { key: item.name, lastModified: item.lastModified instanceof Date ? item.lastModified : null };
      }
    } catch (err) {
      throw mapStorageError(err, 'list');
    }
  }

  /**
   * A GET URL valid for expirySeconds (1 s .. 7 days), signed for S3_PUBLIC_ENDPOINT (or S3_ENDPOINT).
   * Computed locally: no request to the server.
   */
  async presignedGetUrl(key: string, expirySeconds: number, opts: PresignOptions = {}): Promise<string> {
    const expiry = Math.max(1, Math.min(MAX_PRESIGN_SECONDS, Math.floor(expirySeconds)));
    const params = opts.downloadName ? { 'response-content-disposition': attachmentDisposition(opts.downloadName) } : undefined;
    return this.signer.presignedGetObject(this.bucket, key, expiry, params);
  }

  /** Readiness: true when the server answers for the bucket within timeoutMs. Never throws. */
  async ping(timeoutMs = 2000): Promise<boolean> {
    try {
      return await withTimeout(this.client.bucketExists(this.bucket), timeoutMs);
    } catch {
      return false;
    }
  }

  /** Read up to `limit` bytes. `rest` is null when the stream ended within the limit. */
  private async bufferUpTo(stream: Readable, limit: number): Promise<{ buffer: Buffer; rest: Readable | null }> {
    const chunks: Buffer[] = [];
    let total = 0;
    const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
    while (total <= limit) {
      const { value, done } = await iterator.next();
      if (done) return { buffer: Buffer.concat(chunks), rest: null };
      const chunk = Buffer.isBuffer(value) ? value : Buffer.from(value);
      chunks.push(chunk);
      total += chunk.length;
    }
    async function* replay(): AsyncGenerator<Buffer> {
      yield* chunks;
      for (;;) {
        const { value, done } = await iterator.next();
        if (done) return;
        yield Buffer.isBuffer(value) ? value : Buffer.from(value);
      }
    }
    return { buffer: Buffer.alloc(0), rest: Readable.from(replay()) };
  }
}
