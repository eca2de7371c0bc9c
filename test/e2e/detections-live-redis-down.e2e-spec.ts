import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createTestApp, type TestContext } from '../support/test-app';
import { startPrivateRedis, type PrivateRedis } from '../support/services';

/** GET /detections/live keeps answering from PostgreSQL while Redis is down, and goes back to the cache after. */
describe('live detections without Redis', () => {
  let redis: PrivateRedis;
  let t: TestContext;
  let ds: DataSource;
  let token: string;

  const live = () => t.http().get('/api/v1/detections/live?limit=5').set('Authorization', `Bearer ${token}`);
  const insert = async (at: Date): Promise<string> => {
    const id = randomUUID();
    await ds.query(
      `INSERT INTO detections (id, person_id, name, camera_id, confidence, timestamp, status) VALUES ($1, 'EMP-1', 'One', 'CAM-R', 91.5, $2, 'authorized')`,
      [id, at],
    );
    return id;
  };

  beforeAll(async () => {
    redis = await startPrivateRedis();
    t = await createTestApp({ REDIS_URL: redis.url });
    token = (await t.login()).accessToken;
    ds = t.app.get(DataSource);
    await ds.query(`INSERT INTO cameras (id, name, location, stream_type) VALUES ('CAM-R', 'Rear', 'Yard', 'RTSP')`);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  it('falls back to PostgreSQL, then rebuilds the cache when Redis is back', async () => {
    const first = await insert(new Date(Date.now() - 5000));
    expect((await live()).body.data.map((d: { id: string }) => d.id)).toEqual([first]);

    await redis.stop();
    const second = await insert(new Date());
    const down = await live();
    expect(down.status).toBe(200);
    expect(down.body.data.map((d: { id: string }) => d.id)).toEqual([second, first]);
    expect(down.body.data[0]).toMatchObject({
      personId: 'EMP-1',
      cameraId: 'CAM-R',
      confidence: 91.5,
      status: 'authorized',
      thumbnail: null,
    });

    await redis.start();
    // The restarted Redis is empty: the first read rebuilds the list from PostgreSQL.
    const end = Date.now() + 20_000;
    let ids: string[] = [];
    while (Date.now() < end) {
      const res = await live();
      ids = res.status === 200 ? res.body.data.map((d: { id: string }) => d.id) : [];
      if (ids.length === 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(ids).toEqual([second, first]);
  }, 60_000);
});
