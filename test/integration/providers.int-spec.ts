/**
 * The three third-party provider clients against their emulators (real HTTP servers on
 * OS-chosen ports): recognition, unknown and face-less frames, key and server errors, timeouts,
 * enrolment and erasure, and health reports.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { ProviderRejectedError, ProviderUnavailableError } from '@app/faces/engine/face-provider';
import {
  CodeProjectAiProvider,
  CompreFaceProvider,
  HttpDetectionProvider,
  PROBE_JPEG,
  createExternalProvider,
  readImageSize,
  sniffImageKind,
} from '@app/detections/providers';
import { CodeProjectEmulator } from '../emulators/codeproject.emulator';
import { CompreFaceEmulator } from '../emulators/compreface.emulator';
import { GenericProviderEmulator, sha256 } from '../emulators/generic-provider.emulator';

const execFileAsync = promisify(execFile);
const FFMPEG = '/usr/bin/ffmpeg';

/**
 * A real JPEG, different for every seed: a flat colour frame encoded by ffmpeg when installed,
 * else the built-in 16x16 probe JPEG with a distinguishing comment segment.
 */
async function makeJpeg(seed: number, width = 320, height = 240): Promise<Buffer> {
  if (existsSync(FFMPEG)) {
    const colour = ((seed * 0x2f6b1d + 0x103070) & 0xffffff).toString(16).padStart(6, '0');
    const { stdout } = await execFileAsync(
      FFMPEG,
      [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        `color=c=0x${colour}:s=${width}x${height}`,
        '-frames:v',
        '1',
        '-f',
        'image2pipe',
        '-vcodec',
        'mjpeg',
        '-',
      ],
      { encoding: 'buffer', maxBuffer: 4 * 1024 * 1024 },
    );
    return stdout;
  }
  const text = Buffer.from(`test image ${seed}`);
  const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0, text.length + 2]), text]);
  return Buffer.concat([PROBE_JPEG.subarray(0, 2), com, PROBE_JPEG.subarray(2)]);
}

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`rejected with a non-Error: ${String(err)}`);
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** A URL nobody listens on: an emulator started and stopped again. */
async function deadUrl(): Promise<string> {
  const emu = new GenericProviderEmulator();
  const url = await emu.start();
  await emu.stop();
  return url;
}

let images: Buffer[] = [];
let deadBaseUrl = '';

beforeAll(async () => {
  images = await Promise.all(Array.from({ length: 10 }, (_, i) => makeJpeg(i + 1)));
  deadBaseUrl = await deadUrl();
});

describe('test images', () => {
  it('are distinct, decodable JPEGs', () => {
    expect(new Set(images.map(sha256)).size).toBe(images.length);
    for (const image of images) {
      expect(sniffImageKind(image)).toBe('jpeg');
      expect(readImageSize(image)).toBeDefined();
    }
  });
});

describe('HttpDetectionProvider (generic provider)', () => {
  const apiKey = 'generic-test-key-0123456789';
  const emu = new GenericProviderEmulator({ apiKey });
  let provider: HttpDetectionProvider;

  beforeAll(async () => {
    await emu.start();
    provider = new HttpDetectionProvider({ endpoint: emu.endpoint, apiKey, timeoutMs: 2_000 });
  });
  afterAll(() => emu.stop());

  it('recognises a person the provider knows, sending the frame and the key as documented', async () => {
    const [alice] = images;
    emu.enrolDirect('EMP-001', [alice]);
    emu.setName('EMP-001', 'Alice Martin');
    const before = emu.requests.length;

    const analysis = await provider.analyze(alice);

    expect(analysis.faces).toHaveLength(1);
    const [face] = analysis.faces;
    expect(face.subject).toBe('EMP-001');
    expect(face.similarity).toBeCloseTo(0.97, 5);
    expect(face.score).toBeCloseTo(0.97, 5);
    expect(face.box).toEqual({ top: 30, left: 40, width: 100, height: 120 });
    expect(analysis).toMatchObject({ width: readImageSize(alice)?.width, height: readImageSize(alice)?.height });
    expect(analysis.latencyMs).toBeGreaterThanOrEqual(0);
    expect(analysis.raw).toMatchObject({ detections: [{ personId: 'EMP-001', name: 'Alice Martin' }] });
    expect(JSON.stringify(analysis.raw)).not.toContain(apiKey);

    const sent = emu.requests[before];
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/detect');
    expect(sent.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(sent.headers['x-api-key']).toBe(apiKey);
    expect(sent.files).toEqual([expect.objectContaining({ field: 'image', type: 'image/jpeg', sha256: sha256(alice) })]);
  });

  it('reports an unknown person as a face without subject', async () => {
    const analysis = await provider.analyze(images[9]);
    expect(analysis.faces).toHaveLength(1);
    expect(analysis.faces[0].subject).toBeUndefined();
    expect(analysis.faces[0].similarity).toBeUndefined();
    expect(analysis.faces[0].score).toBeCloseTo(0.98, 5);
  });

  it('returns no faces when the frame has none', async () => {
    emu.noFaceNext(1);
    const analysis = await provider.analyze(images[0]);
    expect(analysis.faces).toEqual([]);
  });

  it('throws ProviderRejectedError for a bad key, without revealing it', async () => {
    const wrongKey = 'wrong-key-abcdefghijklmnop';
    const bad = new HttpDetectionProvider({ endpoint: emu.endpoint, apiKey: wrongKey, timeoutMs: 2_000 });
    const err = await failure(bad.analyze(images[0]));
    expect(err).toBeInstanceOf(ProviderRejectedError);
    expect((err as ProviderRejectedError).status).toBe(401);
    expect(err.message).not.toContain(wrongKey);
  });

  it('throws ProviderUnavailableError for a 5xx', async () => {
    emu.failNext(1, 503);
    const err = await failure(provider.analyze(images[0]));
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect(err.message).toContain('503');
  });

  it('gives up within its timeout when the provider hangs', async () => {
    emu.hangNext(1);
    const quick = new HttpDetectionProvider({ endpoint: emu.endpoint, apiKey, timeoutMs: 300 });
    const started = Date.now();
    const err = await failure(quick.analyze(images[0]));
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect(err.message).toContain('300 ms');
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
  });

  it("stops at once when the caller's signal aborts, without calling it a provider failure", async () => {
    emu.hangNext(1);
    const controller = new AbortController();
    const pending = provider.analyze(images[0], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    // The reason is a DOMException from Node's realm, so `instanceof Error` does not hold under jest.
    const reason: unknown = await pending.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(reason).not.toBeInstanceOf(ProviderUnavailableError);
    expect(reason).toMatchObject({ name: 'AbortError' });
  });

  it('treats enrol and forget as no-ops (the provider owns its gallery)', async () => {
    const before = emu.requests.length;
    await provider.enrol('EMP-002', [images[1]]);
    await provider.forget('EMP-001');
    expect(emu.requests.length).toBe(before);
    expect(emu.galleryOf('EMP-001')).toHaveLength(1);
  });

  it('health: connected, degraded when slow or failing, offline when refused or down', async () => {
    const fresh = (overrides: { apiKey?: string; endpoint?: string; degradedAfterMs?: number } = {}): HttpDetectionProvider =>
      new HttpDetectionProvider({ endpoint: emu.endpoint, apiKey, timeoutMs: 2_000, ...overrides });

    const ok = await fresh().health();
    expect(ok).toMatchObject({ status: 'connected', message: 'Provider healthy' });
    const probe = emu.requests[emu.requests.length - 1];
    expect(probe.files[0]).toMatchObject({ field: 'image', sha256: sha256(PROBE_JPEG) });

    emu.latencyMs = 250;
    try {
      const slow = await fresh({ degradedAfterMs: 100 }).health();
      expect(slow.status).toBe('degraded');
      expect(slow.latencyMs).toBeGreaterThanOrEqual(100);
    } finally {
      emu.latencyMs = 0;
    }

    emu.failNext(1, 502);
    expect((await fresh().health()).status).toBe('degraded');

    const refused = await fresh({ apiKey: 'nope-nope-nope' }).health();
    expect(refused.status).toBe('offline');
    expect(refused.message).not.toContain('nope-nope-nope');

    const down = await fresh({ endpoint: `${deadBaseUrl}/detect` }).health();
    expect(down.status).toBe('offline');
  });

  it('health is degraded while real calls fail intermittently', async () => {
    const flaky = new HttpDetectionProvider({ endpoint: emu.endpoint, apiKey, timeoutMs: 2_000 });
    emu.failNext(1, 500);
    await failure(flaky.analyze(images[0]));
    await flaky.analyze(images[0]);
    const health = await flaky.health();
    expect(health.status).toBe('degraded');
    expect(health.message).toContain('1 of the last 2');
  });
});

describe('CompreFaceProvider', () => {
  const apiKey = randomUUID();
  const emu = new CompreFaceEmulator({ apiKey });
  let provider: CompreFaceProvider;

  beforeAll(async () => {
    await emu.start();
    provider = new CompreFaceProvider({ baseUrl: emu.baseUrl, apiKey, timeoutMs: 2_000 });
  });
  afterAll(() => emu.stop());

  it('enrols a subject (one POST per image) and recognises them', async () => {
    const [a1, a2] = [images[0], images[1]];
    const before = emu.requests.length;

    await provider.enrol('EMP-100', [a1, a2]);

    const calls = emu.requests.slice(before);
    expect(calls.map((c) => `${c.method} ${c.path} ${c.query.subject ?? ''}`)).toEqual([
      'DELETE /api/v1/recognition/faces EMP-100',
      'POST /api/v1/recognition/faces EMP-100',
      'POST /api/v1/recognition/faces EMP-100',
    ]);
    expect(calls[1].headers['x-api-key']).toBe(apiKey);
    expect(calls[1].files[0]).toMatchObject({ field: 'file', sha256: sha256(a1) });
    expect(emu.galleryOf('EMP-100')).toEqual([sha256(a1), sha256(a2)]);

    const analysis = await provider.analyze(a2);
    expect(analysis.faces).toHaveLength(1);
    expect(analysis.faces[0]).toMatchObject({
      subject: 'EMP-100',
      box: { top: 30, left: 40, width: 100, height: 120 },
    });
    expect(analysis.faces[0].similarity).toBeCloseTo(0.97, 5);
    expect(analysis.faces[0].score).toBeCloseTo(0.99, 5);
    expect(analysis.width).toBe(readImageSize(a2)?.width);

    const recognize = emu.requests[emu.requests.length - 1];
    expect(recognize.path).toBe('/api/v1/recognition/recognize');
    expect(recognize.query).toMatchObject({ limit: '0', prediction_count: '1' });
    expect(recognize.files[0]).toMatchObject({ field: 'file', sha256: sha256(a2) });
  });

  it('reports a stranger with only a low similarity, or as unknown with minSimilarity', async () => {
    const stranger = images[9];
    const analysis = await provider.analyze(stranger);
    expect(analysis.faces).toHaveLength(1);
    expect(analysis.faces[0].similarity ?? 0).toBeLessThan(0.5);

    const strict = new CompreFaceProvider({ baseUrl: emu.baseUrl, apiKey, timeoutMs: 2_000, minSimilarity: 0.5 });
    const strictAnalysis = await strict.analyze(stranger);
    expect(strictAnalysis.faces).toHaveLength(1);
    expect(strictAnalysis.faces[0].subject).toBeUndefined();
  });

  it('maps "No face is found" (HTTP 400, code 28) to an empty result', async () => {
    emu.noFaceNext(1);
    const analysis = await provider.analyze(images[0]);
    expect(analysis.faces).toEqual([]);
    expect(analysis.raw).toEqual({ message: 'No face is found in the given image', code: 28 });
  });

  it('throws ProviderRejectedError for an unknown or malformed key, without revealing it', async () => {
    const otherKey = randomUUID();
    const unknown = await failure(new CompreFaceProvider({ baseUrl: emu.baseUrl, apiKey: otherKey }).analyze(images[0]));
    expect(unknown).toBeInstanceOf(ProviderRejectedError);
    expect((unknown as ProviderRejectedError).status).toBe(404);
    expect(unknown.message).toContain('API key was refused');
    expect(unknown.message).not.toContain(otherKey);

    const malformed = await failure(new CompreFaceProvider({ baseUrl: emu.baseUrl, apiKey: 'not-a-uuid' }).analyze(images[0]));
    expect(malformed).toBeInstanceOf(ProviderRejectedError);
    expect((malformed as ProviderRejectedError).status).toBe(400);
  });

  it('throws ProviderUnavailableError for a 5xx and within its timeout', async () => {
    emu.failNext(1, 500);
    expect(await failure(provider.analyze(images[0]))).toBeInstanceOf(ProviderUnavailableError);

    emu.hangNext(1);
    const quick = new CompreFaceProvider({ baseUrl: emu.baseUrl, apiKey, timeoutMs: 300 });
    const started = Date.now();
    expect(await failure(quick.analyze(images[0]))).toBeInstanceOf(ProviderUnavailableError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('forget erases the subject, after which the face is no longer recognised', async () => {
    const face = images[2];
    await provider.enrol('EMP-101', [face]);
    expect((await provider.analyze(face)).faces[0].subject).toBe('EMP-101');

    await provider.forget('EMP-101');

    const last = emu.requests[emu.requests.length - 1];
    expect(last).toMatchObject({ method: 'DELETE', path: '/api/v1/recognition/faces', query: { subject: 'EMP-101' } });
    expect(emu.galleryOf('EMP-101')).toEqual([]);
    const after = (await provider.analyze(face)).faces[0];
    expect(after.subject).not.toBe('EMP-101');
    expect(after.similarity ?? 0).toBeLessThan(0.5);
  });

  it('enrol replaces the previous examples of the subject', async () => {
    await provider.enrol('EMP-102', [images[3]]);
    await provider.enrol('EMP-102', [images[4]]);
    expect(emu.galleryOf('EMP-102')).toEqual([sha256(images[4])]);
    expect((await provider.analyze(images[3])).faces[0].subject).not.toBe('EMP-102');
    expect((await provider.analyze(images[4])).faces[0].subject).toBe('EMP-102');
  });

  it('rejects an enrolment image without a face and never deletes without a subject', async () => {
    emu.noFaceNext(1);
    expect(await failure(provider.enrol('EMP-103', [images[5]]))).toBeInstanceOf(ProviderRejectedError);

    const before = emu.requests.length;
    expect(await failure(provider.forget('  '))).toBeInstanceOf(ProviderRejectedError);
    expect(await failure(provider.enrol('', [images[5]]))).toBeInstanceOf(ProviderRejectedError);
    expect(emu.requests.length).toBe(before);
  });

  it('health: connected, degraded when slow, offline with a bad key or when down', async () => {
    const fresh = (overrides: { apiKey?: string; baseUrl?: string; degradedAfterMs?: number } = {}): CompreFaceProvider =>
      new CompreFaceProvider({ baseUrl: emu.baseUrl, apiKey, timeoutMs: 2_000, ...overrides });

    expect((await fresh().health()).status).toBe('connected');
    expect(emu.requests[emu.requests.length - 1]).toMatchObject({ method: 'GET', path: '/api/v1/recognition/faces' });

    emu.latencyMs = 250;
    try {
      expect((await fresh({ degradedAfterMs: 100 }).health()).status).toBe('degraded');
    } finally {
      emu.latencyMs = 0;
    }

    emu.failNext(1, 500);
    expect((await fresh().health()).status).toBe('degraded');

    const otherKey = randomUUID();
    const refused = await fresh({ apiKey: otherKey }).health();
    expect(refused.status).toBe('offline');
    expect(refused.message).not.toContain(otherKey);

    expect((await fresh({ baseUrl: deadBaseUrl }).health()).status).toBe('offline');
  });
});

describe('CodeProjectAiProvider (CodeProject.AI Server)', () => {
  const emu = new CodeProjectEmulator({ flavour: 'codeproject' });
  let provider: CodeProjectAiProvider;

  beforeAll(async () => {
    await emu.start();
    provider = new CodeProjectAiProvider({ baseUrl: emu.baseUrl, timeoutMs: 2_000 });
  });
  afterAll(() => emu.stop());

  it('registers all images in one call and recognises the person', async () => {
    const [a1, a2] = [images[0], images[1]];
    const before = emu.requests.length;
    await provider.enrol('EMP-300', [a1, a2]);

    const register = emu.requests[before];
    expect(register).toMatchObject({ method: 'POST', path: '/v1/vision/face/register', fields: { userid: 'EMP-300' } });
    expect(register.fields.api_key).toBeUndefined();
    expect(register.files.map((f) => [f.field, f.sha256])).toEqual([
      ['image1', sha256(a1)],
      ['image2', sha256(a2)],
    ]);

    const analysis = await provider.analyze(a2);
    expect(analysis.faces).toHaveLength(1);
    expect(analysis.faces[0]).toMatchObject({ subject: 'EMP-300', box: { top: 30, left: 40, width: 100, height: 120 } });
    expect(analysis.faces[0].similarity).toBeCloseTo(0.97, 5);
    expect(analysis.raw).toMatchObject({ success: true, message: 'A face was recognised' });
    const recognize = emu.requests[emu.requests.length - 1];
    expect(recognize.files[0]).toMatchObject({ field: 'image', sha256: sha256(a2) });
  });

  it('register replaces the previous images of the person', async () => {
    await provider.enrol('EMP-301', [images[2], images[3]]);
    await provider.enrol('EMP-301', [images[4]]);
    expect(emu.galleryOf('EMP-301')).toEqual([sha256(images[4])]);
    expect((await provider.analyze(images[2])).faces[0].subject).toBeUndefined();
    expect((await provider.analyze(images[4])).faces[0].subject).toBe('EMP-301');
  });

  it("reports 'unknown' as a face without subject, and sends min_confidence when set", async () => {
    const stranger = await provider.analyze(images[9]);
    expect(stranger.faces).toHaveLength(1);
    expect(stranger.faces[0].subject).toBeUndefined();

    const strict = new CodeProjectAiProvider({ baseUrl: emu.baseUrl, timeoutMs: 2_000, minConfidence: 0.99 });
    const analysis = await strict.analyze(images[1]); // enrolled for EMP-300 at similarity 0.97
    expect(analysis.faces[0].subject).toBeUndefined();
    expect(emu.requests[emu.requests.length - 1].fields.min_confidence).toBe('0.99');
  });

  it('maps "No face found in image" (success: false) to an empty result', async () => {
    emu.noFaceNext(1);
    const analysis = await provider.analyze(images[0]);
    expect(analysis.faces).toEqual([]);
    expect(analysis.raw).toMatchObject({ success: false, error: 'No face found in image' });
  });

  it('forget deletes the user, after which the face is unknown', async () => {
    await provider.enrol('EMP-302', [images[5]]);
    expect((await provider.analyze(images[5])).faces[0].subject).toBe('EMP-302');
    await provider.forget('EMP-302');
    expect(emu.requests[emu.requests.length - 1]).toMatchObject({ path: '/v1/vision/face/delete', fields: { userid: 'EMP-302' } });
    expect((await provider.analyze(images[5])).faces[0].subject).toBeUndefined();
  });

  it('classifies success: false answers, 5xx and timeouts', async () => {
    emu.failNext(1, 200, { success: false, error: 'Unable to load the face detector' });
    expect(await failure(provider.analyze(images[0]))).toBeInstanceOf(ProviderUnavailableError);

    emu.failNext(1, 200, { success: false, error: 'The image provided was of an unknown type' });
    expect(await failure(provider.analyze(images[0]))).toBeInstanceOf(ProviderRejectedError);

    emu.noFaceNext(1);
    const noFace = await failure(provider.enrol('EMP-303', [images[6]]));
    expect(noFace).toBeInstanceOf(ProviderRejectedError);
    expect(noFace.message).toContain('No face detected');

    emu.failNext(1, 500);
    expect(await failure(provider.analyze(images[0]))).toBeInstanceOf(ProviderUnavailableError);

    emu.hangNext(1);
    const quick = new CodeProjectAiProvider({ baseUrl: emu.baseUrl, timeoutMs: 300 });
    const started = Date.now();
    expect(await failure(quick.analyze(images[0]))).toBeInstanceOf(ProviderUnavailableError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('health: connected, degraded when slow, offline when down', async () => {
    expect((await new CodeProjectAiProvider({ baseUrl: emu.baseUrl, timeoutMs: 2_000 }).health()).status).toBe('connected');
    expect(emu.requests[emu.requests.length - 1].path).toBe('/v1/vision/face/list');

    emu.latencyMs = 250;
    try {
      const slow = await new CodeProjectAiProvider({ baseUrl: emu.baseUrl, timeoutMs: 2_000, degradedAfterMs: 100 }).health();
      expect(slow.status).toBe('degraded');
    } finally {
      emu.latencyMs = 0;
    }

    const quick = new CodeProjectAiProvider({ baseUrl: emu.baseUrl, timeoutMs: 300 });
    emu.hangNext(1);
    expect((await quick.health()).status).toBe('offline');
    expect((await new CodeProjectAiProvider({ baseUrl: deadBaseUrl }).health()).status).toBe('offline');
  });
});

describe('CodeProjectAiProvider (DeepStack with an API key)', () => {
  const apiKey = 'deepstack-key-0123456789';
  const emu = new CodeProjectEmulator({ flavour: 'deepstack', apiKey });
  let provider: CodeProjectAiProvider;

  beforeAll(async () => {
    await emu.start();
    provider = new CodeProjectAiProvider({ baseUrl: emu.baseUrl, apiKey, timeoutMs: 2_000 });
  });
  afterAll(() => emu.stop());

  it('sends api_key with every call and recognises an enrolled face', async () => {
    await provider.enrol('EMP-400', [images[7]]);
    const analysis = await provider.analyze(images[7]);
    expect(analysis.faces[0].subject).toBe('EMP-400');
    expect(emu.requests.every((r) => r.fields.api_key === apiKey)).toBe(true);
    expect(JSON.stringify(analysis.raw)).not.toContain(apiKey);
  });

  it('maps an empty prediction list (no face) to an empty result', async () => {
    emu.noFaceNext(1);
    expect((await provider.analyze(images[7])).faces).toEqual([]);
  });

  it('throws ProviderRejectedError for a bad key and health reports offline', async () => {
    const wrongKey = 'deepstack-wrong-key-999';
    const bad = new CodeProjectAiProvider({ baseUrl: emu.baseUrl, apiKey: wrongKey, timeoutMs: 2_000 });
    const err = await failure(bad.analyze(images[7]));
    expect(err).toBeInstanceOf(ProviderRejectedError);
    expect((err as ProviderRejectedError).status).toBe(401);
    expect(err.message).not.toContain(wrongKey);

    const health = await bad.health();
    expect(health.status).toBe('offline');
    expect((await provider.health()).status).toBe('connected');
  });
});

describe('createExternalProvider', () => {
  it('builds the client for each kind', () => {
    const http = createExternalProvider({ kind: 'http', endpoint: 'http://127.0.0.1:8001/detect' });
    const compreface = createExternalProvider({ kind: 'compreface', endpoint: 'http://127.0.0.1:8000/', apiKey: randomUUID() });
    const codeproject = createExternalProvider({ kind: 'codeproject', endpoint: 'http://127.0.0.1:32168', timeoutMs: 5_000 });
    expect(http).toBeInstanceOf(HttpDetectionProvider);
    expect(compreface).toBeInstanceOf(CompreFaceProvider);
    expect(codeproject).toBeInstanceOf(CodeProjectAiProvider);
    expect([http.kind, compreface.kind, codeproject.kind]).toEqual(['http', 'compreface', 'codeproject']);
    expect([http, compreface, codeproject].every((p) => p.producesEmbeddings === false)).toBe(true);
    expect(compreface.modelName).toBe('compreface');
  });

  it('rejects endpoints that are not http(s) URLs or that carry credentials', () => {
    expect(() => createExternalProvider({ kind: 'http', endpoint: 'not a url' })).toThrow(ProviderRejectedError);
    expect(() => createExternalProvider({ kind: 'compreface', endpoint: 'ftp://host/' })).toThrow(ProviderRejectedError);
    expect(() => createExternalProvider({ kind: 'codeproject', endpoint: 'http://user:pw@host/' })).toThrow(ProviderRejectedError);
  });
});
