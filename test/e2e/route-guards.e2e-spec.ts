import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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

  it('each role gets 403 exactly on the routes whose permission it lacks', async () => {
    const roles = (await t.http().get('/api/v1/roles').set('Authorization', `Bearer ${(await t.login()).accessToken}`)).body.data as Array<{
      id: string;
      permissions: string[];
    }>;
    const failures: string[] = [];
    for (const role of roles.filter((r) => r.id !== 'ROLE-ADMIN')) {
      const user = await t.userWithRole(role.id);
      for (const r of listRoutes(t.app)) {
        if (r.rule?.kind !== 'permission') continue;
        const res = await t.http()[r.method.toLowerCase() as 'get'](concretePath(r.path)).set('Authorization', `Bearer ${user.token}`).send({});
        const allowed = hasPermission(role.permissions, r.rule.permission);
        if (allowed && res.status === 403) failures.push(`${role.id} ${r.method} ${r.path}: 403 but has ${r.rule.permission}`);
        if (!allowed && res.status !== 403) failures.push(`${role.id} ${r.method} ${r.path}: ${res.status} without ${r.rule.permission}`);
        if (res.status >= 500) failures.push(`${role.id} ${r.method} ${r.path}: ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
