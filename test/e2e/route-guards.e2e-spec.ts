import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { hasPermission } from '@app/auth';
import { createTestApp, TestContext } from '../support/test-app';
import { concretePath, listRoutes } from '../support/routes';

describe('every registered route declares and enforces its access rule', () => {
  let t: TestContext;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('no route is left without a rule', () => {
    const routes = listRoutes(t.app);
    expect(routes.length).toBeGreaterThan(10);
    const missing = routes.filter((r) => !r.rule).map((r) => `${r.method} ${r.path} (${r.controller}.${r.handler})`);
    expect(missing).toEqual([]);
  });

  it('non-public routes answer 401 without a token', async () => {
    const failures: string[] = [];
    for (const r of listRoutes(t.app).filter((x) => x.rule?.kind !== 'public')) {
      const res = await t.http()[r.method.toLowerCase() as 'get'](concretePath(r.path)).send({});
      if (res.status !== 401 || res.body?.error?.code !== 'UNAUTHORIZED') failures.push(`${r.method} ${r.path} -> ${res.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('non-public routes answer 401 for expired, foreign-signed, suspended-user and deleted-user tokens', async () => {
    const admin = await t.login();
    const claims = JSON.parse(Buffer.from(admin.accessToken.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    const secret = t.env.JWT_SECRET ?? 'dev-only-jwt-secret-change-me-0123456789abcdef';
    const suspended = await t.userWithRole('ROLE-ADMIN');
    const deleted = await t.userWithRole('ROLE-ADMIN');
    const auth = { Authorization: `Bearer ${admin.accessToken}` };
    expect((await t.http().put(`/api/v1/users/${suspended.id}`).set(auth).send({ status: 'suspended' })).status).toBe(200);
    expect((await t.http().delete(`/api/v1/users/${deleted.id}`).set(auth)).status).toBe(204);
    const tokens: Record<string, string> = {
      expired: sign({ ...claims, iat: 1_000_000, exp: 1_000_900 }, secret),
      foreignKey: sign({ ...claims }, 'some-other-signing-key-some-other-signing-key'),
      algNone: `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      suspendedUser: suspended.token,
      deletedUser: deleted.token,
    };
    const failures: string[] = [];
    for (const r of listRoutes(t.app).filter((x) => x.rule?.kind !== 'public')) {
      for (const [kind, token] of Object.entries(tokens)) {
        const res = await t.http()[r.method.toLowerCase() as 'get'](concretePath(r.path)).set('Authorization', `Bearer ${token}`).send({});
        if (res.status !== 401) failures.push(`${kind}: ${r.method} ${r.path} -> ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('each role gets 403 exactly on the routes whose permission it lacks', async () => {
    const roles = (
      await t
        .http()
        .get('/api/v1/roles')
        .set('Authorization', `Bearer ${(await t.login()).accessToken}`)
    ).body.data as Array<{
      id: string;
      permissions: string[];
    }>;
    const failures: string[] = [];
    for (const role of roles.filter((r) => r.id !== 'ROLE-ADMIN')) {
      const user = await t.userWithRole(role.id);
      for (const r of listRoutes(t.app)) {
        if (r.rule?.kind !== 'permission') continue;
        const res = await t
          .http()
          [r.method.toLowerCase() as 'get'](concretePath(r.path))
          .set('Authorization', `Bearer ${user.token}`)
          .send({});
        const allowed = hasPermission(role.permissions, r.rule.permission);
        if (allowed && res.status === 403) failures.push(`${role.id} ${r.method} ${r.path}: 403 but has ${r.rule.permission}`);
        if (!allowed && res.status !== 403) failures.push(`${role.id} ${r.method} ${r.path}: ${res.status} without ${r.rule.permission}`);
        if (res.status >= 500) failures.push(`${role.id} ${r.method} ${r.path}: ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

function b64(o: unknown): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}

function sign(payload: Record<string, unknown>, secret: string): string {
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64(payload);
  return `${head}.${body}.${createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
}
