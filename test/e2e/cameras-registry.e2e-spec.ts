import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import pino from 'pino';
import type request from 'supertest';
import { DataSource } from 'typeorm';
import { REDACT_PATHS, SecretBox, setRootLogger } from '@app/core';
import { CameraSecrets } from '@app/cameras';
import { createTestApp, TestContext } from '../support/test-app';

/**
 * The camera registry through the real api: CRUD, generated ids, filters, soft delete, summary from
 * seeded data, import/export, credential masking (responses, exports, audit rows, log lines) and RBAC.
 */
const PASSWORD = 'S3cr3t-Cam!pw';
const RTSP_URL = `rtsp://admin:${PASSWORD}@10.10.1.12:554/Streaming/Channels/101`;
const MASKED = 'rtsp://admin:***@10.10.1.12:554/Streaming/Channels/101';

describe('cameras registry', () => {
  let t: TestContext;
  let admin: string;
  let ds: DataSource;
  const logLines: string[] = [];
  const seen: string[] = [];

  /** Every response body is kept for the final "no password anywhere" check. */
  const call = async (req: request.Test): Promise<request.Response> => {
    const res = await req;
    seen.push(res.text ?? JSON.stringify(res.body));
    return res;
  };
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const create = (body: Record<string, unknown>, token = admin) => call(t.http().post('/api/v1/cameras').set(auth(token)).send(body));
  const camera = (over: Record<string, unknown> = {}) => ({
    name: 'Main Entrance',
    location: 'Building A - Lobby',
    streamType: 'RTSP',
    streamUrl: RTSP_URL,
    ...over,
  });

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(chunk.toString('utf8'));
        cb();
      },
    });
    setRootLogger(pino({ level: 'trace', redact: { paths: REDACT_PATHS, censor: '***' } }, sink));
    t = await createTestApp({ SITE_TIMEZONE: 'Asia/Tokyo' });
    admin = (await t.login()).accessToken;
    ds = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t.close();
    setRootLogger(pino({ level: 'silent' }));
  });

  it('creates a camera with a generated CAM-NN id, spec field names, masked URL and encrypted storage', async () => {
    const res = await create(camera({ tags: ['primary', ' entry ', 'primary'] }));
    expect(res.status).toBe(201);
    expect(Object.keys(res.body.data).sort()).toEqual(
      [
        'id',
        'name',
        'location',
        'streamType',
        'status',
        'fps',
        'latency',
        'bitrate',
        'resolution',
        'lastSeen',
        'ipAddress',
        'tags',
        'thumbnail',
        'streamUrl',
        'lastChecked',
        'enabled',
        'rtspTransport',
        'sampleIntervalMs',
        'samplingEnabled',
        'timezone',
        'codec',
        'createdAt',
        'updatedAt',
      ].sort(),
    );
    expect(res.body.data).toMatchObject({
      id: 'CAM-01',
      streamType: 'RTSP',
      status: 'offline',
      fps: 0,
      latency: 0,
      bitrate: 0,
      resolution: null,
      lastSeen: null,
      ipAddress: '10.10.1.12',
      tags: ['primary', 'entry'],
      thumbnail: null,
      streamUrl: MASKED,
      lastChecked: null,
      enabled: true,
      rtspTransport: 'tcp',
      sampleIntervalMs: 2000,
      samplingEnabled: true,
      timezone: null,
    });
    const [row] = await ds.query(`SELECT stream_url, stream_url_masked FROM cameras WHERE id = 'CAM-01'`);
    expect(row.stream_url).toMatch(/^enc:v1:/);
    expect(row.stream_url).not.toContain(PASSWORD);
    expect(row.stream_url_masked).toBe(MASKED);
    expect(t.app.get(CameraSecrets).open(row.stream_url)).toBe(RTSP_URL);

    const second = await create(camera({ name: 'Second' }));
    expect(second.body.data.id).toBe('CAM-02');
  });

  it('generates unique ids under concurrent creation', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => create(camera({ name: `Parallel ${i}` }))));
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
    const ids = results.map((r) => r.body.data.id as string);
    expect(new Set(ids).size).toBe(12);
    expect(ids.every((id) => /^CAM-\d{2}$/.test(id))).toBe(true);
  });

  it('validates the stream URL per type and every field, without echoing the URL', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [camera({ streamUrl: `http://admin:${PASSWORD}@10.0.0.9/video.mjpg` }), 'streamUrl'],
      [camera({ streamType: 'USB', streamUrl: '/dev/sda1' }), 'streamUrl'],
      [camera({ streamType: 'Local File', streamUrl: 'videos/../../etc/passwd' }), 'streamUrl'],
      [camera({ streamType: 'Socket', streamUrl: 'tcp://10.0.0.9' }), 'streamUrl'],
      [camera({ streamType: 'Webcam' }), 'streamType'],
      [camera({ id: 'CAM 07!' }), 'id'],
      [camera({ rtspTransport: 'sctp' }), 'rtspTransport'],
      [camera({ sampleIntervalMs: 10 }), 'sampleIntervalMs'],
      [camera({ timezone: 'Mars/Olympus' }), 'timezone'],
      [camera({ status: 'online' }), 'status'],
      [camera({ ipAddress: 'not-an-ip' }), 'ipAddress'],
      [camera({ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }), 'tags'],
      [{ ...camera(), fps: 30 }, 'fps'],
      [{ name: 'x', location: 'y', streamType: 'RTSP' }, 'streamUrl'],
    ];
    for (const [body, field] of cases) {
      const res = await create(body);
      expect({ field, status: res.status, code: res.body.error?.code }).toEqual({ field, status: 400, code: 'VALIDATION_ERROR' });
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const usb = await create(camera({ id: 'USB-1', streamType: 'USB', streamUrl: '/dev/video0' }));
    expect(usb.status).toBe(201);
    expect(usb.body.data).toMatchObject({ id: 'USB-1', streamUrl: '/dev/video0', ipAddress: null });
    const dup = await create(camera({ id: 'USB-1' }));
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('CONFLICT');
  });

  it('lists with filters, search and pagination', async () => {
    await create(
      camera({
        id: 'LOBBY-HTTP',
        name: 'Lobby MJPEG',
        location: 'Building C',
        streamType: 'HTTP',
        streamUrl: 'http://10.0.0.20/video.mjpg',
        enabled: false,
        tags: ['lobby'],
      }),
    );
    await create(
      camera({ id: 'MAINT-1', name: 'Roof', streamType: 'Local File', streamUrl: '/srv/video/roof.mp4', status: 'maintenance' }),
    );
    const list = (qs: string) => call(t.http().get(`/api/v1/cameras${qs}`).set(auth(admin)));

    const page = await list('?pageSize=5&page=2');
    expect(page.status).toBe(200);
    expect(page.body.meta).toMatchObject({ page: 2, pageSize: 5 });
    expect(page.body.meta.total).toBeGreaterThanOrEqual(17);
    expect(page.body.data).toHaveLength(5);

    expect((await list('?streamType=HTTP')).body.data.map((c: { id: string }) => c.id)).toEqual(['LOBBY-HTTP']);
    expect((await list('?enabled=false')).body.data.map((c: { id: string }) => c.id)).toEqual(['LOBBY-HTTP']);
    expect((await list('?status=maintenance')).body.data.map((c: { id: string }) => c.id)).toEqual(['MAINT-1']);
    expect((await list('?search=building%20c')).body.data.map((c: { id: string }) => c.id)).toEqual(['LOBBY-HTTP']);
    expect((await list('?search=lobby&streamType=HTTP&enabled=false')).body.meta.total).toBe(1);
    expect((await list(`?search=${encodeURIComponent('%')}`)).body.meta.total).toBe(0);
    for (const bad of ['?status=broken', '?streamType=VHS', '?enabled=maybe', '?pageSize=1000', '?page=0', '?sort=id']) {
      expect((await list(bad)).status).toBe(400);
    }
  });

  it('updates: masked URL kept, masked edit refused, new URL re-encrypted; state toggles', async () => {
    const url = `/api/v1/cameras/CAM-01`;
    const keep = await call(t.http().put(url).set(auth(admin)).send({ name: 'Main Entrance (N)', streamUrl: MASKED }));
    expect(keep.status).toBe(200);
    expect(keep.body.data).toMatchObject({ name: 'Main Entrance (N)', streamUrl: MASKED });
    const secrets = t.app.get(CameraSecrets);
    const stored = async (): Promise<string | null> =>
      secrets.open((await ds.query(`SELECT stream_url FROM cameras WHERE id='CAM-01'`))[0].stream_url);
    expect(await stored()).toBe(RTSP_URL);

    const edited = await call(t.http().put(url).set(auth(admin)).send({ streamUrl: 'rtsp://admin:***@10.10.1.99:554/stream' }));
    expect(edited.status).toBe(400);
    expect(edited.body.error.details[0].field).toBe('streamUrl');
    expect(await stored()).toBe(RTSP_URL);

    const NEW = 'rtsp://viewer:An0ther-Secret@10.10.1.13/live';
    const changed = await call(t.http().put(url).set(auth(admin)).send({ streamUrl: NEW, rtspTransport: 'udp', timezone: 'Europe/Paris' }));
    expect(changed.status).toBe(200);
    expect(changed.body.data).toMatchObject({
      streamUrl: 'rtsp://viewer:***@10.10.1.13/live',
      ipAddress: '10.10.1.13',
      rtspTransport: 'udp',
      timezone: 'Europe/Paris',
    });
    expect(await stored()).toBe(NEW);
    // The type changes, the stored URL must still fit it.
    const wrongType = await call(t.http().put(url).set(auth(admin)).send({ streamType: 'USB' }));
    expect(wrongType.status).toBe(400);
    await call(t.http().put(url).set(auth(admin)).send({ streamUrl: RTSP_URL }));

    const off = await call(t.http().patch(`${url}/state`).set(auth(admin)).send({ enabled: false }));
    expect(off.status).toBe(200);
    expect(off.body.data.enabled).toBe(false);
    const on = await call(t.http().patch(`${url}/state`).set(auth(admin)).send({ enabled: true }));
    expect(on.body.data.enabled).toBe(true);
    expect((await call(t.http().patch(`${url}/state`).set(auth(admin)).send({ enabled: 'yes' }))).status).toBe(400);
    expect((await call(t.http().put('/api/v1/cameras/NOPE-1').set(auth(admin)).send({ name: 'x' }))).status).toBe(404);
  });

  it('a stored URL that no longer decrypts is a clear 422, and entering the URL again repairs it', async () => {
    const id = (await create(camera({ name: 'Key rotated' }))).body.data.id as string;
    const other = new SecretBox('a-different-encryption-key-0123456789abcdef');
    await ds.query(`UPDATE cameras SET stream_url = $2 WHERE id = $1`, [id, other.encrypt(RTSP_URL)]);
    for (const path of [`/api/v1/cameras/${id}/test-connection`, `/api/v1/cameras/${id}/snapshot`]) {
      const res = await call(t.http().post(path).set(auth(admin)));
      expect(res.status).toBe(422);
      expect(res.body.error.message).toMatch(/cannot be decrypted/);
    }
    // Other fields stay editable (the stored URL is not needed), a type change needs the URL again.
    expect((await call(t.http().put(`/api/v1/cameras/${id}`).set(auth(admin)).send({ name: 'Still editable' }))).status).toBe(200);
    expect((await call(t.http().put(`/api/v1/cameras/${id}`).set(auth(admin)).send({ streamType: 'HTTP' }))).status).toBe(422);
    const fixed = await call(t.http().put(`/api/v1/cameras/${id}`).set(auth(admin)).send({ streamUrl: RTSP_URL }));
    expect(fixed.status).toBe(200);
    const [row] = await ds.query(`SELECT stream_url FROM cameras WHERE id = $1`, [id]);
    expect(t.app.get(CameraSecrets).open(row.stream_url)).toBe(RTSP_URL);
  });

  it('soft-deletes: 404 afterwards, history still joins, the id is never reused', async () => {
    const created = await create(camera({ name: 'Doomed', location: 'Dock' }));
    const id = created.body.data.id as string;
    await ds.query(
      `INSERT INTO detections (camera_id, confidence, timestamp, status, name) VALUES ($1, 97.5, now(), 'authorized', 'Jane')`,
      [id],
    );
    await ds.query(
      `INSERT INTO attendance_logs (id, employee_id, name, date, camera_id, camera_name, status) VALUES ('ATT-DEL-1', 'EMP-1', 'Jane', CURRENT_DATE, $1, 'Doomed', 'present')`,
      [id],
    );
    expect((await call(t.http().delete(`/api/v1/cameras/${id}`).set(auth(admin)))).status).toBe(204);
    expect((await call(t.http().get(`/api/v1/cameras/${id}`).set(auth(admin)))).status).toBe(404);
    expect((await call(t.http().delete(`/api/v1/cameras/${id}`).set(auth(admin)))).status).toBe(404);
    const all = await call(t.http().get('/api/v1/cameras?pageSize=200').set(auth(admin)));
    expect(all.body.data.map((c: { id: string }) => c.id)).not.toContain(id);

    const joined = await ds.query(
      `SELECT d.name, c.name AS camera FROM detections d JOIN cameras c ON c.id = d.camera_id WHERE d.camera_id = $1`,
      [id],
    );
    expect(joined).toEqual([{ name: 'Jane', camera: 'Doomed' }]);
    const [log] = await ds.query(`SELECT camera_id, camera_name FROM attendance_logs WHERE id = 'ATT-DEL-1'`);
    expect(log).toEqual({ camera_id: id, camera_name: 'Doomed' });

    const reuse = await create(camera({ id }));
    expect(reuse.status).toBe(409);
    expect(reuse.body.error.message).toMatch(/deleted camera/);
    const next = await create(camera({ name: 'After delete' }));
    expect(Number(next.body.data.id.slice(4))).toBeGreaterThan(Number(id.slice(4)));
  });

  it('summarises today per camera from detections and watchdog samples (site time zone)', async () => {
    const a = (await create(camera({ id: 'SUM-A', name: 'Summary A' }))).body.data.id as string;
    const b = (await create(camera({ id: 'SUM-B', name: 'Summary B' }))).body.data.id as string;
    const tz = 'Asia/Tokyo';
    const [{ today, midnight }] = await ds.query(
      `SELECT (now() AT TIME ZONE $1)::date::text AS today, date_trunc('day', now() AT TIME ZONE $1) AT TIME ZONE $1 AS midnight`,
      [tz],
    );
    const insert = (cam: string, at: string, status: string) =>
      ds.query(`INSERT INTO detections (camera_id, confidence, timestamp, status) VALUES ($1, 90, ${at}, $2)`, [cam, status]);
    for (let i = 0; i < 5; i++)
      await insert(a, `$3::timestamptz + interval '${i} seconds'`.replace('$3', `'${(midnight as Date).toISOString()}'`), 'authorized');
    await insert(a, 'now()', 'unknown');
    await insert(a, 'now()', 'unknown');
    await insert(a, `'${(midnight as Date).toISOString()}'::timestamptz - interval '1 second'`, 'unknown'); // yesterday, site time
    await insert(b, `now() - interval '2 days'`, 'authorized');
    await ds.query(
      `INSERT INTO camera_summaries (camera_id, date, online_checks, total_checks) VALUES ($1, $3::date, 29, 30), ($2, $3::date, 0, 0), ($2, $3::date - 1, 10, 10)`,
      [a, b, today],
    );
    const res = await call(t.http().get('/api/v1/cameras/summary').set(auth(admin)));
    expect(res.status).toBe(200);
    const byId = Object.fromEntries((res.body.data as Array<{ id: string }>).map((s) => [s.id, s]));
    expect(byId[a]).toEqual({ id: a, detectionsToday: 7, unknownFaces: 2, uptimePercent: 96.67, uptimeSamples: 30 });
    expect(byId[b]).toEqual({ id: b, detectionsToday: 0, unknownFaces: 0, uptimePercent: 0, uptimeSamples: 0 });
    expect(byId['CAM-01']).toMatchObject({ detectionsToday: 0 });
    // One entry per live camera.
    const total = (await call(t.http().get('/api/v1/cameras?pageSize=1').set(auth(admin)))).body.meta.total;
    expect(res.body.data).toHaveLength(total);
  });

  it('exports masked URLs and imports all-or-nothing, with dry run and partial import', async () => {
    const exp = await call(t.http().get('/api/v1/cameras/export').set(auth(admin)));
    expect(exp.status).toBe(200);
    expect(exp.body.data).toMatchObject({ version: 1, note: expect.stringMatching(/masked/) });
    const cam1 = exp.body.data.cameras.find((c: { id: string }) => c.id === 'CAM-01');
    expect(cam1).toMatchObject({ streamUrl: MASKED, name: 'Main Entrance (N)' });
    expect(exp.text).not.toContain(PASSWORD);

    // Round trip: the export imports back as updates, the stored secrets untouched.
    const round = await call(t.http().post('/api/v1/cameras/import').set(auth(admin)).send(exp.body.data));
    expect(round.status).toBe(200);
    expect(round.body.data).toMatchObject({ applied: true, rejected: [], created: [] });
    expect(round.body.data.updated).toHaveLength(exp.body.data.cameras.length);
    const secrets = t.app.get(CameraSecrets);
    expect(secrets.open((await ds.query(`SELECT stream_url FROM cameras WHERE id='CAM-01'`))[0].stream_url)).toBe(RTSP_URL);

    const countBefore = (await ds.query(`SELECT count(*)::int AS n FROM cameras`))[0].n;
    const file = {
      cameras: [
        { id: 'CAM-01', name: 'Renamed by import', streamUrl: MASKED },
        { name: 'New From Import', location: 'Gate', streamType: 'HTTP', streamUrl: 'http://10.0.0.50:8080/stream.m3u8' },
        { id: 'IMP-2', name: 'Second New', location: 'Gate', streamType: 'RTSP', streamUrl: 'rtsp://u:p4ss-word@10.0.0.51/s' },
        { id: 'IMP-BAD', name: 'Broken', location: 'Gate', streamType: 'RTSP', streamUrl: 'http://nope' },
        { id: 'IMP-MASK', name: 'Masked new', location: 'Gate', streamType: 'RTSP', streamUrl: 'rtsp://admin:***@10.0.0.52/s' },
        { id: 'IMP-2', name: 'Duplicate', location: 'Gate', streamType: 'RTSP', streamUrl: 'rtsp://10.0.0.53/s' },
        { id: 'IMP-X', name: 'Extra', location: 'Gate', streamType: 'RTSP', streamUrl: 'rtsp://10.0.0.54/s', fps: 30 },
        { id: 'IMP-MISSING', name: 'No location' },
      ],
    };
    const strict = await call(t.http().post('/api/v1/cameras/import').set(auth(admin)).send(file));
    expect(strict.status).toBe(422);
    expect(strict.body.error.code).toBe('UNPROCESSABLE_ENTITY');
    const report = strict.body.error.details;
    expect(report.applied).toBe(false);
    expect(report.rejected.map((r: { row: number; id: string | null }) => [r.row, r.id])).toEqual([
      [3, 'IMP-BAD'],
      [4, 'IMP-MASK'],
      [5, 'IMP-2'],
      [6, 'IMP-X'],
      [7, 'IMP-MISSING'],
    ]);
    expect(report.rejected[0].reasons[0].field).toBe('streamUrl');
    expect(report.rejected[2].reasons[0].issue).toMatch(/duplicate of row 2/);
    expect(report.rejected[4].reasons.map((r: { field: string }) => r.field).sort()).toEqual(['location', 'streamType', 'streamUrl']);
    expect(report.updated).toEqual([{ row: 0, id: 'CAM-01' }]);
    expect(report.created.map((c: { row: number }) => c.row)).toEqual([1, 2]);
    // Nothing changed.
    expect((await ds.query(`SELECT count(*)::int AS n FROM cameras`))[0].n).toBe(countBefore);
    expect((await ds.query(`SELECT name FROM cameras WHERE id='CAM-01'`))[0].name).toBe('Main Entrance (N)');

    const dry = await call(t.http().post('/api/v1/cameras/import?dryRun=true&partial=true').set(auth(admin)).send(file));
    expect(dry.status).toBe(200);
    expect(dry.body.data).toMatchObject({ dryRun: true, partial: true, applied: false, total: 8 });
    expect((await ds.query(`SELECT count(*)::int AS n FROM cameras`))[0].n).toBe(countBefore);

    const partial = await call(t.http().post('/api/v1/cameras/import?partial=true').set(auth(admin)).send(file));
    expect(partial.status).toBe(200);
    expect(partial.body.data).toMatchObject({ applied: true, updated: [{ row: 0, id: 'CAM-01' }] });
    expect(partial.body.data.rejected).toHaveLength(5);
    const createdIds = partial.body.data.created.map((c: { id: string }) => c.id);
    expect(createdIds[1]).toBe('IMP-2');
    expect(createdIds[0]).toMatch(/^CAM-\d{2,}$/);
    expect((await ds.query(`SELECT count(*)::int AS n FROM cameras`))[0].n).toBe(countBefore + 2);
    const [cam1After] = await ds.query(`SELECT name, stream_url FROM cameras WHERE id='CAM-01'`);
    expect(cam1After.name).toBe('Renamed by import');
    expect(secrets.open(cam1After.stream_url)).toBe(RTSP_URL);
    const [imp2] = await ds.query(`SELECT stream_url, stream_url_masked FROM cameras WHERE id='IMP-2'`);
    expect(imp2.stream_url).toMatch(/^enc:v1:/);
    expect(imp2.stream_url_masked).toBe('rtsp://u:***@10.0.0.51/s');

    // A body that is not an export document at all.
    expect((await call(t.http().post('/api/v1/cameras/import').set(auth(admin)).send({ cameras: 'nope' }))).status).toBe(400);
    expect(
      (
        await call(
          t
            .http()
            .post('/api/v1/cameras/import')
            .set(auth(admin))
            .send({ cameras: [1, 2] }),
        )
      ).status,
    ).toBe(400);
  });

  it('numbers generated import ids after the CAM-NN ids the file itself creates', async () => {
    const res = await call(
      t
        .http()
        .post('/api/v1/cameras/import')
        .set(auth(admin))
        .send({
          cameras: [
            { name: 'No id', location: 'Gate', streamType: 'RTSP', streamUrl: 'rtsp://10.0.0.60/s' },
            { id: 'CAM-90', name: 'Explicit', location: 'Gate', streamType: 'RTSP', streamUrl: 'rtsp://10.0.0.61/s' },
          ],
        }),
    );
    expect(res.status).toBe(200);
    expect(res.body.data.created).toEqual([
      { row: 0, id: 'CAM-91' },
      { row: 1, id: 'CAM-90' },
    ]);
    expect((await create(camera({ name: 'Next' }))).body.data.id).toBe('CAM-92');
  });

  it('enforces permissions per route and role', async () => {
    const viewer = await t.userWithRole('ROLE-VIEWER');
    const operator = await t.userWithRole('ROLE-OPERATOR');
    const routes: Array<{ m: 'get' | 'post' | 'put' | 'patch' | 'delete'; p: string; body?: unknown; perm: 'read' | 'write' | 'delete' }> =
      [
        { m: 'get', p: '/api/v1/cameras', perm: 'read' },
        { m: 'get', p: '/api/v1/cameras/summary', perm: 'read' },
        { m: 'get', p: '/api/v1/cameras/export', perm: 'read' },
        { m: 'get', p: '/api/v1/cameras/CAM-02', perm: 'read' },
        { m: 'post', p: '/api/v1/cameras', body: camera({ name: 'RBAC' }), perm: 'write' },
        { m: 'put', p: '/api/v1/cameras/CAM-02', body: { name: 'RBAC edit' }, perm: 'write' },
        { m: 'patch', p: '/api/v1/cameras/CAM-02/state', body: { enabled: true }, perm: 'write' },
        { m: 'post', p: '/api/v1/cameras/import?dryRun=true', body: { cameras: [] }, perm: 'write' },
        { m: 'post', p: '/api/v1/cameras/NOPE-9/test-connection', perm: 'write' },
        { m: 'post', p: '/api/v1/cameras/NOPE-9/snapshot', perm: 'write' },
        { m: 'delete', p: '/api/v1/cameras/CAM-03', perm: 'delete' },
      ];
    for (const r of routes) {
      const as = async (token: string) =>
        (
          await call(
            t
              .http()
              [r.m](r.p)
              .set(auth(token))
              .send(r.body as object),
          )
        ).status;
      const v = await as(viewer.token);
      const o = await as(operator.token);
      expect({ route: `${r.m} ${r.p}`, viewer: v === 403, operator: o === 403 }).toEqual({
        route: `${r.m} ${r.p}`,
        viewer: r.perm !== 'read',
        operator: r.perm === 'delete',
      });
    }
    expect((await call(t.http().delete('/api/v1/cameras/CAM-03').set(auth(admin)))).status).toBe(204);
  });

  it('never shows the password: responses, audit rows and log lines', async () => {
    const audit = await ds.query(`SELECT action, resource_id, context FROM audit_logs WHERE action LIKE 'cameras.%'`);
    expect(audit.map((r: { action: string }) => r.action)).toEqual(
      expect.arrayContaining(['cameras.create', 'cameras.update', 'cameras.setState', 'cameras.remove', 'cameras.import']),
    );
    const everything = [...seen, JSON.stringify(audit), ...logLines].join('\n');
    expect(logLines.length).toBeGreaterThan(10);
    for (const secret of [PASSWORD, 'An0ther-Secret', 'p4ss-word']) expect(everything).not.toContain(secret);
  });
});
