import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { FaceEngineService, FaceIndexService, FaceStorageCleanupService } from '@app/faces';
import { JOBS, QUEUES } from '@app/queue';
import { StorageService } from '@app/storage';
import { readPhoto } from '../support/photos';
import { startS3Server, type RunningS3Server } from '../support/s3';
import { createTestApp, type TestContext } from '../support/test-app';
import { createTestWorker } from '../support/test-worker';

/**
 * Erasure when object storage is down: the database rows and every matcher entry go at once, the
 * files are deleted by the retried `face-storage-erase` job once storage is back (run by a real
 * worker), and the sweep removes files no row owns. Real S3 server stopped and restarted on the
 * same port and directory.
 */
// The engine costs ~0.2-0.6 s per image and the machine is shared: no 5 s default.
jest.setTimeout(60_000);

describe('faces erasure with storage down', () => {
  let t: TestContext;
  let s3: RunningS3Server;
  let s3Dir: string;
  let admin: string;
  let ds: DataSource;
  let storage: StorageService;
  let worker: INestApplicationContext | undefined;

  const auth = () => ({ Authorization: `Bearer ${admin}` });
  const count = async (sql: string, params: unknown[]): Promise<number> =>
    Number(((await ds.query(sql, params)) as Array<{ n: number }>)[0].n);
  const until = async (what: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    s3Dir = await mkdtemp(join(tmpdir(), 'faces-s3-'));
    s3 = await startS3Server({ directory: s3Dir });
    t = await createTestApp({ S3_ENDPOINT: s3.endpoint, S3_TIMEOUT_MS: '2000' });
    admin = (await t.login()).accessToken;
    ds = t.app.get(DataSource);
    storage = t.app.get(StorageService);
    await t.app.get(FaceEngineService).warmUp();
  }, 90_000);

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await s3?.stop();
    await rm(s3Dir, { recursive: true, force: true });
  });

  it('erases the biometric rows at once and the files once storage is back', async () => {
    const res = await t
      .http()
      .post('/api/v1/faces')
      .set(auth())
      .field('name', 'Grace Hopper')
      .field('employeeId', 'EMP-GRACE')
      .attach('images[]', readPhoto('grace_hopper.jpg'), 'grace.jpg');
    expect(res.status).toBe(201);
    const id: string = res.body.data.id;
    const index = t.app.get(FaceIndexService);
    expect(index.holds(id)).toBe(true);
    expect(await storage.listKeys(`faces/${id}/`)).toHaveLength(1);

    // Storage goes down; the erasure still removes every biometric row and matcher entry.
    const port = s3.port;
    await s3.stop();
    const del = await t.http().delete(`/api/v1/faces/${id}`).set(auth());
    expect(del.status).toBe(204);
    expect(await count('SELECT count(*)::int AS n FROM face_profiles WHERE id = $1', [id])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM face_images WHERE profile_id = $1', [id])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM face_embeddings WHERE profile_id = $1', [id])).toBe(0);
    expect(index.holds(id)).toBe(false);

    const queue = t.app.get<Queue>(getQueueToken(QUEUES.maintenance));
    const waiting = await queue.getJobs(['waiting', 'delayed']);
    const job = waiting.find((j) => j.name === JOBS.faceStorageErase);
    expect(job?.data).toEqual({ profileId: id, prefix: `faces/${id}/` });

    // Storage comes back with its files; a worker runs the job and the files are gone.
    s3 = await startS3Server({ directory: s3Dir, port });
    expect(await storage.listKeys(`faces/${id}/`)).toHaveLength(1);
    worker = await createTestWorker();
    await until(async () => (await storage.listKeys(`faces/${id}/`)).length === 0);
    await until(async () => (await queue.getJob(job!.id!))?.finishedOn !== undefined);
    expect(await (await queue.getJob(job!.id!))!.getState()).toBe('completed');
  });

  it('the sweep deletes files under faces/ that no row owns, once they are an hour old', async () => {
    const cleanup = t.app.get(FaceStorageCleanupService);
    const orphan = `faces/00000000-0000-4000-8000-00000000dead/11111111-1111-4111-8111-111111111111.jpg`;
    await storage.put(orphan, readPhoto('grace_hopper.jpg'), { contentType: 'image/jpeg' });
    // A file this young may belong to an enrolment that has not committed yet: kept.
    expect(await cleanup.sweep()).toMatchObject({ orphans: 1, tooRecent: 1, removed: 0 });
    const onDisk = join(s3Dir, 'face-attendance-bucket', ...orphan.split('/').slice(0, -1), `${orphan.split('/').pop()}._S3rver_object`);
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(onDisk, twoHoursAgo, twoHoursAgo);
    expect(await cleanup.sweep()).toMatchObject({ orphans: 1, removed: 1 });
    expect(await storage.listKeys('faces/')).toEqual([]);
  });
});
