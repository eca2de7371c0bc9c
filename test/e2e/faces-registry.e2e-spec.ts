import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import * as http from 'node:http';
import sharp from 'sharp';
import { DataSource } from 'typeorm';
import { FaceEngineService, FaceIndexService, type DetectedFace } from '@app/faces';
import { StorageService } from '@app/storage';
import { readPhoto } from '../support/photos';
import { createTestApp, type TestContext } from '../support/test-app';
import { createTestWorker } from '../support/test-worker';

/**
 * The face registry through the real api, the real built-in engine on real photographs, the real
 * database, Redis and S3 server, and a real worker process context (second matcher). No mocks.
 * Engine calls cost ~0.2-0.6 s each: the photos are analysed as few times as possible.
 */
// The engine costs ~0.2-0.6 s per image and the machine is shared: no 5 s default.
jest.setTimeout(60_000);

describe('faces registry', () => {
  let t: TestContext;
  let admin: string;
  let ds: DataSource;
  let storage: StorageService;
  let apiIndex: FaceIndexService;
  let engine: FaceEngineService;
  let worker: INestApplicationContext;
  let workerIndex: FaceIndexService;
  let cageId: string;
  let cageImageId: string;
  let cage2Face: DetectedFace;

  const auth = (token = admin) => ({ Authorization: `Bearer ${token}` });
  const enrol = (fields: Record<string, string>, files: Array<{ name: string; data: Buffer; field?: string }>, token = admin) => {
    const req = t.http().post('/api/v1/faces').set(auth(token));
    for (const [k, v] of Object.entries(fields)) req.field(k, v);
    for (const f of files) req.attach(f.field ?? 'images', f.data, f.name);
    return req;
  };
  const addImages = (id: string, files: Array<{ name: string; data: Buffer }>) => {
    const req = t.http().post(`/api/v1/faces/${id}/images`).set(auth());
    for (const f of files) req.attach('images', f.data, f.name);
    return req;
  };
  const photo = (name: string) => ({ name, data: readPhoto(name) });
  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    Number(((await ds.query(sql, params)) as Array<{ n: number }>)[0].n);
  /** Everything stored about faces, to prove a refused request left nothing behind. */
  const snapshot = async () => ({
    profiles: await count('SELECT count(*)::int AS n FROM face_profiles'),
    images: await count('SELECT count(*)::int AS n FROM face_images'),
    embeddings: await count('SELECT count(*)::int AS n FROM face_embeddings'),
    objects: (await storage.listKeys('faces/')).length,
  });
  const until = async (what: () => boolean, ms = 15_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!what()) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = (await t.login()).accessToken;
    ds = t.app.get(DataSource);
    storage = t.app.get(StorageService);
    apiIndex = t.app.get(FaceIndexService);
    engine = t.app.get(FaceEngineService);
    await engine.warmUp(); // load the models once, outside the timed tests
    worker = await createTestWorker();
    workerIndex = worker.get(FaceIndexService);
    await workerIndex.whenReady();
  }, 90_000);

  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  it('enrols a photo: profile active, JPEG stored without metadata, embedding stored with its model', async () => {
    const res = await enrol({ name: 'Nicolas Cage', employeeId: 'EMP-CAGE', department: 'Film' }, [photo('cage.jpg')]);
    expect(res.status).toBe(201);
    const p = res.body.data;
    cageId = p.id;
    expect(p).toMatchObject({
      employeeId: 'EMP-CAGE',
      name: 'Nicolas Cage',
      department: 'Film',
      status: 'active',
      statusLocked: false,
      imageCount: 1,
      embeddingCount: 1,
    });
    expect(p.images).toHaveLength(1);
    cageImageId = p.images[0].id;

    const keys = await storage.listKeys(`faces/${cageId}/`);
    expect(keys).toEqual([`faces/${cageId}/${cageImageId}.jpg`]);
    const stored = await storage.getBuffer(keys[0]);
    const meta = await sharp(stored).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.exif).toBeUndefined();
    expect(meta.icc).toBeUndefined();

    const rows = await ds.query(
      `SELECT image_id, dimension, model_name, model_version, octet_length(embedding) AS bytes FROM face_embeddings WHERE profile_id = $1`,
      [cageId],
    );
    expect(rows).toEqual([
      { image_id: cageImageId, dimension: 1024, model_name: engine.modelName, model_version: engine.modelVersion, bytes: 4096 },
    ]);

    // The presigned URL serves the stored JPEG.
    const body = await fetchBuffer(p.images[0].url);
    expect(body.equals(stored)).toBe(true);
  });

  it('matches a second photo of the same person above the threshold, in the api and in the worker', async () => {
    await until(() => workerIndex.holds(cageId));
    cage2Face = (await engine.analyze(readPhoto('cage2_crop.jpg'))).faces[0];
    const thresholds = await apiIndex.thresholds();
    for (const index of [apiIndex, workerIndex]) {
      const verdict = await index.classify(cage2Face);
      expect(verdict.decision).toBe('authorized');
      expect(verdict.match).toMatchObject({ profileId: cageId, employeeId: 'EMP-CAGE', name: 'Nicolas Cage', department: 'Film' });
      expect(verdict.match!.similarity).toBeGreaterThanOrEqual(thresholds.matchThreshold);
      expect(index.match(cage2Face.embedding!)?.profileId).toBe(cageId);
    }
  });

  it('does not match another person', async () => {
    const grace = (await engine.analyze(readPhoto('grace_hopper.jpg'))).faces[0];
    const verdict = await apiIndex.classify(grace);
    expect(verdict.decision).toBe('unknown');
    expect(verdict.match).toBeNull();
    expect(verdict.candidate?.similarity ?? 0).toBeLessThan((await apiIndex.thresholds()).matchThreshold);
  });

  it('refuses a frame without a face with 422 naming the image, and stores nothing', async () => {
    const before = await snapshot();
    const res = await enrol({ name: 'Coffee', employeeId: 'EMP-COFFEE' }, [photo('coffee.png')]);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('UNPROCESSABLE_ENTITY');
    expect(res.body.error.message).toContain('coffee.png');
    expect(res.body.error.details.images).toEqual([expect.objectContaining({ index: 0, filename: 'coffee.png', code: 'no_face' })]);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a PNG with several faces with 422, and a good image beside a bad one stores nothing', async () => {
    const before = await snapshot();
    const png = await sharp(readPhoto('faces.jpg')).png().toBuffer();
    const res = await enrol({ name: 'Crowd', employeeId: 'EMP-CROWD' }, [{ name: 'crowd.png', data: png }]);
    expect(res.status).toBe(422);
    expect(res.body.error.details.images[0]).toMatchObject({ index: 0, filename: 'crowd.png', code: 'multiple_faces' });
    expect(res.body.error.details.images[0].reason).toMatch(/3 faces/);

    const mixed = await enrol({ name: 'Mixed', employeeId: 'EMP-MIXED' }, [photo('audrey.jpg'), photo('coffee.png')]);
    expect(mixed.status).toBe(422);
    expect(mixed.body.error.details.images).toEqual([expect.objectContaining({ index: 1, filename: 'coffee.png', code: 'no_face' })]);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a text file named .jpg (415), a 20 MB file (413), 6 files (400), a truncated body (400), a stray field (400)', async () => {
    const before = await snapshot();
    const text = await enrol({ name: 'Text', employeeId: 'EMP-TEXT' }, [
      { name: 'portrait.jpg', data: Buffer.from('just some text, not a photo\n'.repeat(20)) },
    ]);
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(text.body.error.message).toContain('portrait.jpg');
    expect(text.body.error.details.images[0]).toMatchObject({ index: 0, code: 'unsupported_type' });

    const big = Buffer.alloc(20 * 1024 * 1024, 0x41);
    readPhoto('cage.jpg').copy(big); // a real JPEG header, then padding
    const huge = await enrol({ name: 'Huge', employeeId: 'EMP-HUGE' }, [{ name: 'huge.jpg', data: big }]);
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(huge.body.error.message).toMatch(/10 MB/);

    const six = await enrol(
      { name: 'Six', employeeId: 'EMP-SIX' },
      Array.from({ length: 6 }, (_, i) => ({ name: `f${i}.jpg`, data: readPhoto('cage2_crop.jpg') })),
    );
    expect(six.status).toBe(400);
    expect(six.body.error.message).toMatch(/At most 5 images/);

    const stray = await enrol({ name: 'Stray', employeeId: 'EMP-STRAY' }, [
      { name: 'x.jpg', data: readPhoto('cage2_crop.jpg'), field: 'photo' },
    ]);
    expect(stray.status).toBe(400);
    expect(stray.body.error.message).toMatch(/Unexpected file field "photo"/);

    const truncated = await rawMultipart(t.baseUrl, admin, true);
    expect(truncated.status).toBe(400);
    expect(truncated.body).toMatch(/Malformed multipart body/);

    const json = await t.http().post('/api/v1/faces').set(auth()).send({ name: 'Json', employeeId: 'EMP-JSON' });
    expect(json.status).toBe(415);

    const invalid = await enrol({ name: '', employeeId: 'bad id!' }, []);
    expect(invalid.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a taken employeeId with 409', async () => {
    const res = await enrol({ name: 'Other Cage', employeeId: 'EMP-CAGE' }, []);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
  });

  it('refuses an image of someone else on a profile (422) and a 6th image (409)', async () => {
    const other = await addImages(cageId, [photo('grace_hopper.jpg')]);
    expect(other.status).toBe(422);
    expect(other.body.error.details.images[0]).toMatchObject({ code: 'different_person', filename: 'grace_hopper.jpg' });

    const frames = ['franck_01829.jpg', 'franck_02045.jpg', 'franck_02159.jpg', 'franck_02221.jpg', 'franck_02683.jpg'];
    const created = await enrol({ name: 'Franck', employeeId: 'EMP-FRANCK' }, frames.map(photo));
    expect(created.status).toBe(201);
    expect(created.body.data.imageCount).toBe(5);
    const before = await snapshot();
    const sixth = await addImages(created.body.data.id, [photo('franck_02888.jpg')]);
    expect(sixth.status).toBe(409);
    expect(sixth.body.error.message).toMatch(/at most 5 images/);
    expect(await snapshot()).toEqual(before);
  });

  it('adds an image of the same person; lists, filters and presigns', async () => {
    const added = await addImages(cageId, [photo('cage2_crop.jpg')]);
    expect(added.status).toBe(201);
    expect(added.body.data).toMatchObject({ imageCount: 2, embeddingCount: 2, status: 'active' });

    const list = await t.http().get('/api/v1/faces').query({ department: 'film', pageSize: 10 }).set(auth());
    expect(list.status).toBe(200);
    expect(list.body.data.map((p: { employeeId: string }) => p.employeeId)).toEqual(['EMP-CAGE']);
    expect(list.body.meta).toMatchObject({ page: 1, pageSize: 10, total: 1 });
    const search = await t.http().get('/api/v1/faces').query({ search: 'franck', status: 'active' }).set(auth());
    expect(search.body.data.map((p: { employeeId: string }) => p.employeeId)).toEqual(['EMP-FRANCK']);

    const images = await t.http().get(`/api/v1/faces/${cageId}/images`).set(auth());
    expect(images.status).toBe(200);
    expect(images.body.data).toHaveLength(2);
    const fetched = await fetchBuffer(images.body.data[1].url);
    expect((await sharp(fetched).metadata()).format).toBe('jpeg');
    expect((await t.http().get(`/api/v1/faces/00000000-0000-4000-8000-000000000000/images`).set(auth())).status).toBe(404);
  });

  it('an operator status locks it; archived profiles leave every matcher; unlocking restores them', async () => {
    const archived = await t.http().put(`/api/v1/faces/${cageId}`).set(auth()).send({ status: 'archived' });
    expect(archived.status).toBe(200);
    expect(archived.body.data).toMatchObject({ status: 'archived', statusLocked: true });
    expect(apiIndex.holds(cageId)).toBe(false);
    await until(() => !workerIndex.holds(cageId));
    expect((await workerIndex.classify(cage2Face)).decision).toBe('unknown');

    const unlocked = await t.http().put(`/api/v1/faces/${cageId}`).set(auth()).send({ statusLocked: false, department: '' });
    expect(unlocked.body.data).toMatchObject({ status: 'active', statusLocked: false, department: null });
    await until(() => workerIndex.holds(cageId));
    expect((await workerIndex.classify(cage2Face)).match?.department).toBeNull();

    const both = await t.http().put(`/api/v1/faces/${cageId}`).set(auth()).send({ status: 'active', statusLocked: false });
    expect(both.status).toBe(400);
  });

  it('deleting an image erases its file and embedding', async () => {
    const res = await t.http().delete(`/api/v1/faces/${cageId}/images/${cageImageId}`).set(auth());
    expect(res.status).toBe(204);
    expect(await count('SELECT count(*)::int AS n FROM face_embeddings WHERE image_id = $1', [cageImageId])).toBe(0);
    expect(await storage.listKeys(`faces/${cageId}/${cageImageId}`)).toEqual([]);
    const profile = await t.http().get(`/api/v1/faces/${cageId}`).set(auth());
    expect(profile.body.data).toMatchObject({ imageCount: 1, embeddingCount: 1, status: 'active' });
  });

  it('deleting the profile erases everything: database, storage and every matcher', async () => {
    // a face crop of this person in the detection history is biometric data too
    const detectionId = randomUUID();
    const thumb = `thumbnails/${detectionId}.jpg`;
    await ds.query(
      `INSERT INTO cameras (id, name, location, stream_type) VALUES ('CAM-ERASE', 'Erase test', 'Lab', 'Local File') ON CONFLICT DO NOTHING`,
    );
    await ds.query(
      `INSERT INTO detections (id, person_id, name, camera_id, confidence, timestamp, status, thumbnail)
       VALUES ($1, 'EMP-CAGE', 'Nicolas Cage', 'CAM-ERASE', 90, now(), 'authorized', $2)`,
      [detectionId, thumb],
    );
    await storage.put(thumb, photo('cage.jpg').data, { contentType: 'image/jpeg' });
    const res = await t.http().delete(`/api/v1/faces/${cageId}`).set(auth());
    expect(res.status).toBe(204);
    expect(await storage.stat(thumb)).toBeNull();
    expect(await count('SELECT count(*)::int AS n FROM detections WHERE person_id = $1 AND thumbnail IS NOT NULL', ['EMP-CAGE'])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM face_profiles WHERE id = $1', [cageId])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM face_images WHERE profile_id = $1', [cageId])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM face_embeddings WHERE profile_id = $1', [cageId])).toBe(0);
    expect(await storage.listKeys(`faces/${cageId}/`)).toEqual([]);
    expect(apiIndex.holds(cageId)).toBe(false);
    await until(() => !workerIndex.holds(cageId));
    for (const index of [apiIndex, workerIndex]) {
      expect(index.match(cage2Face.embedding!)?.profileId).not.toBe(cageId);
      expect((await index.classify(cage2Face)).decision).toBe('unknown');
    }
    expect((await t.http().get(`/api/v1/faces/${cageId}`).set(auth())).status).toBe(404);
    expect((await t.http().delete(`/api/v1/faces/${cageId}`).set(auth())).status).toBe(404);
  });

  it('a viewer cannot read faces; an operator can enrol but not erase', async () => {
    const viewer = await t.userWithRole('ROLE-VIEWER');
    expect((await t.http().get('/api/v1/faces').set(auth(viewer.token))).status).toBe(403);
    const operator = await t.userWithRole('ROLE-OPERATOR');
    expect((await t.http().get('/api/v1/faces').set(auth(operator.token))).status).toBe(200);
    const franck = (await t.http().get('/api/v1/faces').query({ search: 'EMP-FRANCK' }).set(auth())).body.data[0];
    expect((await t.http().delete(`/api/v1/faces/${franck.id}`).set(auth(operator.token))).status).toBe(403);
  });
});

function fetchBuffer(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`GET ${url}: ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

/** A multipart body cut short (no closing boundary), sent with a matching Content-Length. */
function rawMultipart(baseUrl: string, token: string, truncate: boolean): Promise<{ status: number; body: string }> {
  const boundary = '----facesTestBoundary';
  const parts = [
    `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nCut Short\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="employeeId"\r\n\r\nEMP-CUT\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="images"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
  ];
  let body = Buffer.concat([Buffer.from(parts.join('')), Buffer.alloc(2048, 0xff)]);
  if (!truncate) body = Buffer.concat([body, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const url = new URL('/api/v1/faces', baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': String(body.length),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
