import { randomUUID } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { Redis } from 'ioredis';
import { resetEnv } from '@app/core';
import { createTestDatabase, TestDatabase } from './test-db';
import { RunningS3Server, startS3Server } from './s3';
import { createApiApp } from '../../apps/api/src/app.factory';

export const ADMIN = { email: 'admin@example.com', password: 'admin12345' };

export interface TestContext {
  app: NestExpressApplication;
  db: TestDatabase;
  s3: RunningS3Server;
  redisPrefix: string;
  /** http://127.0.0.1:<port> of the listening app (for WebSocket clients: ws://.../ws?token=). */
  baseUrl: string;
  /** The environment the app was started with (pass to createTestWorker / child processes). */
  env: Record<string, string>;
  http: () => ReturnType<typeof request>;
  /** Logs in and returns the access token (and the whole login payload). */
  login(email?: string, password?: string): Promise<{ accessToken: string; refreshToken: string; body: LoginBody }>;
  /** An access token for a new user of the given role (created through the API as admin). */
  userWithRole(
    roleId: string,
    overrides?: { email?: string; password?: string },
  ): Promise<{ id: string; email: string; password: string; token: string }>;
  close(): Promise<void>;
}

interface LoginBody {
  success: boolean;
  data: { accessToken: string; refreshToken: string; user: { id: string; email: string; roleId: string } };
}

/**
 * Boots the real api application (same factory as production) on its own database cloned from the
 * migrated + seeded template, its own S3 server and its own Redis key prefix.
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestContext> {
  const db = await createTestDatabase();
  const s3 = await startS3Server();
  const redisPrefix = `t${randomUUID().slice(0, 8)}`;
  const vars: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '5',
    REDIS_PREFIX: redisPrefix,
    S3_ENDPOINT: s3.endpoint,
    BCRYPT_ROUNDS: '4',
    LOG_LEVEL: 'silent',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    RATE_LIMIT_PER_MINUTE: '100000',
    LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
    ...env,
  };
  const previous: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    previous[k] = process.env[k];
    process.env[k] = v;
  }
  resetEnv();
  const app = await createApiApp({ logger: false });
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer();
  const address = server.address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const http = (): ReturnType<typeof request> => request(server);

  const ctx: TestContext = {
    app,
    db,
    s3,
    redisPrefix,
    baseUrl,
    env: vars,
    http,
    async login(email = ADMIN.email, password = ADMIN.password) {
      const res = await http().post('/api/v1/auth/login').send({ username: email, password });
      if (res.status !== 200) throw new Error(`login failed for ${email}: ${res.status} ${JSON.stringify(res.body)}`);
      const body = res.body as LoginBody;
      return { accessToken: body.data.accessToken, refreshToken: body.data.refreshToken, body };
    },
    async userWithRole(roleId, overrides = {}) {
      const admin = await ctx.login();
      const email = overrides.email ?? `${roleId.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`;
      const password = overrides.password ?? 'correct-horse-battery';
      const res = await http()
        .post('/api/v1/users')
        .set('Authorization', `Bearer ${admin.accessToken}`)
        .send({ name: `Test ${roleId}`, email, roleId, password });
      if (res.status !== 201) throw new Error(`create user failed: ${res.status} ${JSON.stringify(res.body)}`);
      const { accessToken } = await ctx.login(email, password);
      return { id: (res.body as { data: { id: string } }).data.id, email, password, token: accessToken };
    },
    async close() {
      await app.close();
      await s3.stop();
      await db.drop();
      await deleteRedisPrefix(redisPrefix);
      for (const [k, v] of Object.entries(previous)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      resetEnv();
    },
  };
  return ctx;
}

export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    /* best effort */
  } finally {
    redis.disconnect();
  }
}
