import { Injectable } from '@nestjs/common';
import { rootLogger } from '@app/core';
import { HumanFaceEngine, type HumanEngineOptions } from './engine/human-engine.client';
import type { FaceAnalysis, FaceProvider, ProviderHealth } from './engine/face-provider';

/**
 * The process's one built-in face engine (Human on tfjs-wasm), shared by enrolment (api) and
 * detection (worker). tfjs-wasm runs one inference at a time per process, so a second engine
 * would only compete for the same thread; the engine queues callers itself.
 *
 * Lazy: the models load (~0.5 s) and warm up (~1 s) on the first analyze(), or earlier when a
 * process calls warmUp() at start (the worker does, so its first frame is not slow). Implements
 * FaceProvider, so the detection pipeline can use it as the 'builtin' provider directly.
 */
@Injectable()
export class FaceEngineService implements FaceProvider {
  readonly kind = 'builtin';
  readonly producesEmbeddings = true;
  private readonly log = rootLogger().child({ context: 'FaceEngine' });
  private readonly engine: HumanFaceEngine;
  private warming: Promise<boolean> | null = null;

  constructor() {
    this.engine = new HumanFaceEngine(FaceEngineService.options());
  }

  /** Engine options; the defaults of HumanFaceEngine suit both enrolment photos and frames. */
  static options(): HumanEngineOptions {
    return {};
  }

  get modelName(): string {
    return this.engine.modelName;
  }

  get modelVersion(): string {
    return this.engine.modelVersion;
  }

  /** Embedding length the engine produces. */
  get dimension(): number {
    return HumanFaceEngine.EMBEDDING_DIM;
  }

  /** True once the models are loaded and warm. */
  get ready(): boolean {
    return this.engine.ready;
  }

  /** Calls waiting or running. */
  get pending(): number {
    return this.engine.pending;
  }

  /** The wrapped engine (benches and tests read its load/warm-up timings). */
  get raw(): HumanFaceEngine {
    return this.engine;
  }

  /**
   * Start loading in the background (idempotent). Resolves true when the engine is ready, false
   * when loading failed (logged; the next analyze() retries).
   */
  warmUp(): Promise<boolean> {
    this.warming ??= this.engine.init().then(
      () => {
        this.log.info(
          { loadMs: this.engine.loadDurationMs, warmupMs: this.engine.warmupDurationMs, version: this.modelVersion },
          'face engine ready',
        );
        return true;
      },
      (err: unknown) => {
        this.warming = null;
        this.log.error({ err: (err as Error).message }, 'face engine failed to load');
        return false;
      },
    );
    return this.warming;
  }

  /** Detect and embed every face of an encoded JPEG/PNG/WebP image (loads the engine on first use). */
  analyze(image: Buffer, opts?: { signal?: AbortSignal }): Promise<FaceAnalysis> {
    return this.engine.analyze(image, opts);
  }

  health(): Promise<ProviderHealth> {
    return this.engine.health();
  }
}
