import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import {
  classifyFace,
  DEFAULT_CLASSIFY_THRESHOLDS,
  FaceMatcher,
  HumanFaceEngine,
  ProviderRejectedError,
  ProviderUnavailableError,
  type DetectedFace,
  type FaceAnalysis,
} from '@app/faces/engine';
import { readPhoto } from '../support/photos';

/**
 * The real built-in engine (Human on tfjs-wasm) on real photographs. Needs
 * `bash scripts/fetch-test-photos.sh` to have run. No mocks.
 */
const MATCH = DEFAULT_CLASSIFY_THRESHOLDS.matchThreshold;

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot; // both are L2-normalised by the engine
}

function onlyFace(result: FaceAnalysis): DetectedFace {
  expect(result.faces).toHaveLength(1);
  return result.faces[0];
}

function embeddingOf(face: DetectedFace): number[] {
  expect(face.embedding).toBeDefined();
  return face.embedding as number[];
}

describe('HumanFaceEngine (real models, real photos)', () => {
  const engine = new HumanFaceEngine();
  const cache = new Map<string, FaceAnalysis>();
  const analyse = async (name: string): Promise<FaceAnalysis> => {
    let r = cache.get(name);
    if (!r) {
      r = await engine.analyze(readPhoto(name));
      cache.set(name, r);
    }
    return r;
  };

  beforeAll(async () => {
    await engine.init();
  }, 60_000);

  afterAll(() => {
    cache.clear();
  });

  it('loads once: concurrent init() calls share one load', async () => {
    await Promise.all([engine.init(), engine.init()]);
    expect(engine.ready).toBe(true);
    expect(engine.kind).toBe('builtin');
    expect(engine.modelName).toBe('human-faceres');
    expect(engine.modelVersion).toBe('3.3.6');
    const health = await engine.health();
    expect(health.status).toBe('connected');
    expect(health.latencyMs).toBeGreaterThan(0);
  });

  it('finds one face with a unit-length 1024-d embedding and a tight box', async () => {
    const result = await analyse('grace_hopper.jpg');
    expect(result.width).toBe(512);
    expect(result.height).toBe(600);
    const face = onlyFace(result);
    const emb = embeddingOf(face);
    expect(emb).toHaveLength(HumanFaceEngine.EMBEDDING_DIM);
    expect(Math.hypot(...emb)).toBeCloseTo(1, 5);
    expect(face.score).toBeGreaterThan(0.5);
    // Tight box: inside the image and clearly smaller than Human's padded square.
    const { box } = face;
    expect(box.left).toBeGreaterThanOrEqual(0);
    expect(box.top).toBeGreaterThanOrEqual(0);
    expect(box.left + box.width).toBeLessThanOrEqual(result.width);
    expect(box.top + box.height).toBeLessThanOrEqual(result.height);
    const raw = result.raw as { faces: { paddedBox: { width: number; height: number } }[] };
    expect(box.width * box.height).toBeLessThan(0.8 * raw.faces[0].paddedBox.width * raw.faces[0].paddedBox.height);
    expect(face.quality?.faceSizePx).toBe(Math.min(box.width, box.height));
    expect(face.quality?.sharpness).toBeGreaterThan(0);
    expect(result.latencyMs).toBeGreaterThan(0);
  });

  it('scores the same person (cage / cage2) above the match threshold', async () => {
    const a = embeddingOf(onlyFace(await analyse('cage.jpg')));
    const b = embeddingOf(onlyFace(await analyse('cage2_crop.jpg')));
    expect(cosine(a, b)).toBeGreaterThanOrEqual(MATCH);
  });

  it('scores different persons below the match threshold', async () => {
    const cage = embeddingOf(onlyFace(await analyse('cage.jpg')));
    for (const other of ['grace_hopper.jpg', 'astronaut.png']) {
      const e = embeddingOf(onlyFace(await analyse(other)));
      expect(cosine(cage, e)).toBeLessThan(MATCH);
    }
  });

  it('finds no face in a coffee cup or a cat', async () => {
    expect((await analyse('coffee.png')).faces).toHaveLength(0);
    expect((await analyse('chelsea.png')).faces).toHaveLength(0);
  });

  it('finds the three faces of faces.jpg, ordered left to right, not overlapping', async () => {
    const { faces } = await analyse('faces.jpg');
    expect(faces).toHaveLength(3);
    for (let i = 1; i < faces.length; i++) {
      expect(faces[i].box.left).toBeGreaterThanOrEqual(faces[i - 1].box.left + faces[i - 1].box.width);
    }
    for (const f of faces) expect(embeddingOf(f)).toHaveLength(HumanFaceEngine.EMBEDDING_DIM);
  });

  it('classifies through the matcher: cage2 is the enrolled cage, grace hopper is unknown', async () => {
    const matcher = new FaceMatcher();
    matcher.upsert({
      embeddingId: 'e-cage',
      profileId: 'p-cage',
      employeeId: 'emp-1',
      name: 'Cage',
      vector: embeddingOf(onlyFace(await analyse('cage.jpg'))),
    });
    matcher.upsert({
      embeddingId: 'e-astro',
      profileId: 'p-astro',
      employeeId: 'emp-2',
      name: 'Astronaut',
      vector: embeddingOf(onlyFace(await analyse('astronaut.png'))),
    });
    const probe = onlyFace(await analyse('cage2_crop.jpg'));
    const best = matcher.best(embeddingOf(probe));
    expect(best?.profileId).toBe('p-cage');
    const decision = classifyFace({ ...probe, similarity: best?.similarity }, DEFAULT_CLASSIFY_THRESHOLDS);
    expect(decision.decision).toBe('authorized');

    const stranger = onlyFace(await analyse('grace_hopper.jpg'));
    const s = matcher.best(embeddingOf(stranger));
    const verdict = classifyFace({ ...stranger, similarity: s?.similarity }, DEFAULT_CLASSIFY_THRESHOLDS);
    expect(verdict.decision).toBe('unknown');
  });

  it('applies EXIF orientation before detecting', async () => {
    const upright = onlyFace(await analyse('grace_hopper.jpg'));
    // Store the pixels turned a quarter and tag them "rotate 90 CW to display" (orientation 6).
    const stored = await sharp(readPhoto('grace_hopper.jpg')).rotate(270).jpeg({ quality: 95 }).toBuffer();
    const tagged = await sharp(stored).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const result = await engine.analyze(tagged);
    expect(result.width).toBe(512);
    expect(result.height).toBe(600);
    const face = onlyFace(result);
    expect(Math.abs(face.box.left - upright.box.left)).toBeLessThan(12);
    expect(Math.abs(face.box.top - upright.box.top)).toBeLessThan(12);
    expect(cosine(embeddingOf(face), embeddingOf(upright))).toBeGreaterThan(0.9);
  });

  it('downscales big images and reports boxes in the original pixels', async () => {
    const small = onlyFace(await analyse('grace_hopper.jpg'));
    const big = await sharp(readPhoto('grace_hopper.jpg')).resize(2048, 2400).webp({ quality: 90 }).toBuffer();
    const result = await engine.analyze(big);
    expect(result.width).toBe(2048);
    expect(result.height).toBe(2400);
    expect((result.raw as { analysedWidth: number }).analysedWidth).toBeLessThanOrEqual(1920);
    const face = onlyFace(result);
    expect(face.box.left / 4).toBeCloseTo(small.box.left, -1);
    expect(face.box.width / 4).toBeCloseTo(small.box.width, -1);
  });

  it('reads greyscale, 16-bit and transparent images as 8-bit RGB', async () => {
    const astronaut = readPhoto('astronaut.png');
    const variants = [
      await sharp(astronaut).greyscale().png().toBuffer(),
      await sharp(astronaut).toColourspace('rgb16').png().toBuffer(),
      await sharp(astronaut).ensureAlpha(0.8).png().toBuffer(),
    ];
    const reference = embeddingOf(onlyFace(await analyse('astronaut.png')));
    for (const image of variants) {
      const face = onlyFace(await engine.analyze(image));
      expect(cosine(embeddingOf(face), reference)).toBeGreaterThan(MATCH);
    }
  });

  it('serialises concurrent calls, gives the same answer, and leaks no tensors', async () => {
    const image = readPhoto('faces.jpg');
    await engine.analyze(image);
    const before = engine.tensorCount();
    const results = await Promise.all([1, 2, 3].map(() => engine.analyze(image)));
    expect(engine.tensorCount()).toBe(before);
    const first = results[0].faces.map((f) => f.box);
    for (const r of results) expect(r.faces.map((f) => f.box)).toEqual(first);
  });

  it('rejects bytes that are not an image, and undecodable images', async () => {
    await expect(engine.analyze(Buffer.from('not an image at all'))).rejects.toBeInstanceOf(ProviderRejectedError);
    const truncated = readPhoto('cage.jpg').subarray(0, 200);
    await expect(engine.analyze(truncated)).rejects.toBeInstanceOf(ProviderRejectedError);
  });

  it('honours an already-aborted signal', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(engine.analyze(readPhoto('cage.jpg'), { signal: ctrl.signal })).rejects.toThrow();
  });

  it('fails init() with a clear error when the model files are missing, and reports offline', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'no-models-'));
    try {
      const broken = new HumanFaceEngine({ modelsDir: empty, warmup: false });
      await expect(broken.init()).rejects.toBeInstanceOf(ProviderUnavailableError);
      await expect(broken.init()).rejects.toThrow(/blazeface\.json is missing/);
      expect(broken.ready).toBe(false);
      expect((await broken.health()).status).toBe('offline');
      await expect(broken.analyze(readPhoto('cage.jpg'))).rejects.toBeInstanceOf(ProviderUnavailableError);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('times a call out and refuses calls beyond maxQueue, then keeps working', async () => {
    const strict = new HumanFaceEngine({ timeoutMs: 1, maxQueue: 1 });
    const image = readPhoto('faces.jpg');
    const first = strict.analyze(image);
    await expect(strict.analyze(image)).rejects.toThrow(/busy/);
    await expect(first).rejects.toThrow(/timed out/);
    // The abandoned work finishes in the background: wait for it before leaving.
    while (strict.pending > 0) await new Promise((r) => setTimeout(r, 20));
    // The shared engine is unaffected by the second instance.
    expect((await engine.analyze(image)).faces).toHaveLength(3);
  });
});
