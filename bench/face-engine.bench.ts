/**
 * Figures for the built-in face engine and the matcher. Run:
 *   bash scripts/fetch-test-photos.sh && npx tsx bench/face-engine.bench.ts
 * Writes bench/results/face-engine.json. Timings are wall-clock on this machine: run it while
 * the machine is otherwise idle, and compare figures from the same run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { FaceMatcher, HumanFaceEngine } from '@app/faces/engine';
import { readPhoto } from '../test/support/photos';

interface Stats {
  n: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return {
    n: s.length,
    min: r(s[0]),
    p50: r(q(0.5)),
    p95: r(q(0.95)),
    p99: r(q(0.99)),
    max: r(s[s.length - 1]),
    mean: r(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** A real photo letterboxed into a camera-sized JPEG frame (as a CCTV grab would arrive). */
async function frame(photo: string, width: number, height: number): Promise<Buffer> {
  return sharp(readPhoto(photo))
    .resize(width, height, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

async function timeFrames(
  engine: HumanFaceEngine,
  image: Buffer,
  runs: number,
): Promise<{ latency: Stats; decodeOnly: Stats; faces: number }> {
  await engine.analyze(image); // not counted: settle caches for this size
  const latency: number[] = [];
  let faces = 0;
  for (let i = 0; i < runs; i++) {
    const r = await engine.analyze(image);
    latency.push(r.latencyMs);
    faces = r.faces.length;
  }
  const decodeOnly: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await sharp(image).autoOrient().removeAlpha().raw().toBuffer();
    decodeOnly.push(performance.now() - t0);
  }
  return { latency: stats(latency), decodeOnly: stats(decodeOnly), faces };
}

function benchMatcher(kernel: 'auto' | 'js', profiles: number, dim: number, queries: number) {
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 4294967296 - 0.5;
  };
  const m = new FaceMatcher({ kernel });
  const v = new Float32Array(dim);
  const t0 = performance.now();
  for (let i = 0; i < profiles; i++) {
    for (let j = 0; j < dim; j++) v[j] = rand();
    m.upsert({ embeddingId: `e${i}`, profileId: `p${i}`, employeeId: `emp${i}`, name: `n${i}`, vector: v });
  }
  const insertMs = performance.now() - t0;
  const qs = Array.from({ length: 50 }, () => Array.from({ length: dim }, rand));
  for (let i = 0; i < 50; i++) m.best(qs[i % qs.length]); // warm the JIT
  const top1: number[] = [];
  const top5: number[] = [];
  for (let i = 0; i < queries; i++) {
    const q = qs[i % qs.length];
    let t = performance.now();
    m.match(q, 1);
    top1.push(performance.now() - t);
    t = performance.now();
    m.match(q, 5);
    top5.push(performance.now() - t);
  }
  return {
    kernel: m.kernelKind,
    profiles,
    dim,
    queries,
    insertAllMs: Math.round(insertMs),
    top1Ms: stats(top1),
    top5Ms: stats(top5),
  };
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const loadAvgStart = os.loadavg();
  const rssBefore = process.memoryUsage().rss;

  const engine = new HumanFaceEngine();
  const t0 = performance.now();
  await engine.init();
  const initMs = performance.now() - t0;
  const rssAfterLoad = process.memoryUsage().rss;

  // First real frame after warm-up, then steady state.
  const vga1 = await frame('grace_hopper.jpg', 640, 480);
  const first = await engine.analyze(vga1);

  const cases: Record<string, unknown> = {};
  for (const [label, photo, w, h] of [
    ['1 face 640x480', 'grace_hopper.jpg', 640, 480],
    ['1 face 1920x1080', 'grace_hopper.jpg', 1920, 1080],
    ['3 faces 640x480', 'faces.jpg', 640, 480],
    ['3 faces 1920x1080', 'faces.jpg', 1920, 1080],
    ['0 faces 640x480', 'coffee.png', 640, 480],
    ['0 faces 1920x1080', 'coffee.png', 1920, 1080],
  ] as const) {
    const image = await frame(photo, w, h);
    cases[label] = { photo, width: w, height: h, jpegBytes: image.length, ...(await timeFrames(engine, image, 15)) };
    console.log(label, JSON.stringify(cases[label]));
  }
  const tensorsBefore = engine.tensorCount();
  const big = await frame('faces.jpg', 1920, 1080);
  for (let i = 0; i < 30; i++) await engine.analyze(big);
  const tensorsAfter = engine.tensorCount();
  const rssAfterFrames = process.memoryUsage().rss;

  const matcher = {
    wasm: benchMatcher('auto', 10_000, HumanFaceEngine.EMBEDDING_DIM, 1000),
    js: benchMatcher('js', 10_000, HumanFaceEngine.EMBEDDING_DIM, 1000),
  };
  console.log('matcher', JSON.stringify(matcher));

  const result = {
    startedAt,
    machine: {
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      loadAvgAtStart: loadAvgStart.map((l) => Math.round(l * 100) / 100),
      loadAvgAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
    engine: {
      model: `${engine.modelName}@${engine.modelVersion}`,
      backend: 'tfjs-wasm (1 thread)',
      initMs: Math.round(initMs),
      modelLoadMs: engine.loadDurationMs,
      warmupMs: engine.warmupDurationMs,
      firstFrameAfterWarmupMs: first.latencyMs,
      note: 'latency = analyze(): decode + detect + mesh + embed + sharpness, per call, sequential',
      frames: cases,
      tensors: { before30Frames: tensorsBefore, after30Frames: tensorsAfter },
      memoryMB: { rssBefore: mb(rssBefore), rssAfterLoad: mb(rssAfterLoad), rssAfterFrames: mb(rssAfterFrames) },
    },
    matcher,
  };
  const out = path.join(process.cwd(), 'bench', 'results', 'face-engine.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${out}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
