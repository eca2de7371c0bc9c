import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadEnv, resetEnv } from '@app/core';
import { createDataSource } from '@app/database/data-source';
import { SeedService } from '@app/database/seed/seed.service';
import { createApiApp } from '../../apps/api/src/app.factory';
import { ADMIN, createTestApp, TestContext } from '../support/test-app';
import { PrivatePostgres, PrivateRedis, startPrivatePostgres, startPrivateRedis } from '../support/services';
import { RunningS3Server, startS3Server } from '../support/s3';

async function waitStatus(get: () => Promise<number>, want: number, timeoutMs = 20_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < end) {
    last = await get();
    if (last === want) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  return last;
}

describe('Redis stopped and started', () => {
  let redis: PrivateRedis;
  let t: TestContext;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    t = await createTestApp({ REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
  });

  it('keeps the API up, reports it in readiness, and recovers', async () => {
    const token = (await t.login()).accessToken;
    await redis.stop();
    const ready = await waitStatus(async () => (await t.http().get('/health/ready')).status, 503);
    expect(ready).toBe(503);
    const body = (await t.http().get('/health/ready')).body;
    expect(body.error.details.redis.status).toBe('down');
    // authenticated reads and logins still work (rate limits fail open, caches miss)
    expect((await t.http().get('/api/v1/users').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    expect((await t.http().post('/api/v1/auth/login').send({ username: ADMIN.email, password: ADMIN.password })).status).toBe(200);
    // job lookups fail cleanly
    const job = await t.http().get('/api/v1/jobs/det_00000000-0000-4000-8000-000000000000').set('Authorization', `Bearer ${token}`);
    expect(job.status).toBeLessThan(600);
    expect([404, 503]).toContain(job.status);
    await redis.start();
    expect(await waitStatus(async () => (await t.http().get('/health/ready')).status, 200)).toBe(200);
  }, 60_000);
});

describe('PostgreSQL restarted', () => {
  let pg: PrivatePostgres;
  let app: NestExpressApplication;
  let s3: RunningS3Server;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    s3 = await startS3Server();
    const vars: Record<string, string> = {
      S3_ENDPOINT: s3.endpoint,
      DATABASE_URL: pg.url('postgres'),
      LOG_LEVEL: 'silent',
      BCRYPT_ROUNDS: '4',
      REDIS_PREFIX: `pgr${Date.now().toString(36)}`,
    };
    for (const [k, v] of Object.entries(vars)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    resetEnv();
    const ds = createDataSource(loadEnv());
    await ds.initialize();
    await ds.runMigrations();
    await new SeedService(ds, loadEnv()).run({ demo: false });
    await ds.destroy();
    app = await createApiApp({ logger: false });
    await app.listen(0, '127.0.0.1');
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await pg.destroy();
    await s3.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetEnv();
  });

  it('fails cleanly with 503 while it is down and recovers after', async () => {
    const http = () => request(app.getHttpServer());
    const login = await http().post('/api/v1/auth/login').send({ username: ADMIN.email, password: ADMIN.password });
    expect(login.status).toBe(200);
    const token = login.body.data.accessToken as string;
    await pg.stop();
    const down = await http().get('/api/v1/users').set('Authorization', `Bearer ${token}`);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ success: false, error: { code: 'SERVICE_UNAVAILABLE' } });
    expect(JSON.stringify(down.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/i);
    expect((await http().get('/health/ready')).status).toBe(503);
    expect((await http().get('/health/live')).status).toBe(200);
    await pg.start();
    const back = await waitStatus(
      async () => (await http().get('/api/v1/users').set('Authorization', `Bearer ${token}`)).status,
      200,
      30_000,
    );
    expect(back).toBe(200);
    expect((await http().get('/health/ready')).status).toBe(200);
  }, 90_000);
});
