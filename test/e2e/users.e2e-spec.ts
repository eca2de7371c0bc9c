import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ADMIN, createTestApp, TestContext } from '../support/test-app';

describe('users and roles: RBAC rules, filters, password changes, audit', () => {
  let t: TestContext;
  let admin: string;
  let adminId: string;
  let ds: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    const s = await t.login();
    admin = s.accessToken;
    adminId = s.body.data.user.id;
    ds = t.app.get(DataSource);
  });
  afterAll(async () => t.close());

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('lists roles with the spec permissions', async () => {
    const res = await t.http().get('/api/v1/roles').set(auth(admin));
    expect(res.status).toBe(200);
    const byId = Object.fromEntries((res.body.data as Array<{ id: string; permissions: string[] }>).map((r) => [r.id, r.permissions]));
    expect(byId['ROLE-ADMIN']).toEqual(['*']);
    expect(byId['ROLE-OPERATOR']).toEqual(expect.arrayContaining(['cameras:read', 'cameras:write', 'attendance:read', 'faces:write']));
    expect(byId['ROLE-VIEWER']).toEqual(expect.arrayContaining(['cameras:read', 'attendance:read', 'system:read']));
  });

  it('creates users (409 on duplicate email, 400 on unknown role) and audits creation without the password', async () => {
    const created = await t
      .http()
      .post('/api/v1/users')
      .set(auth(admin))
      .send({ name: 'Jane Operator', email: 'Jane@Example.com', roleId: 'ROLE-OPERATOR', password: 'super-secret-pw' });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ email: 'jane@example.com', roleId: 'ROLE-OPERATOR', status: 'active' });
    const dup = await t.http().post('/api/v1/users').set(auth(admin)).send({ name: 'J', email: 'jane@example.com', roleId: 'ROLE-VIEWER' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('CONFLICT');
    const badRole = await t.http().post('/api/v1/users').set(auth(admin)).send({ name: 'J', email: 'j2@example.com', roleId: 'ROLE-NOPE' });
    expect(badRole.status).toBe(400);
    const temp = await t
      .http()
      .post('/api/v1/users')
      .set(auth(admin))
      .send({ name: 'No Pw', email: 'nopw@example.com', roleId: 'ROLE-VIEWER' });
    expect(temp.status).toBe(201);
    expect(temp.body.data.temporaryPassword).toEqual(expect.any(String));
    expect(
      (await t.http().post('/api/v1/auth/login').send({ username: 'nopw@example.com', password: temp.body.data.temporaryPassword })).status,
    ).toBe(200);

    const rows: Array<{
      action: string;
      actor: string;
      actor_role: string;
      resource_id: string;
      context: unknown;
      ip_address: string | null;
    }> = await ds.query(
      `SELECT action, actor, actor_role, resource_id, context, ip_address FROM audit_logs WHERE action = 'users.create' ORDER BY timestamp`,
    );
    expect(rows[0]).toMatchObject({ actor: ADMIN.email, actor_role: 'ROLE-ADMIN', resource_id: created.body.data.id });
    expect(rows[0].ip_address).toEqual(expect.any(String));
    expect(JSON.stringify(rows)).not.toContain('super-secret-pw');
  });

  it('filters by role, status and search with pagination meta', async () => {
    for (let i = 0; i < 5; i++) {
      await t
        .http()
        .post('/api/v1/users')
        .set(auth(admin))
        .send({ name: `Viewer ${i}`, email: `viewer${i}@corp.test`, roleId: 'ROLE-VIEWER', password: 'viewer-password' });
    }
    const res = await t.http().get('/api/v1/users?role=ROLE-VIEWER&search=corp.test&pageSize=2&page=2').set(auth(admin));
    expect(res.status).toBe(200);
    expect(res.body.meta).toEqual({ page: 2, pageSize: 2, total: 5, totalPages: 3 });
    expect(res.body.data).toHaveLength(2);
    expect(res.body.data.every((u: { roleId: string }) => u.roleId === 'ROLE-VIEWER')).toBe(true);
    const suspended = await t.http().get('/api/v1/users?status=suspended').set(auth(admin));
    expect(suspended.body.meta.total).toBe(0);
    const like = await t
      .http()
      .get(`/api/v1/users?search=${encodeURIComponent('%')}`)
      .set(auth(admin));
    expect(like.status).toBe(200);
    expect(like.body.meta.total).toBe(0);
  });

  it('search matches name or email case-insensitively, follows renames, never across name and email', async () => {
    const created = await t
      .http()
      .post('/api/v1/users')
      .set(auth(admin))
      .send({ name: 'Zoë Kowalczyk', email: 'Z.Kowal@Plant.Example', roleId: 'ROLE-VIEWER', password: 'viewer-password' });
    expect(created.status).toBe(201);
    const search = async (q: string): Promise<string[]> => {
      const res = await t
        .http()
        .get(`/api/v1/users?search=${encodeURIComponent(q)}`)
        .set(auth(admin));
      expect(res.status).toBe(200);
      return res.body.data.map((u: { email: string }) => u.email);
    };
    expect(await search('zoË kOWAL')).toEqual(['z.kowal@plant.example']);
    expect(await search('PLANT.example')).toEqual(['z.kowal@plant.example']);
    // the end of the name followed by the start of the email is not a match
    expect(await search('czykz.k')).toEqual([]);
    expect(await search('czyk\nz.k')).toEqual([]);
    expect(await search('czyk\u0000')).toEqual(['z.kowal@plant.example']);
    const renamed = await t.http().put(`/api/v1/users/${created.body.data.id}`).set(auth(admin)).send({ name: 'Zoe Nowak' });
    expect(renamed.status).toBe(200);
    expect(await search('kowalczyk')).toEqual([]);
    expect(await search('NOWAK')).toEqual(['z.kowal@plant.example']);
    // pages are cached in Redis; every write invalidates them, a delete included
    expect((await t.http().delete(`/api/v1/users/${created.body.data.id}`).set(auth(admin))).status).toBe(204);
    expect(await search('NOWAK')).toEqual([]);
  });

  it('enforces permissions on every users route per role', async () => {
    const viewer = await t.userWithRole('ROLE-VIEWER');
    const operator = await t.userWithRole('ROLE-OPERATOR');
    for (const who of [viewer, operator]) {
      expect((await t.http().get('/api/v1/users').set(auth(who.token))).status).toBe(403);
      expect((await t.http().get(`/api/v1/users/${adminId}`).set(auth(who.token))).status).toBe(403);
      expect(
        (await t.http().post('/api/v1/users').set(auth(who.token)).send({ name: 'x', email: 'x@x.test', roleId: 'ROLE-VIEWER' })).status,
      ).toBe(403);
      expect((await t.http().put(`/api/v1/users/${adminId}`).set(auth(who.token)).send({ name: 'x' })).status).toBe(403);
      expect((await t.http().delete(`/api/v1/users/${adminId}`).set(auth(who.token))).status).toBe(403);
      expect((await t.http().get('/api/v1/roles').set(auth(who.token))).status).toBe(403);
      expect((await t.http().get('/api/v1/audit').set(auth(who.token))).status).toBe(403);
      // nobody may change somebody else's password without users:write
      expect(
        (await t.http().patch(`/api/v1/users/${adminId}/password`).set(auth(who.token)).send({ password: 'hijacked-password' })).status,
      ).toBe(403);
    }
    for (const path of ['/api/v1/users', '/api/v1/roles', '/api/v1/audit']) {
      expect((await t.http().get(path)).status).toBe(401);
    }
  });

  it('nobody deletes or suspends themselves; the last active admin cannot be deleted, suspended or demoted', async () => {
    expect((await t.http().delete(`/api/v1/users/${adminId}`).set(auth(admin))).status).toBe(403);
    expect((await t.http().put(`/api/v1/users/${adminId}`).set(auth(admin)).send({ status: 'suspended' })).status).toBe(403);
    // a second admin tries to remove the first, who is then the last one
    const second = await t.userWithRole('ROLE-ADMIN');
    const demoteFirst = await t.http().put(`/api/v1/users/${adminId}`).set(auth(second.token)).send({ roleId: 'ROLE-VIEWER' });
    expect(demoteFirst.status).toBe(200);
    const demoteLast = await t.http().put(`/api/v1/users/${second.id}`).set(auth(admin)).send({ roleId: 'ROLE-VIEWER' });
    expect(demoteLast.status).toBe(403); // the first admin is a viewer now
    const selfDemote = await t.http().put(`/api/v1/users/${second.id}`).set(auth(second.token)).send({ roleId: 'ROLE-VIEWER' });
    expect(selfDemote.status).toBe(409);
    expect(selfDemote.body.error.code).toBe('CONFLICT');
    // restore
    expect((await t.http().put(`/api/v1/users/${adminId}`).set(auth(second.token)).send({ roleId: 'ROLE-ADMIN' })).status).toBe(200);
  });

  it('a password change needs the current one for yourself and revokes your other sessions', async () => {
    const op = await t.userWithRole('ROLE-OPERATOR');
    const other = await t.login(op.email, op.password);
    const current = await t.login(op.email, op.password);
    const wrong = await t
      .http()
      .patch(`/api/v1/users/${op.id}/password`)
      .set(auth(current.accessToken))
      .send({ password: 'brand-new-password', currentPassword: 'not-it' });
    expect(wrong.status).toBe(401);
    const missing = await t
      .http()
      .patch(`/api/v1/users/${op.id}/password`)
      .set(auth(current.accessToken))
      .send({ password: 'brand-new-password' });
    expect(missing.status).toBe(400);
    const ok = await t
      .http()
      .patch(`/api/v1/users/${op.id}/password`)
      .set(auth(current.accessToken))
      .send({ password: 'brand-new-password', currentPassword: op.password });
    expect(ok.status).toBe(204);
    expect((await t.http().post('/api/v1/auth/refresh').send({ refreshToken: other.refreshToken })).status).toBe(401);
    expect((await t.http().post('/api/v1/auth/refresh').send({ refreshToken: current.refreshToken })).status).toBe(200);
    expect((await t.http().post('/api/v1/auth/login').send({ username: op.email, password: 'brand-new-password' })).status).toBe(200);
    // an admin resets it; then every session of the user is revoked
    const s = await t.login(op.email, 'brand-new-password');
    expect((await t.http().patch(`/api/v1/users/${op.id}/password`).set(auth(admin)).send({ password: 'admin-set-password' })).status).toBe(
      204,
    );
    expect((await t.http().post('/api/v1/auth/refresh').send({ refreshToken: s.refreshToken })).status).toBe(401);
  });

  it('GET /audit lists rows with filters and pagination', async () => {
    const res = await t.http().get('/api/v1/audit?action=users.create&pageSize=1').set(auth(admin));
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(1);
    expect(res.body.meta.total).toBeGreaterThan(1);
    expect(res.body.data[0]).toMatchObject({
      action: 'users.create',
      actor: expect.any(String),
      severity: 'info',
      timestamp: expect.any(String),
    });
    const warn = await t.http().get('/api/v1/audit?severity=warning').set(auth(admin));
    expect(warn.body.data.every((a: { severity: string }) => a.severity === 'warning')).toBe(true);
    expect((await t.http().get('/api/v1/audit?severity=nope').set(auth(admin))).status).toBe(400);
    expect((await t.http().get('/api/v1/audit?from=yesterday').set(auth(admin))).status).toBe(400);
  });
});
