import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RedisService } from '@app/core';
import { LIVE_ALL_SCOPE, LiveDetectionsService, REDIS_KEYS } from '@app/detections';
import { CompreFaceEmulator } from '../emulators/compreface.emulator';
import { createTestApp, type TestContext } from '../support/test-app';

/**
 * The detection endpoints through the real api (database, Redis, S3 server) with no worker:
 * provider configuration (masking, encryption at rest, validation, permissions), provider probes
 * (built-in engine, CompreFace emulator), send-frame, the event log and the live cache.
 */
describe('detections api', () => {
  let t: TestContext;
  let admin: string;
  let ds: DataSource;
  let redis: RedisService;
  const compreface = new CompreFaceEmulator({ apiKey: randomUUID() });

  const auth = (token = admin) => ({ Authorization: `Bearer ${token}` });
  const createCamera = async (id: string, extra: Record<string, unknown> = {}) => {
    const res = await t
      .http()
      .post('/api/v1/cameras')
      .set(auth())
      .send({
        id,
        name: `Camera ${id}`,
        location: 'Lobby',
        streamType: 'RTSP',
        streamUrl: 'rtsp://user:pw@127.0.0.1:1/none',
        samplingEnabled: false,
        ...extra,
      });
    expect(res.status).toBe(201);
  };
  const insertDetection = async (cameraId: string, at: Date, status = 'unknown', personId: string | null = null) => {
    const id = randomUUID();
    await ds.query(
      `INSERT INTO detections (id, person_id, name, camera_id, confidence, timestamp, track_id, bounding_box, thumbnail, status)
       VALUES ($1, $2, $3, $4, 87.5, $5, $6, '{"top":1,"left":2,"width":30,"height":40}', $7, $8)`,
      [id, personId, personId ? `Name ${personId}` : null, cameraId, at, `TRK-${id.slice(0, 8)}`, `thumbnails/${id}.jpg`, status],
    );
    return id;
  };

  beforeAll(async () => {
    await compreface.start();
    t = await createTestApp();
    admin = (await t.login()).accessToken;
    ds = t.app.get(DataSource);
    redis = t.app.get(RedisService);
    await createCamera('CAM-A');
    await createCamera('CAM-B');
    await createCamera('CAM-OFF', { enabled: false });
  });

  afterAll(async () => {
    await t?.close();
    await compreface.stop();
  });

  describe('provider configuration', () => {
    it('starts on the built-in engine with the effective settings and no key', async () => {
      const res = await t.http().get('/api/v1/detections/provider/config').set(auth());
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        providerName: 'Built-in engine',
        kind: 'builtin',
        endpoint: 'builtin://local',
        apiKey: null,
        enabled: true,
        settings: { matchThreshold: 0.65, unknownThreshold: 0.5, debounceSeconds: 10, timeoutMs: 10000 },
      });
    });

    it('stores the API key encrypted, shows it as *** and keeps it when *** is sent back', async () => {
      const key = randomUUID();
      const put = await t
        .http()
        .put('/api/v1/detections/provider/config')
        .set(auth())
        .send({
          kind: 'compreface',
          endpoint: compreface.baseUrl,
          apiKey: key,
          providerName: 'CompreFace',
          settings: { debounceSeconds: 5 },
        });
      expect(put.status).toBe(200);
      expect(put.body.data).toMatchObject({ kind: 'compreface', apiKey: '***', status: 'offline', settings: { debounceSeconds: 5 } });
      expect(JSON.stringify(put.body)).not.toContain(key);

      const [row] = (await ds.query('SELECT api_key, settings FROM detection_provider_config WHERE id = 1')) as Array<{
        api_key: string;
        settings: Record<string, unknown>;
      }>;
      expect(row.api_key).toMatch(/^enc:v1:/);
      expect(row.api_key).not.toContain(key);
      expect(row.settings).toEqual({ debounceSeconds: 5 });

      const again = await t
        .http()
        .put('/api/v1/detections/provider/config')
        .set(auth())
        .send({ apiKey: '***', providerName: 'CompreFace main' });
      expect(again.status).toBe(200);
      const [after] = (await ds.query('SELECT api_key FROM detection_provider_config WHERE id = 1')) as Array<{ api_key: string }>;
      expect(after.api_key).toBe(row.api_key);

      // The audit trail names the change but never the key.
      const audit = (await ds.query(
        `SELECT action, context::text AS context FROM audit_logs WHERE action LIKE 'detections.%' ORDER BY created_at`,
      )) as Array<{ action: string; context: string }>;
      expect(audit.map((a) => a.action)).toContain('detections.updateProviderConfig');
      expect(audit.map((a) => a.context).join(' ')).not.toContain(key);
    });

    it('refuses invalid configurations with 400 and names the problem', async () => {
      const bad = [
        { kind: 'codeproject', endpoint: 'ftp://example.com' },
        { endpoint: 'http://user:secret@example.com/detect' },
        { settings: { matchThreshold: 1.5 } },
        { settings: { matchThreshold: 0.4, unknownThreshold: 0.6 } },
        { kind: 'magic' },
        { settings: { debounceSeconds: 0 } },
        { unknownField: true },
      ];
      for (const body of bad) {
        const res = await t.http().put('/api/v1/detections/provider/config').set(auth()).send(body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.body.success).toBe(false);
      }
    });

    it('lets a viewer read it but only detections:config change it', async () => {
      const viewer = await t.userWithRole('ROLE-VIEWER');
      const operator = await t.userWithRole('ROLE-OPERATOR');
      expect((await t.http().get('/api/v1/detections/provider/config').set(auth(viewer.token))).status).toBe(200);
      expect((await t.http().put('/api/v1/detections/provider/config').set(auth(operator.token)).send({ enabled: false })).status).toBe(
        403,
      );
      expect((await t.http().post('/api/v1/detections/test-provider').set(auth(viewer.token))).status).toBe(403);
    });

    it('probes CompreFace: connected with the right key, offline with a refused one (alert raised, then resolved)', async () => {
      const ok = await t.http().post('/api/v1/detections/test-provider').set(auth());
      expect(ok.status).toBe(200);
      // The stored key is not the emulator's: refused.
      expect(ok.body.data).toMatchObject({ status: 'offline' });
      expect(ok.body.data.message).toMatch(/API key/i);
      const alert = (await ds.query(`SELECT title, resolved_at FROM alerts WHERE kind = 'provider_degraded'`)) as Array<{
        title: string;
        resolved_at: Date | null;
      }>;
      expect(alert).toEqual([{ title: 'Detection Provider Offline', resolved_at: null }]);

      await t.http().put('/api/v1/detections/provider/config').set(auth()).send({ apiKey: compreface.apiKey });
      const good = await t.http().post('/api/v1/detections/test-provider').set(auth());
      expect(good.body.data).toMatchObject({ status: 'connected', message: 'Provider healthy' });
      expect(good.body.data.latencyMs).toBeGreaterThanOrEqual(0);
      const config = await t.http().get('/api/v1/detections/provider/config').set(auth());
      expect(config.body.data.status).toBe('connected');
      expect(Date.parse(config.body.data.lastHeartbeat)).toBeGreaterThan(Date.now() - 60_000);
      const resolved = (await ds.query(`SELECT resolved_at FROM alerts WHERE kind = 'provider_degraded'`)) as Array<{
        resolved_at: Date | null;
      }>;
      expect(resolved[0].resolved_at).not.toBeNull();

      // 5xx: degraded.
      compreface.failNext(1, 503);
      const degraded = await t.http().post('/api/v1/detections/test-provider').set(auth());
      expect(degraded.body.data.status).toBe('degraded');
    });

    it('probes the built-in engine (loads it in this process)', async () => {
      const put = await t
        .http()
        .put('/api/v1/detections/provider/config')
        .set(auth())
        .send({ kind: 'builtin', apiKey: null, settings: { debounceSeconds: null } });
      expect(put.body.data).toMatchObject({ kind: 'builtin', apiKey: null, settings: { debounceSeconds: 10 } });
      const res = await t.http().post('/api/v1/detections/test-provider').set(auth());
      expect(res.status).toBe(200);
      expect(res.body.data.status).toBe('connected');
      expect(res.body.data.message).toMatch(/human-faceres/);
    }, 60_000);
  });

  describe('send-frame', () => {
    it('answers 404 for an unknown camera, 409 for a disabled one, 400 for a bad body', async () => {
      expect((await t.http().post('/api/v1/detections/send-frame').set(auth()).send({ cameraId: 'CAM-NOPE' })).status).toBe(404);
      const off = await t.http().post('/api/v1/detections/send-frame').set(auth()).send({ cameraId: 'CAM-OFF' });
      expect(off.status).toBe(409);
      expect(off.body.error.message).toMatch(/disabled/);
      expect((await t.http().post('/api/v1/detections/send-frame').set(auth()).send({ cameraId: '../etc' })).status).toBe(400);
      expect((await t.http().post('/api/v1/detections/send-frame').set(auth()).send({})).status).toBe(400);
    });

    it('queues a job (202) that GET /jobs/{id} reads', async () => {
      const res = await t.http().post('/api/v1/detections/send-frame').set(auth()).send({ cameraId: 'CAM-A' });
      expect(res.status).toBe(202);
      expect(res.body.data).toEqual({ jobId: expect.stringMatching(/^det_/), status: 'queued' });
      const job = await t.http().get(`/api/v1/jobs/${res.body.data.jobId}`).set(auth());
      expect(job.status).toBe(200);
      expect(job.body.data).toMatchObject({ id: res.body.data.jobId, name: 'detect-frame', status: 'queued', maxAttempts: 3 });
    });

    it('answers 409 while the provider is disabled', async () => {
      await t.http().put('/api/v1/detections/provider/config').set(auth()).send({ enabled: false });
      const res = await t.http().post('/api/v1/detections/send-frame').set(auth()).send({ cameraId: 'CAM-A' });
      expect(res.status).toBe(409);
      await t.http().put('/api/v1/detections/provider/config').set(auth()).send({ enabled: true });
    });
  });

  describe('event log', () => {
    it('filters by status, camera and time, newest first, paginated', async () => {
      const base = Date.parse('2026-01-10T10:00:00Z');
      const rows: Array<[string, string, number]> = [
        ['CAM-A', 'received', 0],
        ['CAM-A', 'error', 60_000],
        ['CAM-B', 'received', 120_000],
        ['CAM-A', 'received', 180_000],
      ];
      for (const [cam, status, offset] of rows) {
        await ds.query(
          `INSERT INTO detection_event_logs (camera_id, camera_name, timestamp, status, latency_ms, payload, error_message) VALUES ($1, $2, $3, $4, 120, '{"faces":[]}', $5)`,
          [cam, `Camera ${cam}`, new Date(base + offset), status, status === 'error' ? 'provider unreachable' : null],
        );
      }
      const q = (query: string) => t.http().get(`/api/v1/detections/events?${query}`).set(auth());
      const all = await q('from=2026-01-10T00:00:00Z&to=2026-01-11T00:00:00Z');
      expect(all.status).toBe(200);
      expect(all.body.meta).toMatchObject({ total: 4, page: 1, pageSize: 20 });
      expect(all.body.data.map((e: { timestamp: string }) => e.timestamp)).toEqual([
        '2026-01-10T10:03:00.000Z',
        '2026-01-10T10:02:00.000Z',
        '2026-01-10T10:01:00.000Z',
        '2026-01-10T10:00:00.000Z',
      ]);
      expect(all.body.data[0]).toMatchObject({
        cameraId: 'CAM-A',
        cameraName: 'Camera CAM-A',
        status: 'received',
        latencyMs: 120,
        payload: { faces: [] },
      });
      const cam = await q('cameraId=CAM-A&status=received&from=2026-01-10T00:00:00Z&to=2026-01-11T00:00:00Z');
      expect(cam.body.meta.total).toBe(2);
      const window = await q('from=2026-01-10T10:01:00Z&to=2026-01-10T10:03:00Z&pageSize=1&page=2');
      expect(window.body.meta).toMatchObject({ total: 2, page: 2, pageSize: 1, totalPages: 2 });
      expect(window.body.data[0].timestamp).toBe('2026-01-10T10:01:00.000Z');
      expect((await q('from=2026-01-11T00:00:00Z&to=2026-01-10T00:00:00Z')).status).toBe(400);
      expect((await q('status=weird')).status).toBe(400);
      expect((await q('from=yesterday')).status).toBe(400);
    });
  });

  describe('live detections', () => {
    it('builds the cold cache from PostgreSQL, serves it, and gives the same body on the fast path and the regular route', async () => {
      const now = Date.now();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await insertDetection(i % 2 ? 'CAM-B' : 'CAM-A', new Date(now - i * 1000)));
      const first = await t.http().get('/api/v1/detections/live?limit=3').set(auth());
      expect(first.status).toBe(200);
      expect(first.body.success).toBe(true);
      expect(first.body.data.map((d: { id: string }) => d.id)).toEqual(ids.slice(0, 3));
      expect(first.body.data[0]).toEqual({
        id: ids[0],
        personId: null,
        name: null,
        cameraId: 'CAM-A',
        confidence: 87.5,
        timestamp: new Date(now).toISOString(),
        trackId: expect.stringMatching(/^TRK-/),
        boundingBox: { top: 1, left: 2, width: 30, height: 40 },
        thumbnail: expect.stringContaining(`thumbnails/${ids[0]}.jpg`),
        status: 'unknown',
      });
      // The cache now holds the lists.
      expect(await redis.client.exists(REDIS_KEYS.liveMeta(LIVE_ALL_SCOPE))).toBe(1);

      // Which path answered: the fast path asks the service for the raw body, the route for the list.
      const live = t.app.get(LiveDetectionsService);
      const calls: string[] = [];
      const { responseBody, list } = live;
      live.responseBody = (...args) => (calls.push('fast'), responseBody.apply(live, args));
      live.list = (...args) => (calls.push('route'), list.apply(live, args));
      try {
        const cam = await t.http().get('/api/v1/detections/live?cameraId=CAM-B').set(auth());
        expect(cam.body.data.map((d: { id: string }) => d.id)).toEqual([ids[1], ids[3]]);
        expect(cam.headers['content-type']).toBe('application/json; charset=utf-8');
        // A query the fast path does not take (padding, trimmed by the DTO) reaches the regular
        // route: the same bytes.
        const viaRoute = await t.http().get('/api/v1/detections/live?cameraId=%20CAM-B%20&limit=%2B20').set(auth());
        expect(viaRoute.status).toBe(200);
        expect(viaRoute.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(viaRoute.text).toBe(cam.text);
        expect(calls).toEqual(['fast', 'route']);
      } finally {
        live.responseBody = responseBody;
        live.list = list;
      }
    });

    it('answers ahead of Express with the headers Express gives: request id, CORS, rate limit, ETag and 304, access metrics', async () => {
      const origin = 'http://localhost:5173'; // an allowed origin (CORS_ORIGINS default)
      const live = t.app.get(LiveDetectionsService);
      const calls: string[] = [];
      const { responseBody, list } = live;
      live.responseBody = (...args) => (calls.push('fast'), responseBody.apply(live, args));
      live.list = (...args) => (calls.push('route'), list.apply(live, args));
      const metricsBefore = await t.http().get('/api/v1/metrics').set(auth());
      const counted = (text: string): number => {
        const line = text
          .split('\n')
          .find(
            (l) => l.startsWith('http_requests_total{') && l.includes('route="/api/v1/detections/live"') && l.includes('status_code="200"'),
          );
        return line ? Number(line.split(' ').pop()) : 0;
      };
      try {
        await redis.client.del(REDIS_KEYS.liveMeta('CAM-A')); // cold: the fast path builds it (responseBody)
        const fast = await t
          .http()
          .get('/api/v1/detections/live?cameraId=CAM-A')
          .set(auth())
          .set('Origin', origin)
          .set('X-Request-Id', 'req-lane-1');
        const route = await t
          .http()
          .get('/api/v1/detections/live?cameraId=%20CAM-A')
          .set(auth())
          .set('Origin', origin)
          .set('X-Request-Id', 'req-lane-2');
        expect(calls).toEqual(['fast', 'route']);
        expect(fast.status).toBe(200);
        expect(fast.text).toBe(route.text);
        expect(fast.headers['x-request-id']).toBe('req-lane-1');
        expect(route.headers['x-request-id']).toBe('req-lane-2');
        const same = [
          'content-type',
          'content-length',
          'etag',
          'access-control-allow-origin',
          'access-control-allow-credentials',
          'access-control-expose-headers',
          'vary',
          'x-ratelimit-limit',
        ];
        for (const h of same) expect([h, fast.headers[h]]).toEqual([h, route.headers[h]]);
        expect(fast.headers['access-control-allow-origin']).toBe(origin);
        expect(fast.headers.etag).toMatch(/^W\/"/);
        expect(Number(fast.headers['x-ratelimit-remaining'])).toBeGreaterThan(0);
        expect(Object.keys(fast.headers).sort()).toEqual(Object.keys(route.headers).sort());

        // A generated request id when none (or an unsafe one) is sent.
        const anonymousId = await t.http().get('/api/v1/detections/live?cameraId=CAM-A').set(auth());
        expect(anonymousId.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

        // The dashboard's conditional poll: 304 with no body while the list is unchanged.
        const again = await t
          .http()
          .get('/api/v1/detections/live?cameraId=CAM-A')
          .set(auth())
          .set('If-None-Match', String(fast.headers.etag));
        expect(again.status).toBe(304);
        expect(again.text).toBe('');
        expect(again.headers.etag).toBe(fast.headers.etag);
        expect(calls.filter((c) => c === 'route')).toHaveLength(1); // all but one answered by the fast path

        // Counted in the request metrics under the route's label, like the regular route.
        const metricsAfter = await t.http().get('/api/v1/metrics').set(auth());
        expect(counted(metricsAfter.text) - counted(metricsBefore.text)).toBe(3);

        // Express's own 304 carries the same headers.
        const route304 = await t
          .http()
          .get('/api/v1/detections/live?cameraId=%20CAM-A')
          .set(auth())
          .set('If-None-Match', String(fast.headers.etag));
        expect(route304.status).toBe(304);
        expect(Object.keys(again.headers).sort()).toEqual(Object.keys(route304.headers).sort());

        // An origin that is not allowed, and no origin: the same CORS answer as Express (no Allow-Origin).
        for (const other of ['http://elsewhere.example', undefined]) {
          const fastReq = t.http().get('/api/v1/detections/live?cameraId=CAM-A').set(auth());
          const routeReq = t.http().get('/api/v1/detections/live?cameraId=%20CAM-A').set(auth());
          if (other) {
            fastReq.set('Origin', other);
            routeReq.set('Origin', other);
          }
          const [f, r] = [await fastReq, await routeReq];
          expect(f.headers['access-control-allow-origin']).toBeUndefined();
          for (const h of same) expect([other, h, f.headers[h]]).toEqual([other, h, r.headers[h]]);
          expect(Object.keys(f.headers).sort()).toEqual(Object.keys(r.headers).sort());
        }
      } finally {
        live.responseBody = responseBody;
        live.list = list;
      }
    });

    it('serves from Redis only: a row added behind the cache is not seen until the list is rebuilt', async () => {
      expect((await t.http().get('/api/v1/detections/live?cameraId=CAM-A').set(auth())).status).toBe(200); // builds the list
      const hidden = await insertDetection('CAM-A', new Date(Date.now() + 10_000));
      const res = await t.http().get('/api/v1/detections/live?cameraId=CAM-A&limit=100').set(auth());
      expect(res.body.data.map((d: { id: string }) => d.id)).not.toContain(hidden);
      await redis.client.del(REDIS_KEYS.liveMeta('CAM-A'));
      const rebuilt = await t.http().get('/api/v1/detections/live?cameraId=CAM-A&limit=100').set(auth());
      expect(rebuilt.body.data[0].id).toBe(hidden);
    });

    it('validates the query and requires a token', async () => {
      expect((await t.http().get('/api/v1/detections/live?limit=0').set(auth())).status).toBe(400);
      expect((await t.http().get('/api/v1/detections/live?limit=101').set(auth())).status).toBe(400);
      expect((await t.http().get('/api/v1/detections/live?cameraId=bad%20id').set(auth())).status).toBe(400);
      expect((await t.http().get('/api/v1/detections/live?other=1').set(auth())).status).toBe(400);
      const anon = await t.http().get('/api/v1/detections/live');
      expect(anon.status).toBe(401);
      expect(anon.body.error.code).toBe('UNAUTHORIZED');
      const forged = await t
        .http()
        .get('/api/v1/detections/live')
        .set(auth(`${admin}x`));
      expect(forged.status).toBe(401);
    });

    it('refuses a suspended user on the fast path too (within 5 s)', async () => {
      const viewer = await t.userWithRole('ROLE-VIEWER');
      expect((await t.http().get('/api/v1/detections/live').set(auth(viewer.token))).status).toBe(200);
      await ds.query(`UPDATE users SET status = 'suspended' WHERE id = $1`, [viewer.id]);
      // The fast path keeps a user's status for at most 5 s (PRINCIPAL_CACHE_SECONDS).
      const suspendedAt = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - suspendedAt < 8000) {
        status = (await t.http().get('/api/v1/detections/live').set(auth(viewer.token))).status;
        if (status === 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(401);
      expect(Date.now() - suspendedAt).toBeLessThan(6500);
    });
  });

  it('answers hostile input with 4xx, never 5xx, and never leaks internals', async () => {
    const hostile = ["' OR '1'='1' --", '../../../../etc/passwd', '\u0000\u0001', '<script>alert(1)</script>', 'x'.repeat(20_000), '😀'];
    const failures: string[] = [];
    const check = (label: string, res: { status: number; text: string }) => {
      if (res.status >= 500 || /QueryFailedError|node_modules|\/work\/|TypeError/.test(res.text))
        failures.push(`${label} -> ${res.status}`);
    };
    for (const h of hostile) {
      check(
        `live ${h.slice(0, 20)}`,
        await t
          .http()
          .get(`/api/v1/detections/live?cameraId=${encodeURIComponent(h)}&limit=${encodeURIComponent(h)}`)
          .set(auth()),
      );
      check(
        `events ${h.slice(0, 20)}`,
        await t
          .http()
          .get(`/api/v1/detections/events?status=${encodeURIComponent(h)}&from=${encodeURIComponent(h)}&cameraId=${encodeURIComponent(h)}`)
          .set(auth()),
      );
      check(`send-frame ${h.slice(0, 20)}`, await t.http().post('/api/v1/detections/send-frame').set(auth()).send({ cameraId: h }));
      check(
        `config ${h.slice(0, 20)}`,
        await t
          .http()
          .put('/api/v1/detections/provider/config')
          .set(auth())
          .send({ endpoint: h, kind: h, apiKey: h, settings: { matchThreshold: h } }),
      );
    }
    for (const body of [null, [1, 2], 'text', { settings: null }, { settings: [1] }, { apiKey: 42 }, { enabled: 'yes' }]) {
      check(
        `config ${JSON.stringify(body)}`,
        await t
          .http()
          .put('/api/v1/detections/provider/config')
          .set(auth())
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(body)),
      );
      check(
        `send-frame ${JSON.stringify(body)}`,
        await t.http().post('/api/v1/detections/send-frame').set(auth()).set('Content-Type', 'application/json').send(JSON.stringify(body)),
      );
    }
    expect(failures).toEqual([]);
  });
});
