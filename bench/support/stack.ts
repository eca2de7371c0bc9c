/**
 * Starts the BUILT system (dist/) as real processes for benchmarks: a fresh database (created, migrated,
 * seeded through the cli), a local S3 server, the api (and optionally a worker). Run `npm run build` first.
 */
import { ChildProcess, spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface Stack {
  baseUrl: string;
  env: Record<string, string>;
  dbName: string;
  login(email?: string, password?: string): Promise<string>;
  psql(sql: string): string;
  /**
   * Clears every rate-limit counter of this stack. A bench whose one user sends more than the highest
   * per-user limit allowed (100,000 a minute) calls it before each round; every request still counts
   * a hit, so the limiter's work is measured.
   */
  resetRateLimits(): Promise<void>;
  startWorker(): ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${url}`);
}

export async function startStack(extraEnv: Record<string, string> = {}, opts: { seedDemo?: boolean } = {}): Promise<Stack> {
  const dbName = `cctv_bench_${Date.now()}`;
  const apiPort = await freePort();
  const s3Port = await freePort();
  const s3Dir = mkdtempSync(join(tmpdir(), 'bench-s3-'));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'production',
    JWT_SECRET: 'bench-jwt-secret-bench-jwt-secret-bench-0001',
    ENCRYPTION_KEY: 'bench-encryption-key-bench-encryption-key-01',
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${dbName}`,
    REDIS_PREFIX: `bench${Date.now().toString(36)}`,
    S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
    S3_LOCAL_PORT: String(s3Port),
    S3_LOCAL_DIR: s3Dir,
    API_PORT: String(apiPort),
    API_HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000',
    LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
    ...extraEnv,
  };
  const cli = (args: string[]): void => {
    execFileSync('node', ['dist/apps/cli/src/main.js', ...args], { env, stdio: 'pipe' });
  };
  cli(['db:create']);
  cli(['migrate']);
  cli(opts.seedDemo ? ['seed', '--demo'] : ['seed']);
  const children: ChildProcess[] = [];
  mkdirSync('.local/bench-logs', { recursive: true });
  const s3 = spawn('node', ['scripts/s3-local.mjs'], { env, stdio: 'ignore' });
  children.push(s3);
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") goes to the api and worker processes only.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // stdout (pino, warn and above by default) goes to .local/bench-logs/<process>-<db>.log
  const logTo = (name: string): number => openSync(`.local/bench-logs/${name}-${dbName}.log`, 'a');
  const api = spawn('node', [...nodeArgs, 'dist/apps/api/src/main.js'], { env, stdio: ['ignore', logTo('api'), 'inherit'] });
  children.push(api);
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  await waitFor(`${baseUrl}/health/ready`, 60_000);
  let redis: Redis | undefined;
  return {
    baseUrl,
    env,
    dbName,
    async login(email = 'admin@example.com', password = 'admin12345') {
      const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: email, password }),
      });
      const body = (await res.json()) as { data: { accessToken: string } };
      return body.data.accessToken;
    },
    psql(sql: string): string {
      return execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', dbName, '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
        encoding: 'utf8',
      });
    },
    async resetRateLimits() {
      redis ??= new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: `${env.REDIS_PREFIX}:` });
      for (const key of await redis.keys(`${env.REDIS_PREFIX}:rl:*`)) await redis.del(key.slice(env.REDIS_PREFIX.length + 1));
    },
    startWorker(): ChildProcess {
      const w = spawn('node', [...nodeArgs, 'dist/apps/worker/src/main.js'], { env, stdio: ['ignore', logTo('worker'), 'inherit'] });
      children.push(w);
      return w;
    },
    async stop() {
      redis?.disconnect();
      for (const c of children.reverse()) c.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 1000));
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      execFileSync(
        'psql',
        ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-c', `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`],
        { stdio: 'ignore' },
      );
    },
  };
}

export function writeResults(name: string, data: unknown): string {
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/${name}.json`;
  writeFileSync(
    file,
    `${JSON.stringify({ measuredAt: new Date().toISOString(), machine: machineInfo(), ...((data as object) ?? {}) }, null, 2)}\n`,
  );
  return file;
}

export function machineInfo(): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const os = require('node:os') as typeof import('node:os');
  return { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30) };
}
