import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sharp from 'sharp';
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Config, FaceResult, Human } from '@vladmandic/human';
import {
  ProviderRejectedError,
  ProviderUnavailableError,
  type DetectedFace,
  type FaceAnalysis,
  type FaceBox,
  type FaceProvider,
  type ProviderHealth,
} from './face-provider';
import { faceSizeOf, SHARPNESS_CROP_PX, varianceOfLaplacian } from './face-quality';
import { sniffImageType } from './image-validation';

/**
 * The built-in offline face engine: @vladmandic/human (blazeface detector, facemesh, faceres
 * 1024-d descriptor) on tfjs with the WebAssembly backend, images decoded by sharp.
 *
 * Everything is read from node_modules: the node-wasm build of Human (its `exports` map only
 * offers the tfjs-node build, which cannot install offline), its model files through a tfjs IO
 * router reading the disk, and the backend's .wasm binaries. Nothing is fetched.
 *
 * One engine runs one detection at a time (tfjs-wasm is single-threaded); callers queue.
 * Scale by running one engine per process/core. Engines in one process share tfjs and Human's
 * module-level model cache, so a second instance costs no second copy of the weights (and
 * there is deliberately no dispose(): it would unload the models under the other instances).
 */
export interface HumanEngineOptions {
  /** Detector (blazeface) confidence below which a face is dropped. Default 0.5. */
  minFaceScore?: number;
  /** At most this many faces per image. Default 20. */
  maxFaces?: number;
  /** Overlap above which two detections are merged. Default 0.1 (Human's). */
  iouThreshold?: number;
  /** Correct in-plane face rotation before embedding (slower). Default false. */
  rotation?: boolean;
  /** Images larger than this on their longer side are downscaled before detection; boxes
   *  are reported in the original image's pixels. Default 1920. */
  maxInputSide?: number;
  /** Refuse images with more pixels than this before decoding them. Default 40 MP. */
  maxInputPixels?: number;
  /** Per-call limit in ms, queue wait included. Default 30000. */
  timeoutMs?: number;
  /** Calls waiting beyond this many are refused with ProviderUnavailableError (each holds its
   *  decoded frame, ~6 MB at 1080p). Default 16. */
  maxQueue?: number;
  /** Run warm-up inferences in init(). Default true. */
  warmup?: boolean;
  /** Folder holding blazeface/facemesh/faceres .json + .bin. Default: Human's own models/. */
  modelsDir?: string;
  /** A file from which node_modules is resolved. Default: this file (CommonJS) or
   *  <cwd>/package.json (ESM test runs). */
  resolveFrom?: string;
}

const REQUIRED_MODELS = ['blazeface', 'facemesh', 'faceres'] as const;

/** The detection chain shared by every engine of this process (see enqueue). */
let processTail: Promise<unknown> = Promise.resolve();
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;

type TfModule = typeof TfCore;
type HumanCtor = new (config?: Partial<Config>) => Human;
type HumanInput = Parameters<Human['detect']>[0];

interface Runtime {
  Human: HumanCtor;
  tf: TfModule;
  modelsDir: string;
  wasmDir: string;
}

interface HumanFaceRaw {
  paddedBox: FaceBox;
  boxScore: number;
  faceScore: number;
}

interface Decoded {
  data: Buffer;
  width: number; // decoded (possibly downscaled) size
  height: number;
  origWidth: number; // oriented original size
  origHeight: number;
}

export class HumanFaceEngine implements FaceProvider {
  readonly kind = 'builtin';
  readonly modelName = 'human-faceres';
  readonly modelVersion: string;
  readonly producesEmbeddings = true;
  /** Embedding length of faceres. */
  static readonly EMBEDDING_DIM = 1024;

  private readonly opts: Required<Omit<HumanEngineOptions, 'modelsDir' | 'resolveFrom'>> &
    Pick<HumanEngineOptions, 'modelsDir' | 'resolveFrom'>;
  private runtime: Runtime | null = null;
  private human: Human | null = null;
  private initPromise: Promise<void> | null = null;
  private initError: Error | null = null;
  private queued = 0;
  private loadMs: number | null = null;
  private warmMs: number | null = null;

  constructor(options: HumanEngineOptions = {}) {
    this.opts = {
      minFaceScore: options.minFaceScore ?? 0.5,
      maxFaces: options.maxFaces ?? 20,
      iouThreshold: options.iouThreshold ?? 0.1,
      rotation: options.rotation ?? false,
      maxInputSide: options.maxInputSide ?? 1920,
      maxInputPixels: options.maxInputPixels ?? 40_000_000,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxQueue: options.maxQueue ?? 16,
      warmup: options.warmup ?? true,
      modelsDir: options.modelsDir,
      resolveFrom: options.resolveFrom,
    };
    this.modelVersion = readHumanVersion(this.anchor()) ?? 'unknown';
  }

  /** True once init() has finished successfully. */
  get ready(): boolean {
    return this.human !== null;
  }

  /** Calls waiting or running. */
  get pending(): number {
    return this.queued;
  }

  /** Model load time of the last successful init() (backend + 3 models), in ms. */
  get loadDurationMs(): number | null {
    return this.loadMs;
  }

  /** Warm-up time of the last successful init(), in ms (0 when warm-up is off). */
  get warmupDurationMs(): number | null {
    return this.warmMs;
  }

  /** Load the models and warm up. Idempotent; concurrent callers share one attempt; a failed
   *  attempt may be retried by calling again. */
  init(): Promise<void> {
    if (!this.initPromise) {
      this.initPromise = this.doInit().catch((err: unknown) => {
        this.initPromise = null;
        this.initError = asError(err);
        throw new ProviderUnavailableError(`face engine failed to load: ${this.initError.message}`, err);
      });
    }
    return this.initPromise;
  }

  async analyze(image: Buffer, opts: { signal?: AbortSignal } = {}): Promise<FaceAnalysis> {
    const started = performance.now();
    opts.signal?.throwIfAborted();
    if (!sniffImageType(image)) {
      throw new ProviderRejectedError('image is not JPEG, PNG or WebP', 415);
    }
    if (this.queued >= this.opts.maxQueue) {
      throw new ProviderUnavailableError(`face engine busy: ${this.queued} calls waiting`);
    }
    this.queued++;
    const work = (async () => {
      await this.init();
      const decoded = await this.decode(image);
      opts.signal?.throwIfAborted();
      return this.enqueue(() => {
        opts.signal?.throwIfAborted();
        return this.detectDecoded(decoded);
      });
    })();
    // Count the call until its work settles, even when the caller gave up (timeout, abort).
    work.then(
      () => this.queued--,
      () => this.queued--,
    );
    const { faces, raw } = await withDeadline(work, this.opts.timeoutMs, opts.signal);
    return {
      faces,
      width: raw.width,
      height: raw.height,
      latencyMs: round1(performance.now() - started),
      raw: raw.payload,
    };
  }

  async health(): Promise<ProviderHealth> {
    if (!this.human) {
      return this.initError
        ? { status: 'offline', latencyMs: 0, message: `models failed to load: ${this.initError.message}` }
        : { status: 'degraded', latencyMs: 0, message: 'models not loaded yet' };
    }
    const started = performance.now();
    try {
      const human = this.human;
      const runtime = this.runtime as Runtime;
      await withDeadline(
        this.enqueue(async () => {
          const probe = runtime.tf.zeros([64, 64, 3], 'int32');
          try {
            await human.detect(probe as unknown as HumanInput);
          } finally {
            probe.dispose();
          }
        }),
        5_000,
      );
      const latencyMs = round1(performance.now() - started);
      return { status: 'connected', latencyMs, message: `${this.modelName}@${this.modelVersion} on wasm` };
    } catch (err) {
      return { status: 'degraded', latencyMs: round1(performance.now() - started), message: asError(err).message };
    }
  }

  /** Live tensors in tfjs: constant between calls when nothing leaks. */
  tensorCount(): number {
    return this.runtime ? this.runtime.tf.memory().numTensors : 0;
  }

  // --------------------------------------------------------------------------------------------

  private anchor(): string {
    if (this.opts.resolveFrom) return this.opts.resolveFrom;
    // CommonJS build: this file. Native-ESM test runs have no __filename: the project root.
    return typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'package.json');
  }

  private async doInit(): Promise<void> {
    const started = performance.now();
    const runtime = loadRuntime(this.anchor(), this.opts.modelsDir);
    registerFileLoader(runtime.tf);

    const human = new runtime.Human(this.humanConfig(runtime));
    await human.init();
    await human.load();
    const models = human.models.models;
    const missing = REQUIRED_MODELS.filter((m) => !models[m]);
    if (missing.length > 0) {
      throw new Error(`models not loaded from ${runtime.modelsDir}: ${missing.join(', ')}`);
    }
    const backend = runtime.tf.getBackend();
    if (backend !== 'wasm') throw new Error(`tfjs backend is ${backend}, expected wasm`);

    this.runtime = runtime;
    const loaded = performance.now();
    if (this.opts.warmup) await warmUp(human, runtime.tf);
    this.human = human;
    this.initError = null;
    this.loadMs = round1(loaded - started);
    this.warmMs = round1(performance.now() - loaded);
  }

  private humanConfig(runtime: Runtime): Partial<Config> {
    const o = this.opts;
    const off = { enabled: false };
    // Human skips work on frames it believes unchanged (cacheSensitivity, skipFrames): every
    // call here is an independent image, so all of that is off.
    const config = {
      backend: 'wasm',
      wasmPath: runtime.wasmDir + path.sep,
      wasmPlatformFetch: false,
      modelBasePath: pathToFileURL(runtime.modelsDir).href + '/',
      debug: false,
      async: true, // async: false returns empty embeddings in 3.3.6
      warmup: 'none',
      cacheSensitivity: 0,
      skipAllowed: false,
      deallocate: false,
      filter: { enabled: false },
      face: {
        enabled: true,
        detector: {
          enabled: true,
          rotation: o.rotation,
          maxDetected: o.maxFaces,
          minConfidence: o.minFaceScore,
          iouThreshold: o.iouThreshold,
          skipFrames: 0,
          skipTime: 0,
          return: false,
        },
        mesh: { enabled: true },
        description: { enabled: true, skipFrames: 0, skipTime: 0 },
        iris: off,
        emotion: off,
        antispoof: off,
        liveness: off,
        attention: off,
        gear: off,
      },
      body: off,
      hand: off,
      object: off,
      gesture: off,
      segmentation: off,
    };
    return config as unknown as Partial<Config>;
  }

  /**
   * Every engine of the process shares one chain: tfjs and Human's models are process-wide and not
   * reentrant, so two engines (e.g. two worker contexts in one test process) must not interleave.
   */
  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = processTail.then(job, job);
    processTail = run.catch(() => undefined);
    return run;
  }

  private async decode(image: Buffer): Promise<Decoded> {
    try {
      const input = sharp(image, { limitInputPixels: this.opts.maxInputPixels, failOn: 'error' });
      const meta = await input.metadata();
      const origWidth = meta.autoOrient?.width ?? meta.width;
      const origHeight = meta.autoOrient?.height ?? meta.height;
      if (!origWidth || !origHeight) throw new Error('image has no dimensions');
      const max = this.opts.maxInputSide;
      let pipeline = input.autoOrient().removeAlpha().toColourspace('srgb');
      if (Math.max(origWidth, origHeight) > max) {
        pipeline = pipeline.resize({ width: max, height: max, fit: 'inside' });
      }
      const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
        throw new Error(`decoded to ${info.channels} channels / ${data.length} bytes, expected 8-bit RGB`);
      }
      return { data, width: info.width, height: info.height, origWidth, origHeight };
    } catch (err) {
      throw new ProviderRejectedError(`image cannot be decoded: ${asError(err).message}`, 422);
    }
  }

  private async detectDecoded(d: Decoded): Promise<{
    faces: DetectedFace[];
    raw: { width: number; height: number; payload: unknown };
  }> {
    const human = this.human;
    const runtime = this.runtime;
    if (!human || !runtime) throw new ProviderUnavailableError('face engine is not initialised');
    const { tf } = runtime;
    // tfjs converts the byte buffer to int32 itself (and in its own realm, which matters when
    // this runs inside a jest vm context).
    const tensor = tf.tensor3d(d.data, [d.height, d.width, 3], 'int32');
    let found: FaceResult[];
    try {
      const result = await human.detect(tensor as unknown as HumanInput);
      if (result.error) throw new Error(result.error);
      found = result.face;
    } catch (err) {
      throw new ProviderUnavailableError(`face engine failed: ${asError(err).message}`, err);
    } finally {
      tensor.dispose();
    }

    const scale = d.origWidth / d.width; // 1 unless downscaled
    const faces: DetectedFace[] = [];
    const rawFaces: HumanFaceRaw[] = [];
    for (const f of found) {
      const tight = tightBox(f, d.width, d.height);
      if (!tight) continue;
      const box = scaleBox(tight, scale, d.origWidth, d.origHeight);
      const sharpness = await measureSharpness(d, tight);
      const embedding = normalise(f.embedding);
      faces.push({
        box,
        score: round4(f.boxScore),
        ...(embedding ? { embedding } : {}),
        quality: { faceSizePx: faceSizeOf(box), sharpness: round1(sharpness) },
      });
      rawFaces.push({
        paddedBox: scaleBox({ left: f.box[0], top: f.box[1], width: f.box[2], height: f.box[3] }, scale, d.origWidth, d.origHeight),
        boxScore: round4(f.boxScore),
        faceScore: round4(f.faceScore),
      });
    }
    // Stable order for callers and logs: left to right, then top to bottom.
    const order = faces.map((_, i) => i).sort((a, b) => faces[a].box.left - faces[b].box.left || faces[a].box.top - faces[b].box.top);
    return {
      faces: order.map((i) => faces[i]),
      raw: {
        width: d.origWidth,
        height: d.origHeight,
        payload: {
          engine: 'human',
          version: this.modelVersion,
          backend: 'wasm',
          analysedWidth: d.width,
          analysedHeight: d.height,
          faces: order.map((i) => rawFaces[i]),
        },
      },
    };
  }
}

// ----------------------------------------------------------------------------------------------
// Loading
// ----------------------------------------------------------------------------------------------

function readHumanVersion(anchor: string): string | null {
  try {
    const req = createRequire(anchor);
    const pkgPath = path.join(path.dirname(req.resolve('@vladmandic/human')), '..', 'package.json');
    const pkg: unknown = JSON.parse(readFileSync(pkgPath, 'utf8'));
    return isRecord(pkg) && typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}

function loadRuntime(anchor: string, modelsDirOverride?: string): Runtime {
  let req = createRequire(anchor);
  let humanMain: string;
  try {
    // The exports map sends `require` to the tfjs-node build: resolve it only to find dist/.
    humanMain = req.resolve('@vladmandic/human');
  } catch (err) {
    throw new Error(`@vladmandic/human is not installed (resolved from ${anchor}): ${asError(err).message}`);
  }
  const distDir = path.dirname(humanMain);
  const wasmBuild = path.join(distDir, 'human.node-wasm.js');
  if (!existsSync(wasmBuild)) throw new Error(`${wasmBuild} is missing`);
  // Resolve tfjs from Human's own location so both share one tfjs-core instance.
  req = createRequire(wasmBuild);
  const humanModule = req(wasmBuild) as { Human: HumanCtor };
  const tf = req('@tensorflow/tfjs-core') as TfModule;
  const wasmDir = path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm'));
  for (const f of WASM_FILES) {
    if (!existsSync(path.join(wasmDir, f))) throw new Error(`${path.join(wasmDir, f)} is missing`);
  }
  const modelsDir = modelsDirOverride ?? path.join(distDir, '..', 'models');
  for (const m of REQUIRED_MODELS) {
    if (!existsSync(path.join(modelsDir, `${m}.json`))) throw new Error(`${m}.json is missing in ${modelsDir}`);
  }
  return { Human: humanModule.Human, tf, modelsDir, wasmDir };
}

const routed = new WeakSet<object>();

/** tfjs without tfjs-node cannot read file:// URLs: serve model JSON + weights from disk. */
function registerFileLoader(tf: TfModule): void {
  if (routed.has(tf.io)) return;
  routed.add(tf.io);
  // A router answers null for URLs it does not handle (tfjs' own typing omits that case).
  const notMine = null as unknown as TfCore.io.IOHandler;
  tf.io.registerLoadRouter((url: string | string[]) => {
    const u = Array.isArray(url) ? url[0] : url;
    if (typeof u !== 'string' || !u.startsWith('file://')) return notMine;
    const file = fileURLToPath(u);
    return {
      load: async () => {
        const json = JSON.parse(await readFile(file, 'utf8')) as TfCore.io.ModelJSON;
        return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
          const specs: TfCore.io.WeightsManifestEntry[] = [];
          const parts: Buffer[] = [];
          for (const group of manifest) {
            specs.push(...group.weights);
            for (const p of group.paths) parts.push(await readFile(path.join(path.dirname(file), p)));
          }
          const all = Buffer.concat(parts);
          const data = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
          return [specs, data];
        });
      },
    };
  });
}

/**
 * Human's own warmup() does nothing without tfjs-node. Run the pipeline once on a blank frame
 * (detector) and each face model once on a blank input of its shape, so the first real frame
 * does not pay for kernel set-up.
 */
async function warmUp(human: Human, tf: TfModule): Promise<void> {
  const blank = tf.zeros([480, 640, 3], 'int32');
  try {
    await human.detect(blank as unknown as HumanInput);
  } finally {
    blank.dispose();
  }
  for (const name of ['facemesh', 'faceres'] as const) {
    const model = human.models.models[name] as unknown as WarmableModel | null;
    const shape = model?.inputs?.[0]?.shape;
    if (!model || !shape) continue;
    const input = tf.zeros(
      shape.map((s) => (s > 0 ? s : 1)),
      'float32',
    );
    try {
      tf.dispose(model.execute(input));
    } finally {
      input.dispose();
    }
  }
}

interface WarmableModel {
  inputs?: { shape?: number[] }[];
  execute(input: TfCore.Tensor): TfCore.Tensor | TfCore.Tensor[];
}

// ----------------------------------------------------------------------------------------------
// Geometry, quality, helpers
// ----------------------------------------------------------------------------------------------

/** Tight box from the 468 mesh points (Human's box is a padded square); falls back to the
 *  padded box shrunk by Human's 1.4 scale when there is no mesh. Clamped to the image. */
function tightBox(f: FaceResult, width: number, height: number): FaceBox | null {
  let x0: number;
  let y0: number;
  let x1: number;
  let y1: number;
  if (f.mesh && f.mesh.length > 0) {
    x0 = Infinity;
    y0 = Infinity;
    x1 = -Infinity;
    y1 = -Infinity;
    for (const p of f.mesh) {
      if (p[0] < x0) x0 = p[0];
      if (p[0] > x1) x1 = p[0];
      if (p[1] < y0) y0 = p[1];
      if (p[1] > y1) y1 = p[1];
    }
  } else {
    const [bx, by, bw, bh] = f.box;
    const cx = bx + bw / 2;
    const cy = by + bh / 2;
    x0 = cx - bw / 2.8;
    x1 = cx + bw / 2.8;
    y0 = cy - bh / 2.8;
    y1 = cy + bh / 2.8;
  }
  const left = Math.max(0, Math.floor(x0));
  const top = Math.max(0, Math.floor(y0));
  const right = Math.min(width, Math.ceil(x1));
  const bottom = Math.min(height, Math.ceil(y1));
  if (right - left < 1 || bottom - top < 1) return null;
  return { left, top, width: right - left, height: bottom - top };
}

function scaleBox(b: FaceBox, scale: number, maxW: number, maxH: number): FaceBox {
  if (scale === 1) {
    const left = clamp(Math.round(b.left), 0, maxW);
    const top = clamp(Math.round(b.top), 0, maxH);
    return {
      left,
      top,
      width: clamp(Math.round(b.width), 0, maxW - left),
      height: clamp(Math.round(b.height), 0, maxH - top),
    };
  }
  const left = clamp(Math.round(b.left * scale), 0, maxW);
  const top = clamp(Math.round(b.top * scale), 0, maxH);
  return {
    left,
    top,
    width: clamp(Math.round(b.width * scale), 0, maxW - left),
    height: clamp(Math.round(b.height * scale), 0, maxH - top),
  };
}

/** Variance of Laplacian of the grey face crop, resized to SHARPNESS_CROP_PX square. */
async function measureSharpness(d: Decoded, box: FaceBox): Promise<number> {
  if (box.width < 3 || box.height < 3) return 0;
  const { data, info } = await sharp(d.data, { raw: { width: d.width, height: d.height, channels: 3 } })
    .extract({ left: box.left, top: box.top, width: box.width, height: box.height })
    .greyscale()
    .resize(SHARPNESS_CROP_PX, SHARPNESS_CROP_PX, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const grey = info.channels === 1 ? data : firstChannel(data, info.channels);
  return varianceOfLaplacian(grey, info.width, info.height);
}

function firstChannel(data: Buffer, channels: number): Uint8Array {
  const out = new Uint8Array(data.length / channels);
  for (let i = 0; i < out.length; i++) out[i] = data[i * channels];
  return out;
}

function normalise(v: readonly number[] | undefined): number[] | undefined {
  if (!v || v.length === 0) return undefined;
  let sum = 0;
  for (const x of v) sum += x * x;
  if (!(sum > 0) || !Number.isFinite(sum)) return undefined;
  const inv = 1 / Math.sqrt(sum);
  return Array.from(v, (x) => x * inv);
}

function withDeadline<T>(work: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ProviderUnavailableError(`face engine timed out after ${ms} ms`)), ms);
    timer.unref?.();
    const onAbort = () => reject(signal?.reason ?? new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    });
  });
}

function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  // Errors from Human/tfjs may come from another realm (jest vm): keep their message.
  if (isRecord(err) && typeof err.message === 'string') return new Error(err.message);
  return new Error(String(err));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function round4(v: number): number {
  return Math.round(v * 10000) / 10000;
}
