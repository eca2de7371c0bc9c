import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, TestContext } from '../support/test-app';

describe('API conventions (envelope, errors, request id, validation, limits)', () => {
  let t: TestContext;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp();
    token = (await t.login()).accessToken;
  });
  afterAll(async () => t.close());

  it('wraps success in {success, data} and echoes a generated request id', async () => {
    const res = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.data.user.email).toBe('admin@example.com');
    expect(res.body.data.permissions).toEqual(['*']);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('takes the caller X-Request-Id and puts it in error bodies', async () => {
    const res = await t.http().get('/api/v1/users').set('X-Request-Id', 'trace-abc-123');
    expect(res.status).toBe(401);
    expect(res.headers['x-request-id']).toBe('trace-abc-123');
    expect(res.body).toEqual({ success: false, error: { code: 'UNAUTHORIZED', message: expect.any(String) }, requestId: 'trace-abc-123' });
  });

  it('answers unknown routes with a 404 envelope', async () => {
    const res = await t.http().get('/api/v1/no-such-thing').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(404);
    expect(res.body.success).toBe(false);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect(typeof res.body.requestId).toBe('string');
  });

  it('rejects malformed JSON with 400', async () => {
    const res = await t.http().post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"username": "x",');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('rejects oversized bodies with 413', async () => {
    const res = await t
      .http()
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ username: 'a'.repeat(2 * 1024 * 1024), password: 'x' }));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('reports every invalid field and rejects unknown fields', async () => {
    const res = await t
      .http()
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${token}`)
      .send({ name: 42, email: 'not-an-email', roleId: 'ROLE-OPERATOR', isAdmin: true });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    const fields = (res.body.error.details as Array<{ field: string }>).map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'email', 'isAdmin']));
  });

  it('validates pagination bounds', async () => {
    for (const q of ['page=0', 'page=-1', 'pageSize=0', 'pageSize=201', 'pageSize=abc', 'page=1e309']) {
      const res = await t.http().get(`/api/v1/users?${q}`).set('Authorization', `Bearer ${token}`);
      expect([q, res.status]).toEqual([q, 400]);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    const ok = await t.http().get('/api/v1/users?page=1&pageSize=200').set('Authorization', `Bearer ${token}`);
    expect(ok.status).toBe(200);
    expect(ok.body.meta).toEqual({ page: 1, pageSize: 200, total: expect.any(Number), totalPages: expect.any(Number) });
  });

  it('answers malformed ids with a 400 envelope, never a 500', async () => {
    for (const id of ['not-a-uuid', "1' OR '1'='1", '..%2F..%2Fetc%2Fpasswd', '%00']) {
      const res = await t.http().get(`/api/v1/users/${id}`).set('Authorization', `Bearer ${token}`);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.success).toBe(false);
    }
  });

  it('serves the OpenAPI document and Swagger UI', async () => {
    const json = await t.http().get('/docs-json');
    expect(json.status).toBe(200);
    expect(json.body.openapi).toMatch(/^3\./);
    expect(Object.keys(json.body.paths)).toContain('/api/v1/auth/login');
    const ui = await t.http().get('/docs/');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('health: live and ready', async () => {
    const live = await t.http().get('/health/live');
    expect(live.status).toBe(200);
    expect(live.body.data.status).toBe('ok');
    const ready = await t.http().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.data.checks).toEqual({
      postgres: expect.objectContaining({ status: 'up' }),
      redis: expect.objectContaining({ status: 'up' }),
      storage: expect.objectContaining({ status: 'up' }),
    });
  });
});

describe('readiness when Redis is unreachable', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestApp({ REDIS_URL: 'redis://127.0.0.1:1/0' });
  });
  afterAll(async () => t.close());

  it('answers 503 naming redis, while the API keeps serving', async () => {
    const ready = await t.http().get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(ready.body.error.details.redis.status).toBe('down');
    expect(ready.body.error.details.postgres.status).toBe('up');
    const login = await t.http().post('/api/v1/auth/login').send({ username: 'admin@example.com', password: 'admin12345' });
    expect(login.status).toBe(200);
  });
});

describe('rate limiting', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '5', LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => t.close());

  it('limits per IP when anonymous and answers 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 7; i++) {
      last = await t.http().get('/api/v1/users');
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.body.error.code).toBe('RATE_LIMITED');
  });

  it('limits login attempts per username more strictly', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      // another client address (trusted proxy header from loopback): the anonymous per-IP budget above is spent
      const res = await t
        .http()
        .post('/api/v1/auth/login')
        .set('X-Forwarded-For', '203.0.113.7')
        .send({ username: 'victim@example.com', password: 'wrong-password' });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});
