import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';

export interface S3ServerOptions {
  /** Where objects are kept; a fresh temp directory (removed on stop) when omitted. */
  directory?: string;
  /** 0 (default) lets the OS choose. */
  port?: number;
  /** Buckets created before the server answers. */
  buckets?: string[];
}

export interface RunningS3Server {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * A local S3 server (@20minutes/s3rver) that checks SigV4 signatures, so tampered and expired
 * presigned URLs get 403 as on real S3. Access key and secret are both `S3RVER`.
 */
export async function startS3Server(opts: S3ServerOptions = {}): Promise<RunningS3Server> {
  const ownDir = opts.directory === undefined;
  const directory = opts.directory ?? (await mkdtemp(join(tmpdir(), 's3rver-')));
  const server = new S3rver({
    address: '127.0.0.1',
    port: opts.port ?? 0,
    directory,
    silent: true,
    configureBuckets: (opts.buckets ?? ['face-attendance-bucket']).map((name) => ({ name })),
  });
  const address = await server.run();
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      // keep-alive sockets from clients would hold close() open until they idle out
      server.httpServer?.closeAllConnections();
      await server.close();
      if (ownDir) await rm(directory, { recursive: true, force: true });
    },
  };
}
