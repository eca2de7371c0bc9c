import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { validateEnv } from '@app/core';
import { StorageObjectNotFoundError, StorageService, StorageUnavailableError } from '@app/storage';
import { RunningS3Server, startS3Server } from '../support/s3';

const BUCKET = 'storage-int-test';

function makeService(endpoint: string, extra: Record<string, string> = {}): StorageService {
  const env = validateEnv({ S3_ENDPOINT: endpoint, S3_BUCKET: BUCKET, S3_TIMEOUT_MS: '2000', ...extra });
  return new StorageService(env);
}

describe('StorageService against a local S3 server', () => {
  let s3: RunningS3Server;
  let storage: StorageService;
  const root = `it-${randomUUID()}/`;

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET] });
    storage = makeService(s3.endpoint);
    await storage.ensureBucket();
  });

  afterAll(async () => {
    await s3.stop();
  });

  it('puts, reads, stats and deletes an object', async () => {
    const key = `${root}faces/p1/a.jpg`;
    const body = Buffer.from('fake-jpeg-bytes');
    const put = await storage.put(key, body, { contentType: 'image/jpeg', metadata: { 'x-amz-meta-origin': 'test' } });
    expect(put.size).toBe(body.length);

    expect((await storage.getBuffer(key)).equals(body)).toBe(true);

    const stream = await storage.getStream(key);
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('fake-jpeg-bytes');

    const stat = await storage.stat(key);
    expect(stat).toMatchObject({ key, size: body.length, contentType: 'image/jpeg' });
    expect(stat?.lastModified).toBeInstanceOf(Date);

    await storage.remove(key);
    expect(await storage.stat(key)).toBeNull();
    await expect(storage.getBuffer(key)).rejects.toBeInstanceOf(StorageObjectNotFoundError);
    await expect(storage.remove(key)).resolves.toBeUndefined();
  });

  it('stores a stream of unknown size in one request', async () => {
    const key = `${root}exports/attendance/job.csv`;
    const stream = Readable.from(['a,b\n', '1,2\n', '3,4\n']);
    const put = await storage.put(key, stream, { contentType: 'text/csv' });
    expect(put.size).toBe(12);
    expect((await storage.getBuffer(key)).toString()).toBe('a,b\n1,2\n3,4\n');
  });

  it('lists and removes by prefix without touching other keys', async () => {
    const prefix = `${root}snapshots/cam-1/`;
    for (const n of [1, 2, 3]) await storage.put(`${prefix}${n}.jpg`, Buffer.from([n]), { contentType: 'image/jpeg' });
    const other = `${root}snapshots/cam-10/1.jpg`;
    await storage.put(other, Buffer.from('x'), { contentType: 'image/jpeg' });

    expect(await storage.listKeys(prefix)).toEqual([`${prefix}1.jpg`, `${prefix}2.jpg`, `${prefix}3.jpg`]);
    expect(await storage.removePrefix(prefix)).toBe(3);
    expect(await storage.listKeys(prefix)).toEqual([]);
    expect(await storage.stat(other)).not.toBeNull();
    await expect(storage.removePrefix('')).rejects.toThrow(/non-empty/);

    await storage.removeMany([other, `${root}missing.jpg`]);
    expect(await storage.stat(other)).toBeNull();
  });

  describe('presigned URLs', () => {
    const key = `${root}thumbnails/d1.jpg`;
    beforeAll(async () => {
      await storage.put(key, Buffer.from('thumb'), { contentType: 'image/jpeg' });
    });

    it('can be fetched, with the download name as Content-Disposition', async () => {
      const url = await storage.presignedGetUrl(key, 60, { downloadName: 'attendance 2025-11.jpg' });
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('thumb');
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="attendance 2025-11.jpg"');
    });

    it('rejects a tampered signature with 403', async () => {
      const url = new URL(await storage.presignedGetUrl(key, 60));
      const sig = url.searchParams.get('X-Amz-Signature')!;
      url.searchParams.set('X-Amz-Signature', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
      const res = await fetch(url);
      expect(res.status).toBe(403);
      await res.arrayBuffer();
    });

    it('rejects a URL for another key with 403', async () => {
      const url = new URL(await storage.presignedGetUrl(key, 60));
      url.pathname = url.pathname.replace('d1.jpg', 'd2.jpg');
      const res = await fetch(url);
      expect(res.status).toBe(403);
      await res.arrayBuffer();
    });

    it('rejects an expired URL with 403', async () => {
      const url = await storage.presignedGetUrl(key, 1);
      await new Promise((r) => setTimeout(r, 2100));
      const res = await fetch(url);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('expired');
    });

    it('signs for S3_PUBLIC_ENDPOINT without contacting it', async () => {
      const pub = makeService(s3.endpoint, { S3_PUBLIC_ENDPOINT: 'https://files.example.com' });
      const url = new URL(await pub.presignedGetUrl(key, 60));
      expect(url.origin).toBe('https://files.example.com');
      expect(url.pathname).toBe(`/${BUCKET}/${key}`);
      expect(url.searchParams.get('X-Amz-Credential')).toMatch(/\/us-east-1\/s3\/aws4_request$/);
    });
  });

  it('ping is true while up, false and errors are StorageUnavailableError once the server stops', async () => {
    const own = await startS3Server({ buckets: [BUCKET] });
    const svc = makeService(own.endpoint);
    expect(await svc.ping(1000)).toBe(true);
    await own.stop();
    expect(await svc.ping(1000)).toBe(false);
    await expect(svc.getBuffer('anything')).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(svc.put('x', Buffer.from('x'), { contentType: 'text/plain' })).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  it('ping is false when nothing answers within the timeout', async () => {
    const net = await import('node:net');
    // accepts connections but never answers
    const sockets = new Set<import('node:net').Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    try {
      const svc = makeService(`http://127.0.0.1:${port}`, { S3_TIMEOUT_MS: '300' });
      const started = Date.now();
      expect(await svc.ping(2000)).toBe(false);
      expect(Date.now() - started).toBeLessThan(1900);
      await expect(svc.stat('x')).rejects.toBeInstanceOf(StorageUnavailableError);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
