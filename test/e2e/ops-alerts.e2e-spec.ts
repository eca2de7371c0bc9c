import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { AlertsService, NotificationsService } from '@app/alerts';
import { createTestApp, TestContext } from '../support/test-app';
import { WsTestClient, eventually } from '../support/ws-client';

interface AlertBody {
  id: string;
  level: string;
  kind: string | null;
  subject: string | null;
  cameraId: string | null;
  acknowledged: boolean;
  muted: boolean;
  resolvedAt: string | null;
  timestamp: string;
}

describe('alerts: listing, filters, de-duplication, acknowledge, mute, delete', () => {
  let t: TestContext;
  let admin: string;
  let viewer: string;
  let ds: DataSource;
  let alerts: AlertsService;
  const sockets: WsTestClient[] = [];

  const get = (url: string, token = admin) => t.http().get(url).set('Authorization', `Bearer ${token}`);
  const post = (url: string, body: object = {}, token = admin) => t.http().post(url).set('Authorization', `Bearer ${token}`).send(body);

  beforeAll(async () => {
    t = await createTestApp();
    admin = (await t.login()).accessToken;
    viewer = (await t.userWithRole('ROLE-VIEWER')).token;
    ds = t.app.get(DataSource);
    alerts = t.app.get(AlertsService);
    for (const id of ['CAM-A1', 'CAM-A2', 'CAM-A3']) {
      await ds.query(`INSERT INTO cameras (id, name, location, stream_type) VALUES ($1, $1, 'Lobby', 'RTSP')`, [id]);
    }
  });

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await t.close();
  });

  it('keeps one open alert per kind and subject, pushes only new ones, and opens a new one after resolve', async () => {
    const ws = await WsTestClient.connect(t.baseUrl, admin);
    sockets.push(ws);
    await ws.subscribe('alerts');

    const first = await alerts.raise({
      kind: 'camera_offline',
      subject: 'CAM-A1',
      title: 'Camera Offline',
      level: 'high',
      cameraId: 'CAM-A1',
    });
    const again = await alerts.raise({
      kind: 'camera_offline',
      subject: 'CAM-A1',
      title: 'Camera Offline',
      description: 'still down',
      level: 'critical',
      cameraId: 'CAM-A1',
    });
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.alert.id).toBe(first.alert.id);
    expect(again.alert.level).toBe('critical');
    expect(again.alert.description).toBe('still down');

    const pushed = await ws.waitFor((m) => m.type === 'alert');
    expect((pushed.alert as { id: string }).id).toBe(first.alert.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(ws.messages.filter((m) => m.type === 'alert')).toHaveLength(1);

    const listed = await get('/api/v1/alerts?kind=camera_offline&cameraId=CAM-A1');
    expect(listed.status).toBe(200);
    expect(listed.body.meta.total).toBe(1);
    expect(listed.body.data[0]).toMatchObject({ id: first.alert.id, level: 'critical', resolvedAt: null });

    expect((await alerts.resolve('camera_offline', 'CAM-A1'))?.id).toBe(first.alert.id);
    expect(await alerts.resolve('camera_offline', 'CAM-A1')).toBeNull();
    const reopened = await alerts.raise({
      kind: 'camera_offline',
      subject: 'CAM-A1',
      title: 'Camera Offline',
      level: 'high',
      cameraId: 'CAM-A1',
    });
    expect(reopened.created).toBe(true);
    expect(reopened.alert.id).not.toBe(first.alert.id);

    const open = await get('/api/v1/alerts?kind=camera_offline&resolved=false');
    expect(open.body.data.map((a: AlertBody) => a.id)).toEqual([reopened.alert.id]);
    const closed = await get('/api/v1/alerts?kind=camera_offline&resolved=true');
    expect(closed.body.data.map((a: AlertBody) => a.id)).toEqual([first.alert.id]);
    await ws.waitFor((m) => m.type === 'alert' && (m.alert as { id: string }).id === reopened.alert.id);
  });

  it('lists newest first with every filter and pagination', async () => {
    await ds.query('DELETE FROM alerts');
    await alerts.invalidateListCache();
    const levels = ['low', 'medium', 'high', 'critical'];
    const cams = ['CAM-A1', 'CAM-A2', null];
    const kinds = ['unknown_face', 'provider_degraded', 'odoo_sync_failures'];
    const seeded: AlertBody[] = [];
    const base = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < 45; i++) {
      const row = {
        id: `ALERT-SEED-${String(i).padStart(3, '0')}`,
        level: levels[i % 4],
        cameraId: cams[i % 3],
        kind: kinds[i % 3],
        subject: `S${i}`,
        acknowledged: i % 5 === 0,
        muted: i % 7 === 0,
        resolvedAt: i % 2 === 0 ? new Date(base + i * 60_000 + 1000).toISOString() : null,
        timestamp: new Date(base + ((i * 37) % 45) * 60_000).toISOString(),
      };
      seeded.push(row);
      await ds.query(
        `INSERT INTO alerts (id, title, level, timestamp, camera_id, acknowledged, muted, kind, subject, resolved_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [row.id, `Seed ${i}`, row.level, row.timestamp, row.cameraId, row.acknowledged, row.muted, row.kind, row.subject, row.resolvedAt],
      );
    }
    const newestFirst = (rows: AlertBody[]): string[] =>
      [...rows].sort((a, b) => b.timestamp.localeCompare(a.timestamp) || b.id.localeCompare(a.id)).map((r) => r.id);
    const all = async (query: string): Promise<string[]> => {
      const ids: string[] = [];
      for (let page = 1; ; page++) {
        const res = await get(`/api/v1/alerts?${query}${query ? '&' : ''}page=${page}&pageSize=10`);
        expect(res.status).toBe(200);
        ids.push(...res.body.data.map((a: AlertBody) => a.id));
        if (page >= res.body.meta.totalPages) {
          expect(res.body.meta.total).toBe(ids.length);
          return ids;
        }
      }
    };

    expect(await all('')).toEqual(newestFirst(seeded));
    const cases: Array<[string, (a: AlertBody) => boolean]> = [
      ['level=high', (a) => a.level === 'high'],
      ['level=high,critical', (a) => a.level === 'high' || a.level === 'critical'],
      ['acknowledged=true', (a) => a.acknowledged],
      ['acknowledged=false', (a) => !a.acknowledged],
      ['cameraId=CAM-A2', (a) => a.cameraId === 'CAM-A2'],
      ['kind=provider_degraded', (a) => a.kind === 'provider_degraded'],
      ['resolved=true', (a) => a.resolvedAt !== null],
      ['resolved=false', (a) => a.resolvedAt === null],
      ['muted=true', (a) => a.muted],
      [
        'level=low&acknowledged=false&cameraId=CAM-A1&resolved=false',
        (a) => a.level === 'low' && !a.acknowledged && a.cameraId === 'CAM-A1' && a.resolvedAt === null,
      ],
    ];
    for (const [query, pred] of cases) {
      const expected = newestFirst(seeded.filter(pred));
      expect([query, await all(query)]).toEqual([query, expected]);
    }

    const page2 = await get('/api/v1/alerts?page=2&pageSize=20');
    expect(page2.body.meta).toEqual({ page: 2, pageSize: 20, total: 45, totalPages: 3 });
    expect(page2.body.data.map((a: AlertBody) => a.id)).toEqual(newestFirst(seeded).slice(20, 40));
  });

  it('answers bad filters and malformed ids with 400, unknown alerts with 404', async () => {
    for (const q of [
      'level=urgent',
      'level=high,nope',
      'acknowledged=maybe',
      'resolved=2',
      'cameraId=%20bad%20id',
      'kind=Camera-Offline',
      'pageSize=500',
      'surprise=1',
    ]) {
      const res = await get(`/api/v1/alerts?${q}`);
      expect([q, res.status, res.body.error?.code]).toEqual([q, 400, 'VALIDATION_ERROR']);
    }
    for (const id of ['garbage', "ALERT-1'%20OR%20'1'='1", '00000000-0000-4000-8000-000000000000', `ALERT-${'x'.repeat(60)}`]) {
      expect((await post(`/api/v1/alerts/${id}/acknowledge`)).status).toBe(400);
      expect((await post(`/api/v1/alerts/${id}/mute`)).status).toBe(400);
      expect((await t.http().delete(`/api/v1/alerts/${id}`).set('Authorization', `Bearer ${admin}`)).status).toBe(400);
    }
    const missing = await post('/api/v1/alerts/ALERT-NOPE-000/acknowledge');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    expect((await post('/api/v1/alerts/ALERT-NOPE-000/mute', { kind: 'yes' })).status).toBe(400);
  });

  it('acknowledges, mutes (and a whole kind), unmutes and deletes, invalidating cached pages and auditing', async () => {
    const ws = await WsTestClient.connect(t.baseUrl, admin);
    sockets.push(ws);
    await ws.subscribe('alerts');
    const { alert } = await alerts.raise({
      kind: 'unknown_face',
      subject: 'CAM-A3:track-1',
      title: 'Unknown face',
      level: 'medium',
      cameraId: 'CAM-A3',
    });

    // warm the cache, then change: the next read must see the change
    const before = await get(`/api/v1/alerts?cameraId=CAM-A3`);
    expect(before.body.data[0]).toMatchObject({ id: alert.id, acknowledged: false, muted: false });
    expect((await post(`/api/v1/alerts/${alert.id}/acknowledge`, {}, viewer)).status).toBe(403);
    const acked = await post(`/api/v1/alerts/${alert.id}/acknowledge`);
    expect(acked.status).toBe(200);
    expect(acked.body.data).toMatchObject({ id: alert.id, acknowledged: true });
    expect((await get(`/api/v1/alerts?cameraId=CAM-A3`)).body.data[0].acknowledged).toBe(true);
    expect((await get(`/api/v1/alerts?cameraId=CAM-A3&acknowledged=false`)).body.meta.total).toBe(0);

    // mute without a body: only the alert
    const muted = await t.http().post(`/api/v1/alerts/${alert.id}/mute`).set('Authorization', `Bearer ${admin}`);
    expect(muted.status).toBe(200);
    expect(muted.body.data.muted).toBe(true);
    expect((await get('/api/v1/alerts/muted-kinds')).body.data.kinds).toEqual([]);

    // mute the kind: new unknown_face alerts are stored but not pushed; other kinds still are
    expect((await post(`/api/v1/alerts/${alert.id}/mute`, { kind: true })).status).toBe(200);
    expect((await get('/api/v1/alerts/muted-kinds', viewer)).body.data.kinds).toEqual(['unknown_face']);
    const silent = await alerts.raise({
      kind: 'unknown_face',
      subject: 'CAM-A3:track-2',
      title: 'Unknown face',
      level: 'medium',
      cameraId: 'CAM-A3',
    });
    const loud = await alerts.raise({ kind: 'provider_degraded', subject: 'provider', title: 'Provider degraded', level: 'high' });
    expect(silent.created).toBe(true);
    await ws.waitFor((m) => m.type === 'alert' && (m.alert as { id: string }).id === loud.alert.id);
    expect(ws.messages.some((m) => m.type === 'alert' && (m.alert as { id: string }).id === silent.alert.id)).toBe(false);
    expect((await get(`/api/v1/alerts?kind=unknown_face&cameraId=CAM-A3`)).body.meta.total).toBe(2);

    // unmute the kind: pushed again
    const unmuted = await post(`/api/v1/alerts/${alert.id}/unmute`, { kind: true });
    expect(unmuted.status).toBe(200);
    expect(unmuted.body.data.muted).toBe(false);
    expect((await get('/api/v1/alerts/muted-kinds')).body.data.kinds).toEqual([]);
    const heard = await alerts.raise({
      kind: 'unknown_face',
      subject: 'CAM-A3:track-3',
      title: 'Unknown face',
      level: 'medium',
      cameraId: 'CAM-A3',
    });
    await ws.waitFor((m) => m.type === 'alert' && (m.alert as { id: string }).id === heard.alert.id);

    // delete
    const del = await t.http().delete(`/api/v1/alerts/${alert.id}`).set('Authorization', `Bearer ${admin}`);
    expect(del.status).toBe(204);
    expect((await t.http().delete(`/api/v1/alerts/${alert.id}`).set('Authorization', `Bearer ${admin}`)).status).toBe(404);
    expect((await get(`/api/v1/alerts?cameraId=CAM-A3`)).body.data.map((a: AlertBody) => a.id)).not.toContain(alert.id);

    const audit = await get(`/api/v1/audit?resourceId=${alert.id}&pageSize=50`);
    expect(audit.body.data.map((r: { action: string }) => r.action).sort()).toEqual(
      ['alerts.acknowledge', 'alerts.mute', 'alerts.mute', 'alerts.remove', 'alerts.unmute'].sort(),
    );
  });
});

describe('notifications: per user or broadcast, acknowledged and cleared per user', () => {
  let t: TestContext;
  let a: { id: string; token: string };
  let b: { id: string; token: string };
  let notifications: NotificationsService;
  const sockets: WsTestClient[] = [];

  const get = (url: string, token: string) => t.http().get(url).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    t = await createTestApp();
    a = await t.userWithRole('ROLE-OPERATOR');
    b = await t.userWithRole('ROLE-VIEWER');
    notifications = t.app.get(NotificationsService);
  });

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await t.close();
  });

  it('delivers a personal notification only to its user’s WebSocket, a broadcast to everyone', async () => {
    const wsA = await WsTestClient.connect(t.baseUrl, a.token);
    const wsB = await WsTestClient.connect(t.baseUrl, b.token);
    sockets.push(wsA, wsB);
    await wsA.subscribe('notifications');
    await wsB.subscribe('notifications');

    const personal = await notifications.notify({
      userId: a.id,
      title: 'Export ready',
      level: 'info',
      link: '/exports/1',
      source: 'exports',
    });
    const got = await wsA.waitFor((m) => m.type === 'notification');
    expect(got).toEqual({
      type: 'notification',
      channel: 'notifications',
      notification: expect.objectContaining({ id: personal.id, title: 'Export ready' }),
    });
    expect(got.userId).toBeUndefined();

    const broadcast = await notifications.notify({ userId: null, title: 'Maintenance tonight', level: 'warning' });
    await wsB.waitFor((m) => m.type === 'notification' && (m.notification as { id: string }).id === broadcast.id);
    await wsA.waitFor((m) => m.type === 'notification' && (m.notification as { id: string }).id === broadcast.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(wsB.messages.some((m) => m.type === 'notification' && (m.notification as { id: string }).id === personal.id)).toBe(false);
  });

  it('lists own + broadcasts, acknowledges own (404 for others’), broadcasts per user, and clears only the caller’s', async () => {
    const mine = await notifications.notify({ userId: a.id, title: 'Sync finished', level: 'info' });
    const critical = await notifications.notify({ userId: a.id, title: 'Disk full', level: 'critical' });
    const hers = await notifications.notify({ userId: b.id, title: 'For B', level: 'info' });
    const everyone = await notifications.notify({ userId: null, title: 'Release 1.2', level: 'info' });

    const listA = await get('/api/v1/notifications?pageSize=50', a.token);
    expect(listA.status).toBe(200);
    const idsA = listA.body.data.map((n: { id: string }) => n.id);
    expect(idsA).toEqual(expect.arrayContaining([mine.id, critical.id, everyone.id]));
    expect(idsA).not.toContain(hers.id);
    const times = listA.body.data.map((n: { timestamp: string }) => n.timestamp);
    expect([...times].sort().reverse()).toEqual(times);
    expect((await get('/api/v1/notifications?level=critical', a.token)).body.data.map((n: { id: string }) => n.id)).toEqual([critical.id]);

    // B cannot see or acknowledge A's notification
    const foreign = await t.http().post(`/api/v1/notifications/${mine.id}/acknowledge`).set('Authorization', `Bearer ${b.token}`);
    expect(foreign.status).toBe(404);
    expect((await t.http().post('/api/v1/notifications/not-a-uuid/acknowledge').set('Authorization', `Bearer ${a.token}`)).status).toBe(
      400,
    );
    expect((await t.http().post(`/api/v1/notifications/${mine.id}/acknowledge`)).status).toBe(401);

    const ackMine = await t.http().post(`/api/v1/notifications/${mine.id}/acknowledge`).set('Authorization', `Bearer ${a.token}`);
    expect(ackMine.status).toBe(200);
    expect(ackMine.body.data).toMatchObject({ id: mine.id, acknowledged: true });
    const ackBroadcast = await t.http().post(`/api/v1/notifications/${everyone.id}/acknowledge`).set('Authorization', `Bearer ${a.token}`);
    expect(ackBroadcast.body.data).toMatchObject({ id: everyone.id, acknowledged: true, userId: null });
    // idempotent
    expect((await t.http().post(`/api/v1/notifications/${everyone.id}/acknowledge`).set('Authorization', `Bearer ${a.token}`)).status).toBe(
      200,
    );

    const ackedA = (await get('/api/v1/notifications?acknowledged=true&pageSize=50', a.token)).body.data.map((n: { id: string }) => n.id);
    expect(ackedA.sort()).toEqual([mine.id, everyone.id].sort());
    const bView = (await get('/api/v1/notifications?pageSize=50', b.token)).body.data as Array<{ id: string; acknowledged: boolean }>;
    expect(bView.find((n) => n.id === everyone.id)?.acknowledged).toBe(false);
    expect((await get('/api/v1/notifications?acknowledged=maybe', b.token)).status).toBe(400);

    // A clears what A acknowledged: own row deleted, broadcast hidden for A only
    const cleared = await t.http().delete('/api/v1/notifications?scope=acknowledged').set('Authorization', `Bearer ${a.token}`);
    expect(cleared.status).toBe(200);
    expect(cleared.body.data).toEqual({ cleared: 2 });
    const afterA = (await get('/api/v1/notifications?pageSize=50', a.token)).body.data.map((n: { id: string }) => n.id);
    expect(afterA).not.toContain(mine.id);
    expect(afterA).not.toContain(everyone.id);
    expect(afterA).toContain(critical.id);
    expect((await get('/api/v1/notifications?pageSize=50', b.token)).body.data.map((n: { id: string }) => n.id)).toContain(everyone.id);
    expect((await t.http().post(`/api/v1/notifications/${everyone.id}/acknowledge`).set('Authorization', `Bearer ${a.token}`)).status).toBe(
      404,
    );

    // B clears everything of B's; A's own notifications are untouched
    const clearedB = await t.http().delete('/api/v1/notifications').set('Authorization', `Bearer ${b.token}`);
    expect(clearedB.body.data.cleared).toBeGreaterThanOrEqual(2);
    expect((await get('/api/v1/notifications', b.token)).body.meta.total).toBe(0);
    expect((await get('/api/v1/notifications?pageSize=50', a.token)).body.data.map((n: { id: string }) => n.id)).toContain(critical.id);
    expect((await t.http().delete('/api/v1/notifications?scope=everything').set('Authorization', `Bearer ${b.token}`)).status).toBe(400);

    // a broadcast sent after B cleared shows up for B again
    const later = await notifications.notify({ userId: null, title: 'Later', level: 'info' });
    await eventually(
      async () => (await get('/api/v1/notifications', b.token)).body.data.map((n: { id: string }) => n.id),
      (ids: string[]) => ids.includes(later.id),
    );
  });
});
