import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type { RedisService } from '@app/core';
import { decodeEmbedding, encodeEmbedding } from './entities/face-embedding.entity';
import type { FaceEngineService } from './face-engine.service';
import { DEFAULT_FACE_THRESHOLDS, FaceIndexService } from './face-index.service';
import { FACES_CHANGED_CHANNEL, parseFacesChangedEvent } from './faces.events';
import type { FacesRepository, IndexFingerprint, IndexedEmbedding } from './faces.repository';

/** Unit tests with fakes of the repository, Redis and the engine (the e2e tests use the real ones). */
const P1 = '11111111-1111-4111-8111-111111111111';
const P2 = '22222222-2222-4222-8222-222222222222';

function unit(values: number[]): Float32Array {
  const v = Float32Array.from(values);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

class FakeRepo {
  rows: IndexedEmbedding[] = [];
  settings: Record<string, unknown> = {};
  activeProfileCalls: string[] = [];
  async *activeEmbeddings(): AsyncGenerator<IndexedEmbedding[]> {
    yield this.rows;
  }
  async activeProfileEmbeddings(profileId: string): Promise<IndexedEmbedding[]> {
    this.activeProfileCalls.push(profileId);
    return this.rows.filter((r) => r.profileId === profileId);
  }
  async indexFingerprint(): Promise<IndexFingerprint> {
    return {
      embeddings: this.rows.length,
      profiles: new Set(this.rows.map((r) => r.profileId)).size,
      lastEmbeddingAt: null,
      lastProfileChangeAt: null,
    };
  }
  async providerSettings(): Promise<Record<string, unknown>> {
    return this.settings;
  }
}

class FakeRedis {
  readonly published: Array<{ channel: string; message: string }> = [];
  readonly sub = Object.assign(new EventEmitter(), {
    status: 'ready',
    subscribe: async () => 1,
    unsubscribe: async () => 1,
  });
  readonly client = {
    publish: async (channel: string, message: string) => {
      this.published.push({ channel, message });
      return 1;
    },
  };
  channel(name: string): string {
    return `t:${name}`;
  }
  subscriber() {
    return this.sub;
  }
}

const engine = { modelName: 'human-faceres', modelVersion: '3.3.6' } as FaceEngineService;

function setup() {
  const repo = new FakeRepo();
  const redis = new FakeRedis();
  const index = new FaceIndexService(repo as unknown as FacesRepository, redis as unknown as RedisService, engine);
  return { repo, redis, index };
}

const row = (
  profileId: string,
  employeeId: string,
  vector: Float32Array,
  embeddingId = `${profileId.slice(0, 8)}-e`,
): IndexedEmbedding => ({
  embeddingId,
  profileId,
  employeeId,
  name: employeeId.toLowerCase(),
  department: 'Ops',
  vector,
});

describe('FaceIndexService', () => {
  it('reads thresholds from the provider settings, with the measured defaults for missing or invalid keys', async () => {
    const { repo, index } = setup();
    expect(await index.thresholds()).toEqual(DEFAULT_FACE_THRESHOLDS);
    repo.settings = { matchThreshold: 0.7, unknownThreshold: 'x', minFaceSizePx: 48.5, minSharpness: 20, timeoutMs: 5000 };
    index.invalidateThresholds();
    expect(await index.thresholds()).toEqual({ ...DEFAULT_FACE_THRESHOLDS, matchThreshold: 0.7, minSharpness: 20 });
    repo.settings = { matchThreshold: 0.4 };
    index.invalidateThresholds();
    const t = await index.thresholds();
    expect(t.matchThreshold).toBe(0.4);
    expect(t.unknownThreshold).toBe(0.4); // never above matchThreshold
  });

  it('matches, classifies and names the department; ignores faces too small to judge', async () => {
    const { repo, index } = setup();
    repo.rows = [row(P1, 'EMP-1', unit([1, 0, 0, 0])), row(P2, 'EMP-2', unit([0, 1, 0, 0]))];
    await index.start();
    expect(index.stats()).toMatchObject({ loaded: true, profiles: 2, embeddings: 2 });

    const face = { box: { top: 0, left: 0, width: 100, height: 100 }, score: 0.9, quality: { faceSizePx: 100, sharpness: 200 } };
    const near = await index.classify({ ...face, embedding: [0.95, 0.05, 0, 0] });
    expect(near).toMatchObject({
      decision: 'authorized',
      conclusive: true,
      match: { profileId: P1, employeeId: 'EMP-1', department: 'Ops' },
    });
    const far = await index.classify({ ...face, embedding: [0, 0, 1, 0] });
    expect(far).toMatchObject({ decision: 'unknown', reason: 'below_threshold', match: null });
    const tiny = await index.classify({ ...face, quality: { faceSizePx: 12, sharpness: 200 }, embedding: [1, 0, 0, 0] });
    expect(tiny).toMatchObject({ decision: 'ignored', reason: 'too_small', match: null });
    const noEmbedding = await index.classify(face);
    expect(noEmbedding).toMatchObject({ decision: 'ignored', reason: 'no_embedding' });

    // recognising providers: subject + similarity, and a face without subject is a stranger
    const subject = await index.classify({ ...face, subject: 'EMP-2', similarity: 0.9 }, { producesEmbeddings: false });
    expect(subject).toMatchObject({ decision: 'authorized', match: { profileId: P2 } });
    const stranger = await index.classify(face, { producesEmbeddings: false });
    expect(stranger).toMatchObject({ decision: 'unknown', reason: 'no_candidates' });
    await index.onApplicationShutdown();
  });

  it("reloads a profile and publishes faces:changed on a local change; reloads on other processes' messages", async () => {
    const { repo, redis, index } = setup();
    await index.start();
    expect(index.match([1, 0, 0, 0])).toBeNull();

    repo.rows = [row(P1, 'EMP-1', unit([1, 0, 0, 0]))];
    await index.notifyChanged('enrolled', P1, 'EMP-1');
    expect(index.holds(P1)).toBe(true);
    expect(redis.published).toHaveLength(1);
    expect(redis.published[0].channel).toBe(`t:${FACES_CHANGED_CHANNEL}`);
    const event = parseFacesChangedEvent(redis.published[0].message);
    expect(event).toMatchObject({ action: 'enrolled', profileId: P1, employeeId: 'EMP-1' });

    // a message of another process: this one reloads the profile from the database
    repo.rows = [];
    const seen: string[] = [];
    index.onChange((e) => seen.push(e.action));
    redis.sub.emit(
      'message',
      `t:${FACES_CHANGED_CHANNEL}`,
      JSON.stringify({ action: 'erased', profileId: P1, employeeId: 'EMP-1', origin: 'other' }),
    );
    await index.reloadProfile(P2); // queued behind the reload the message started
    expect(index.holds(P1)).toBe(false);
    expect(seen).toEqual(['erased']);

    // malformed messages and other channels are dropped
    const calls = repo.activeProfileCalls.length;
    redis.sub.emit('message', `t:${FACES_CHANGED_CHANNEL}`, '{"action":"erased","profileId":"not-a-uuid","employeeId":"x"}');
    redis.sub.emit('message', 't:other', JSON.stringify({ action: 'erased', profileId: P1, employeeId: 'EMP-1' }));
    expect(repo.activeProfileCalls.length).toBe(calls);
    await index.onApplicationShutdown();
  });

  it('reconciles: a registry that drifted from what is held (lost messages) is reloaded', async () => {
    const { repo, index } = setup();
    await index.start();
    expect(await index.reconcile()).toBe(false);
    repo.rows = [row(P1, 'EMP-1', unit([1, 0, 0, 0]))]; // changed without a message
    expect(await index.reconcile()).toBe(true);
    expect(index.holds(P1)).toBe(true);
    expect(await index.reconcile()).toBe(false);
    await index.onApplicationShutdown();
  });
});

describe('embedding storage format', () => {
  it('round-trips float32 little-endian bytes and checks the dimension', () => {
    const v = [0.5, -0.25, 1e-7, 3.4e38];
    const bytes = encodeEmbedding(v);
    expect(bytes).toHaveLength(16);
    expect(bytes.readFloatLE(4)).toBe(-0.25);
    expect(Array.from(decodeEmbedding(bytes, 4))).toEqual(Array.from(Float32Array.from(v)));
    expect(() => decodeEmbedding(bytes, 5)).toThrow(/expected 5/);
    expect(() => decodeEmbedding(Buffer.alloc(6))).toThrow(/multiple of 4/);
  });
});
