import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ADMIN, createTestApp, TestContext } from '../support/test-app';

function forgeToken(payload: Record<string, unknown>, secret: string): string {
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64(payload);
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

describe('auth: login, refresh rotation, reuse detection, logout, suspension', () => {
  let t: TestContext;
  let ds: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.app.get(DataSource);
  });
  afterAll(async () => t.close());

  it('logs in with email as username and returns tokens and the user', async () => {
    const res = await t.http().post('/api/v1/auth/login').send({ username: ADMIN.email, password: ADMIN.password });
    expect(res.status).toBe(200);
    const d = res.body.data;
    expect(d.accessToken.split('.')).toHaveLength(3);
    expect(d.refreshToken.length).toBeGreaterThan(40);
    expect(d.user).toMatchObject({ email: ADMIN.email, roleId: 'ROLE-ADMIN', status: 'active' });
    expect(d.user.lastActive).toEqual(expect.any(String));
    expect(d.user).not.toHaveProperty('hashedPassword');
    const claims = JSON.parse(Buffer.from(d.accessToken.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sub: d.user.id, email: ADMIN.email, role: 'ROLE-ADMIN', permissions: ['*'] });
    expect(claims.exp - claims.iat).toBe(900);
    // the refresh token is stored only as a hash
    const rows: Array<{ refresh_token: string }> = await ds.query('SELECT refresh_token FROM user_sessions');
    expect(rows.some((r) => r.refresh_token === d.refreshToken)).toBe(false);
  });

  it('refuses a wrong password and audits the failure as a warning', async () => {
    const res = await t.http().post('/api/v1/auth/login').send({ username: ADMIN.email, password: 'wrong-password' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    const rows: Array<{ severity: string; actor: string }> = await ds.query(
      `SELECT severity, actor FROM audit_logs WHERE action = 'auth.login_failed' ORDER BY timestamp DESC LIMIT 1`,
    );
    expect(rows[0]).toEqual({ severity: 'warning', actor: ADMIN.email });
  });

  it('rotates refresh tokens and revokes the chain when a rotated token is replayed', async () => {
    const first = await t.login();
    const r1 = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken });
    expect(r1.status).toBe(200);
    const second = r1.body.data.refreshToken as string;
    expect(second).not.toBe(first.refreshToken);
    // replay of the first token: refused, and the whole chain (including `second`) dies
    const replay = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken });
    expect(replay.status).toBe(401);
    const afterReplay = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: second });
    expect(afterReplay.status).toBe(401);
    const audit: Array<{ severity: string }> = await ds.query(`SELECT severity FROM audit_logs WHERE action = 'auth.refresh_reuse'`);
    expect(audit.length).toBeGreaterThanOrEqual(1);
    expect(audit[0].severity).toBe('critical');
  });

  it('logout answers 204 and revokes the refresh token', async () => {
    const s = await t.login();
    const out = await t.http().post('/api/v1/auth/logout').send({ refreshToken: s.refreshToken });
    expect(out.status).toBe(204);
    expect(out.text).toBe('');
    const again = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: s.refreshToken });
    expect(again.status).toBe(401);
  });

  it('refuses expired tokens, tokens signed with another key and garbage', async () => {
    const me = await t.login();
    const claims = JSON.parse(Buffer.from(me.accessToken.split('.')[1], 'base64url').toString());
    const expired = forgeToken(
      { ...claims, iat: 1000, exp: 2000 },
      process.env.JWT_SECRET ?? 'dev-only-jwt-secret-change-me-0123456789abcdef',
    );
    const foreign = forgeToken({ ...claims }, 'another-secret-another-secret-another-secret');
    for (const token of [expired, foreign, 'garbage', '']) {
      const res = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
  });

  it('a suspended user can neither use a token, log in nor refresh; a deleted user neither', async () => {
    const op = await t.userWithRole('ROLE-OPERATOR');
    const session = await t.login(op.email, op.password);
    const admin = await t.login();
    const suspend = await t
      .http()
      .put(`/api/v1/users/${op.id}`)
      .set('Authorization', `Bearer ${admin.accessToken}`)
      .send({ status: 'suspended' });
    expect(suspend.status).toBe(200);
    expect((await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${op.token}`)).status).toBe(401);
    expect((await t.http().post('/api/v1/auth/login').send({ username: op.email, password: op.password })).status).toBe(401);
    expect((await t.http().post('/api/v1/auth/refresh').send({ refreshToken: session.refreshToken })).status).toBe(401);

    const viewer = await t.userWithRole('ROLE-VIEWER');
    const del = await t.http().delete(`/api/v1/users/${viewer.id}`).set('Authorization', `Bearer ${admin.accessToken}`);
    expect(del.status).toBe(204);
    expect((await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${viewer.token}`)).status).toBe(401);
  });

  it('GET /auth/me returns the user and permissions of a non-admin role', async () => {
    const viewer = await t.userWithRole('ROLE-VIEWER');
    const res = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${viewer.token}`);
    expect(res.status).toBe(200);
    expect(res.body.data.user.roleId).toBe('ROLE-VIEWER');
    expect(res.body.data.permissions).toEqual(expect.arrayContaining(['cameras:read', 'attendance:read', 'system:read']));
    expect(res.body.data.permissions).not.toContain('users:write');
  });
});
