import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { DataSource } from 'typeorm';
import { createTestApp, TestContext } from '../support/test-app';

describe('settings: languages, time zones, own preferences', () => {
  let t: TestContext;
  let a: { id: string; token: string };
  let b: { id: string; token: string };

  const get = (url: string, token: string) => t.http().get(url).set('Authorization', `Bearer ${token}`);
  const put = (body: unknown, token: string) =>
    t
      .http()
      .put('/api/v1/settings/preferences')
      .set('Authorization', `Bearer ${token}`)
      .send(body as object);

  beforeAll(async () => {
    t = await createTestApp();
    a = await t.userWithRole('ROLE-VIEWER');
    b = await t.userWithRole('ROLE-OPERATOR');
  });
  afterAll(async () => t.close());

  it('lists languages and the runtime’s IANA time zones with offsets', async () => {
    expect((await t.http().get('/api/v1/i18n/languages')).status).toBe(401);
    const langs = await get('/api/v1/i18n/languages', a.token);
    expect(langs.status).toBe(200);
    expect(langs.body.data).toEqual(expect.arrayContaining([{ code: 'en', name: 'English', nativeName: 'English', direction: 'ltr' }]));
    expect(langs.body.data.find((l: { code: string }) => l.code === 'ar').direction).toBe('rtl');

    const zones = await get('/api/v1/settings/timezones', a.token);
    expect(zones.status).toBe(200);
    const ids = zones.body.data.map((z: { id: string }) => z.id);
    expect(ids).toEqual([...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])].sort());
    expect(zones.body.data.find((z: { id: string }) => z.id === 'Asia/Tokyo')).toEqual({
      id: 'Asia/Tokyo',
      offset: '+09:00',
      offsetMinutes: 540,
    });
    expect(zones.body.data.find((z: { id: string }) => z.id === 'UTC')).toEqual({ id: 'UTC', offset: '+00:00', offsetMinutes: 0 });
  });

  it('returns defaults, stores partial updates per user, validates every field', async () => {
    const defaults = await get('/api/v1/settings/preferences', a.token);
    expect(defaults.body.data).toEqual({
      theme: 'dark',
      gridMode: '3x3',
      autoRotate: true,
      language: 'en',
      timezone: 'UTC',
      preferences: {},
      updatedAt: null,
    });

    const first = await put(
      { theme: 'light', gridMode: '4x4', timezone: 'US/Eastern', preferences: { dashboard: { widgets: ['alerts', 'cameras'] } } },
      a.token,
    );
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({
      theme: 'light',
      gridMode: '4x4',
      autoRotate: true,
      language: 'en',
      timezone: 'US/Eastern',
      preferences: { dashboard: { widgets: ['alerts', 'cameras'] } },
    });
    expect(first.body.data.updatedAt).toEqual(expect.any(String));

    const second = await put({ autoRotate: false, language: 'fr', timezone: 'europe/paris' }, a.token);
    expect(second.body.data).toMatchObject({
      theme: 'light',
      gridMode: '4x4',
      autoRotate: false,
      language: 'fr',
      timezone: 'Europe/Paris',
    });
    expect((await get('/api/v1/settings/preferences', a.token)).body.data).toEqual(second.body.data);
    // the other user is untouched
    expect((await get('/api/v1/settings/preferences', b.token)).body.data.theme).toBe('dark');

    const deep = { a: { b: { c: { d: { e: { f: 1 } } } } } };
    for (const bad of [
      { theme: 'blue' },
      { gridMode: '5x5' },
      { autoRotate: 'yes' },
      { language: 'xx' },
      { timezone: 'Mars/Olympus_Mons' },
      { timezone: 'UTC; DROP TABLE users' },
      { preferences: [1, 2] },
      { preferences: 'text' },
      { preferences: deep },
      { preferences: { blob: 'x'.repeat(17 * 1024) } },
      { userId: b.id },
    ]) {
      const res = await put(bad, a.token);
      expect([JSON.stringify(bad).slice(0, 60), res.status, res.body.error?.code]).toEqual([
        JSON.stringify(bad).slice(0, 60),
        400,
        'VALIDATION_ERROR',
      ]);
    }
    expect((await get('/api/v1/settings/preferences', a.token)).body.data).toEqual(second.body.data);
  });
});

describe('developer console: the real routes, invoked with the caller’s own rights, only inside the app', () => {
  let t: TestContext;
  let admin: string;
  let dev: string;
  let outside: Server;
  let outsideHits = 0;
  let outsidePort: number;

  const get = (url: string, token = admin) => t.http().get(url).set('Authorization', `Bearer ${token}`);
  const invoke = (id: string, body: object, token = admin) =>
    t.http().post(`/api/v1/developer/endpoints/${id}/invoke`).set('Authorization', `Bearer ${token}`).send(body);

  beforeAll(async () => {
    t = await createTestApp();
    admin = (await t.login()).accessToken;
    // a role that may use the console and read alerts, nothing else
    const ds = t.app.get(DataSource);
    await ds.query(
      `INSERT INTO roles (id, name, description, permissions) VALUES ('ROLE-DEV', 'Developer', 'console only', '["developer:use","alerts:read"]'::jsonb)`,
    );
    dev = (await t.userWithRole('ROLE-DEV')).token;
    outside = createServer((_, res) => {
      outsideHits++;
      res.end('{"leak":true}');
    });
    await new Promise<void>((r) => outside.listen(0, '127.0.0.1', () => r()));
    outsidePort = (outside.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => outside.close(() => r()));
    await t.close();
  });

  it('lists every documented route with stable ids, except the invoke route itself', async () => {
    const res = await get('/api/v1/developer/endpoints', dev);
    expect(res.status).toBe(200);
    const list = res.body.data as Array<{
      id: string;
      label: string;
      method: string;
      path: string;
      description: string;
      permission: string | null;
      access: string;
    }>;
    const doc = (await t.http().get('/docs-json')).body as {
      paths: Record<string, Record<string, { operationId: string; summary?: string }>>;
    };
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([m, op]) => `${m.toUpperCase()} ${path} DEV-${op.operationId}`),
    );
    expect(list.map((e) => `${e.method} ${e.path} ${e.id}`).sort()).toEqual(
      documented.filter((d) => !d.includes('developer_invoke')).sort(),
    );
    expect(list.find((e) => e.path === '/api/v1/alerts' && e.method === 'GET')).toMatchObject({
      id: 'DEV-alerts_list',
      label: 'Alerts',
      permission: 'alerts:read',
      access: 'permission',
      // the summary is the route's doc comment (added by the Swagger CLI plugin at build time)
      description: doc.paths['/api/v1/alerts'].get.summary || 'GET /api/v1/alerts',
    });
    expect(list.find((e) => e.path === '/api/v1/settings/preferences' && e.method === 'GET')?.access).toBe('authenticated');
    expect(list.some((e) => e.path.includes('/invoke'))).toBe(false);
    expect((await get('/api/v1/developer/endpoints', (await t.userWithRole('ROLE-OPERATOR')).token)).status).toBe(403);
  });

  it('invokes a route with the caller’s identity and returns status, safe headers and body', async () => {
    const res = await invoke('DEV-alerts_list', { query: { pageSize: 5, level: 'high' } }, dev);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      status: 200,
      bodyEncoding: 'json',
      truncated: false,
      request: { method: 'GET', url: '/api/v1/alerts?pageSize=5&level=high' },
      body: { success: true, data: [], meta: { page: 1, pageSize: 5, total: 0, totalPages: 0 } },
    });
    expect(res.body.data.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.data.headers['x-request-id']).toMatch(/\.dev$/);
    expect(res.body.data.headers['set-cookie']).toBeUndefined();

    const me = await invoke('DEV-auth_me', {}, dev);
    expect(me.body.data.body.data.user.roleId).toBe('ROLE-DEV');

    // a POST with a payload and path params, as admin: create then acknowledge nothing (404 passes through)
    const ack = await invoke('DEV-alerts_acknowledge', { pathParams: { id: 'ALERT-NONE-1' } });
    expect(ack.body.data.status).toBe(404);
    expect(ack.body.data.body.error.code).toBe('NOT_FOUND');
    const banner = await invoke('DEV-bannerMessages_create', { payload: { message: 'from the console', ttlMinutes: 5 } });
    expect(banner.body.data.status).toBe(201);
    expect(banner.body.data.body.data.createdBy).toBe('admin@example.com');
    const audit = await get('/api/v1/audit?action=services.create');
    expect(audit.body.data[0]).toMatchObject({ actor: 'admin@example.com' });
  });

  it('never exceeds the caller’s permissions', async () => {
    const users = await invoke('DEV-users_list', {}, dev);
    expect(users.status).toBe(200);
    expect(users.body.data.status).toBe(403);
    expect(users.body.data.body.error.code).toBe('FORBIDDEN');
    const create = await invoke(
      'DEV-users_create',
      { payload: { name: 'Evil', email: 'evil@example.com', roleId: 'ROLE-ADMIN', password: 'evil-password-1' } },
      dev,
    );
    expect(create.body.data.status).toBe(403);
    expect((await get('/api/v1/users?search=evil')).body.meta.total).toBe(0);
    const banner = await invoke('DEV-bannerMessages_create', { payload: { message: 'nope' } }, dev);
    expect(banner.body.data.status).toBe(403);
  });

  it('cannot be pointed at another host, another path, or itself', async () => {
    const attempts: Array<[string, object]> = [
      ['DEV-alerts_acknowledge', { pathParams: { id: `//127.0.0.1:${outsidePort}/` } }],
      ['DEV-alerts_acknowledge', { pathParams: { id: `http://127.0.0.1:${outsidePort}/x` } }],
      ['DEV-alerts_acknowledge', { pathParams: { id: '..' } }],
      ['DEV-alerts_acknowledge', { pathParams: { id: '../../users' } }],
      ['DEV-alerts_acknowledge', { pathParams: { id: 'a\\b' } }],
      ['DEV-alerts_acknowledge', { pathParams: { id: 'x\r\nHost: evil' } }],
      ['DEV-alerts_acknowledge', { pathParams: {} }],
      ['DEV-alerts_acknowledge', { pathParams: { id: 'ALERT-1', host: 'evil' } }],
      ['DEV-alerts_list', { query: { 'a b': 1 } }],
      ['DEV-alerts_list', { query: { level: { nested: true } } }],
      ['DEV-alerts_list', { payload: { x: 1 } }],
      ['DEV-alerts_list', { url: `http://127.0.0.1:${outsidePort}/` }],
      ['DEV-alerts_list', { host: `127.0.0.1:${outsidePort}` }],
    ];
    for (const [id, body] of attempts) {
      const res = await invoke(id, body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
    }
    // ids name routes of the table only
    for (const id of [`http:%2F%2F127.0.0.1:${outsidePort}`, 'DEV-nope_missing', 'DEV-developer_invoke']) {
      const res = await invoke(id, {});
      expect([id, res.status]).toEqual([id, id.startsWith('DEV-') ? 404 : 400]);
    }
    // an encoded segment stays one segment of our own route
    const encoded = await invoke('DEV-alerts_acknowledge', { pathParams: { id: `127.0.0.1:${outsidePort}` } });
    expect(encoded.body.data.status).toBe(400);
    expect(encoded.body.data.request.url).toBe(`/api/v1/alerts/127.0.0.1%3A${outsidePort}/acknowledge`);
    expect(outsideHits).toBe(0);
  });
});
