import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { RedisService, rootLogger } from '@app/core';
import { classifyFace, DEFAULT_CLASSIFY_THRESHOLDS, type ClassifyThresholds, type FaceClassification } from './engine/classify';
import type { DetectedFace } from './engine/face-provider';
import { FaceMatcher } from './engine/face-matcher';
import { FaceEngineService } from './face-engine.service';
import { FACES_CHANGED_CHANNEL, parseFacesChangedEvent, type FaceChangeAction, type FacesChangedEvent } from './faces.events';
import { FacesRepository, type IndexedEmbedding } from './faces.repository';

/** The registry's answer for one embedding: the nearest active profile. */
export interface FaceCandidate {
  profileId: string;
  employeeId: string;
  name: string;
  department: string | null;
  /** Cosine similarity -1..1 (max over the profile's embeddings). */
  similarity: number;
}

/** classify(): the decision of classifyFace plus who it is about. */
export interface FaceVerdict extends FaceClassification {
  /** The recognised person: set only when decision is 'authorized'. */
  match: FaceCandidate | null;
  /** The nearest profile whatever the decision (for logs and "looks like" hints); null when none. */
  candidate: FaceCandidate | null;
}

export interface ClassifyOptions {
  /**
   * False for recognising providers (CompreFace, CodeProject.AI, generic HTTP): they return a
   * subject (our employeeId) and a similarity instead of an embedding, and a face without a
   * subject is a stranger rather than unjudgeable. Default true (embedding engines).
   */
  producesEmbeddings?: boolean;
  /** Overrides of the stored thresholds (providers with another similarity scale). */
  thresholds?: Partial<ClassifyThresholds>;
}

/**
 * The thresholds in force, all fields set: the classification thresholds plus the face-size
 * floor of enrolment photos (a registry photo should be better than a passing camera frame).
 */
export type FaceThresholds = Required<ClassifyThresholds> & { enrolMinFaceSizePx: number };

/** Defaults: bench/results/face-thresholds.json (see DEFAULT_CLASSIFY_THRESHOLDS). */
export const DEFAULT_FACE_THRESHOLDS: Readonly<FaceThresholds> = Object.freeze({
  ...DEFAULT_CLASSIFY_THRESHOLDS,
  enrolMinFaceSizePx: 64,
});

export interface FaceIndexStats {
  loaded: boolean;
  profiles: number;
  embeddings: number;
  modelName: string;
  dimension: number | null;
  kernel: string | null;
  lastFullLoadAt: string | null;
  lastFullLoadMs: number | null;
  fullLoads: number;
  profileReloads: number;
}

/** How long thresholds read from detection_provider_config are reused. */
const SETTINGS_TTL_MS = 5_000;
/** Longest a start waits for the faces:changed subscription before loading without it. */
const SUBSCRIBE_WAIT_MS = 1_000;
/** Safety net for lost pub/sub messages: compare a fingerprint with the database this often. */
const RECONCILE_INTERVAL_MS = 60_000;

/** Keys of detection_provider_config.settings read here, with their valid ranges. */
const THRESHOLD_KEYS: ReadonlyArray<{ key: keyof FaceThresholds; min: number; max: number; integer?: boolean }> = [
  { key: 'matchThreshold', min: 0, max: 1 },
  { key: 'unknownThreshold', min: 0, max: 1 },
  { key: 'minFaceSizePx', min: 0, max: 4096, integer: true },
  { key: 'minSharpness', min: 0, max: 100_000 },
  { key: 'minDetectionScore', min: 0, max: 1 },
  { key: 'enrolMinFaceSizePx', min: 0, max: 4096, integer: true },
];

/**
 * The in-memory matcher of every ACTIVE profile's embeddings, one per process (api and worker).
 *
 * Freshness: every registry change calls notifyChanged() after its transaction committed; that
 * reloads the profile here and publishes `faces:changed` on Redis, and every other process
 * reloads that profile from the database when it hears it. A full reload runs at start, after a
 * Redis reconnect (messages may have been missed) and whenever the periodic fingerprint check
 * (RECONCILE_INTERVAL_MS) finds the database different from what was loaded. All index changes
 * run one after another, so a profile reload never interleaves with a full reload.
 *
 * Thresholds come from detection_provider_config.settings (top-level keys matchThreshold,
 * unknownThreshold, minFaceSizePx, minSharpness, minDetectionScore, enrolMinFaceSizePx) with
 * the measured defaults of DEFAULT_FACE_THRESHOLDS for every key missing or invalid.
 */
@Injectable()
export class FaceIndexService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = rootLogger().child({ context: 'FaceIndex' });
  private readonly origin = randomUUID();
  private readonly channel: string;
  private readonly matcher = new FaceMatcher();
  /** Active profiles in the matcher: department is not part of FaceMatcher's records. */
  private readonly profiles = new Map<string, { employeeId: string; name: string; department: string | null }>();
  private chain: Promise<unknown> = Promise.resolve();
  private initial: Promise<void> | null = null;
  private loaded = false;
  private firstLoadStarted = false;
  private lastFullLoadAt: string | null = null;
  private lastFullLoadMs: number | null = null;
  private fullLoads = 0;
  private profileReloads = 0;
  private seenFingerprint = '';
  private reloadsAtCheck = 0;
  private settingsCache: { value: FaceThresholds; at: number } | null = null;
  private warnedSettings = '';
  private subscriber?: Redis;
  private subscribedOnce = false;
  private reconcileTimer?: NodeJS.Timeout;
  private stopped = false;
  private readonly listeners = new Set<(event: FacesChangedEvent) => void>();

  private readonly onMessage = (channel: string, message: string): void => {
    if (channel !== this.channel) return;
    const event = parseFacesChangedEvent(message);
    if (!event) {
      this.log.debug('dropped malformed faces:changed message');
      return;
    }
    if (event.origin !== this.origin) void this.reloadProfile(event.profileId).catch(() => undefined);
    this.emit(event);
  };

  private readonly onSubscriberReady = (): void => {
    // The first 'ready' is the initial connection; later ones follow a reconnect, during which
    // invalidations may have been missed.
    if (!this.subscribedOnce) return;
    this.log.info('redis reconnected: reloading the face index');
    void this.reload().catch(() => undefined);
  };

  constructor(
    private readonly repo: FacesRepository,
    private readonly redis: RedisService,
    private readonly engine: FaceEngineService,
  ) {
    this.channel = redis.channel(FACES_CHANGED_CHANNEL);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  /**
   * Subscribe and load the index (idempotent; the application calls it on bootstrap). Resolves
   * once the first load finished. It waits at most SUBSCRIBE_WAIT_MS for the subscription, so a
   * process starts while Redis is down, and reloads once the subscription comes through. A
   * failed first load is logged and retried by the reconcile timer.
   */
  start(): Promise<void> {
    this.initial ??= (async () => {
      // Normally subscribed before the first load (no change can slip between them); with Redis
      // down the process starts anyway after SUBSCRIBE_WAIT_MS and catches up once subscribed.
      const subscribed = this.subscribe();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([subscribed, new Promise<void>((r) => (timer = setTimeout(r, SUBSCRIBE_WAIT_MS)))]);
      clearTimeout(timer);
      this.firstLoadStarted = true;
      try {
        await this.reload();
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'face index not loaded: retrying at the next reconcile');
      }
      this.reconcileTimer = setInterval(() => void this.reconcile().catch(() => undefined), RECONCILE_INTERVAL_MS);
      this.reconcileTimer.unref();
    })();
    return this.initial;
  }

  /** Resolves once the first full load finished. */
  whenReady(): Promise<void> {
    return this.start();
  }

  get modelName(): string {
    return this.engine.modelName;
  }

  // ---- matching -------------------------------------------------------------------------------

  /**
   * The nearest ACTIVE profile to an embedding, whatever the similarity (apply thresholds with
   * classify()); null when no active profile has an embedding. Sync: ~1.5 ms median for 10,000
   * profiles (bench/results/faces.json). Throws RangeError for an embedding of another length
   * (another model): it cannot be compared, and silently calling everyone a stranger would be worse.
   */
  match(embedding: ArrayLike<number>): FaceCandidate | null {
    if (this.matcher.size === 0) return null;
    const best = this.matcher.best(embedding);
    if (!best) return null;
    return {
      profileId: best.profileId,
      employeeId: best.employeeId,
      name: best.name,
      department: this.profiles.get(best.profileId)?.department ?? null,
      similarity: best.similarity,
    };
  }

  /** The active profile enrolled under an employeeId (recognising providers name people so). */
  byEmployeeId(employeeId: string): Omit<FaceCandidate, 'similarity'> | null {
    for (const [profileId, p] of this.profiles) {
      if (p.employeeId === employeeId) return { profileId, ...p };
    }
    return null;
  }

  /**
   * authorized / unknown / ignored for one detected face, with the thresholds in force:
   * quality first (too small, too blurry, weak detection: ignored), then the nearest profile's
   * similarity against matchThreshold and unknownThreshold (see classifyFace for `conclusive`).
   */
  async classify(face: DetectedFace, opts: ClassifyOptions = {}): Promise<FaceVerdict> {
    // Judging before the first load would call every enrolled person a stranger.
    if (!this.loaded) await this.whenReady();
    const thresholds = { ...(await this.thresholds()), ...definedOnly(opts.thresholds ?? {}) };
    let candidate: FaceCandidate | null = null;
    let similarity: number | null = null;
    let hasEmbedding = true;
    if (face.embedding && face.embedding.length > 0) {
      candidate = this.match(face.embedding);
      similarity = candidate?.similarity ?? null;
    } else if (face.subject) {
      const p = this.byEmployeeId(face.subject);
      if (p && typeof face.similarity === 'number') {
        candidate = { ...p, similarity: face.similarity };
        similarity = face.similarity;
      }
    } else {
      hasEmbedding = opts.producesEmbeddings === false;
    }
    const c = classifyFace({ score: face.score, box: face.box, quality: face.quality, similarity, hasEmbedding }, thresholds);
    return { ...c, match: c.decision === 'authorized' ? candidate : null, candidate };
  }

  /** The thresholds in force (stored settings over the measured defaults), cached 5 s. */
  async thresholds(): Promise<FaceThresholds> {
    const now = Date.now();
    if (this.settingsCache && now - this.settingsCache.at < SETTINGS_TTL_MS) return this.settingsCache.value;
    let settings: Record<string, unknown> = {};
    try {
      settings = await this.repo.providerSettings();
    } catch (err) {
      // Keep judging with the last known (or default) thresholds while the database hiccups.
      this.log.warn({ err: (err as Error).message }, 'cannot read face thresholds; using the last known');
      if (this.settingsCache) return this.settingsCache.value;
    }
    const value = this.parseThresholds(settings);
    this.settingsCache = { value, at: now };
    return value;
  }

  /** Forget cached thresholds (call after changing detection_provider_config.settings). */
  invalidateThresholds(): void {
    this.settingsCache = null;
  }

  // ---- freshness ------------------------------------------------------------------------------

  /**
   * Call after a committed registry change: reloads the profile in this process, then tells
   * every other process (and external provider syncs) through `faces:changed`. Never throws: an
   * unreachable Redis is logged, and the other processes catch up at their next reconcile.
   */
  async notifyChanged(action: FaceChangeAction, profileId: string, employeeId: string, previousEmployeeId?: string): Promise<void> {
    const event: FacesChangedEvent = {
      action,
      profileId,
      employeeId,
      ...(previousEmployeeId && previousEmployeeId !== employeeId ? { previousEmployeeId } : {}),
      origin: this.origin,
      at: new Date().toISOString(),
    };
    try {
      await this.reloadProfile(profileId);
    } catch (err) {
      this.log.error({ err: (err as Error).message, profileId }, 'local face index reload failed');
    }
    try {
      await this.redis.client.publish(this.channel, JSON.stringify(event));
    } catch (err) {
      this.log.warn({ err: (err as Error).message, profileId, action }, 'faces:changed not published; other processes reconcile later');
    }
    this.emit(event);
  }

  /** Listen to registry changes of any process (e.g. a provider gallery sync). Returns the remover. */
  onChange(listener: (event: FacesChangedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reload one profile from the database: its embeddings when active, nothing otherwise. */
  reloadProfile(profileId: string): Promise<void> {
    return this.serial(async () => {
      const rows = await this.repo.activeProfileEmbeddings(profileId, this.modelName);
      // From here on synchronous: a match() never sees the profile half-replaced.
      this.matcher.removeProfile(profileId);
      this.profiles.delete(profileId);
      this.insert(rows);
      this.profileReloads++;
    });
  }

  /** Replace the whole index with the database's active embeddings. */
  reload(): Promise<void> {
    return this.serial(async () => {
      const started = performance.now();
      // Fingerprint first: a change committed while loading moves it, and the next reconcile looks.
      this.seenFingerprint = JSON.stringify(await this.repo.indexFingerprint(this.modelName));
      this.reloadsAtCheck = this.profileReloads;
      const rows: IndexedEmbedding[] = [];
      for await (const batch of this.repo.activeEmbeddings(this.modelName)) rows.push(...batch);
      const next = new Map<string, { employeeId: string; name: string; department: string | null }>();
      for (const r of rows) next.set(r.profileId, { employeeId: r.employeeId, name: r.name, department: r.department });
      this.matcher.replaceAll(
        rows.map((r) => ({ embeddingId: r.embeddingId, profileId: r.profileId, employeeId: r.employeeId, name: r.name, vector: r.vector })),
      );
      this.profiles.clear();
      for (const [k, v] of next) this.profiles.set(k, v);
      this.loaded = true;
      this.fullLoads++;
      this.lastFullLoadAt = new Date().toISOString();
      this.lastFullLoadMs = Math.round((performance.now() - started) * 10) / 10;
      this.log.debug({ profiles: this.profiles.size, embeddings: this.matcher.size, ms: this.lastFullLoadMs }, 'face index loaded');
    });
  }

  /**
   * Safety net for lost messages: when the database's fingerprint of the active registry moved
   * since the last check and the counts differ from what is held, reload everything. (A change
   * that keeps the counts and whose message was lost is caught when the fingerprint moved and
   * no message arrived since the last check.)
   */
  async reconcile(): Promise<boolean> {
    if (this.stopped) return false;
    const fp = await this.repo.indexFingerprint(this.modelName);
    const key = JSON.stringify(fp);
    const moved = key !== this.seenFingerprint;
    const countsDiffer = fp.embeddings !== this.matcher.size || fp.profiles !== this.profiles.size;
    const messagesSince = this.profileReloads - this.reloadsAtCheck;
    this.seenFingerprint = key;
    this.reloadsAtCheck = this.profileReloads;
    if (!countsDiffer && (!moved || messagesSince > 0)) return false;
    this.log.info({ db: fp, held: { profiles: this.profiles.size, embeddings: this.matcher.size } }, 'face index out of step: reloading');
    await this.reload();
    return true;
  }

  stats(): FaceIndexStats {
    return {
      loaded: this.loaded,
      profiles: this.profiles.size,
      embeddings: this.matcher.size,
      modelName: this.modelName,
      dimension: this.matcher.dimension,
      kernel: this.matcher.kernelKind,
      lastFullLoadAt: this.lastFullLoadAt,
      lastFullLoadMs: this.lastFullLoadMs,
      fullLoads: this.fullLoads,
      profileReloads: this.profileReloads,
    };
  }

  /** True when the profile has embeddings in this process's matcher. */
  holds(profileId: string): boolean {
    return this.profiles.has(profileId);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    this.listeners.clear();
    const conn = this.subscriber;
    if (!conn) return;
    this.subscriber = undefined;
    conn.off('message', this.onMessage);
    conn.off('ready', this.onSubscriberReady);
    const done = conn.unsubscribe(this.channel).catch(() => undefined);
    if (conn.status === 'ready') await done;
  }

  // ---- internals ------------------------------------------------------------------------------

  private async subscribe(): Promise<void> {
    const conn = this.redis.subscriber();
    this.subscriber = conn;
    conn.on('message', this.onMessage);
    conn.on('ready', this.onSubscriberReady);
    try {
      await conn.subscribe(this.channel);
    } catch (err) {
      // Served from the database snapshot; the reconcile timer keeps it roughly fresh.
      this.log.warn({ err: (err as Error).message }, 'faces:changed subscribe failed');
      return;
    } finally {
      this.subscribedOnce = true;
    }
    // Subscribed after the first load began (Redis was slow or down): changes committed in
    // between were not heard.
    if (this.firstLoadStarted && !this.stopped) void this.reload().catch(() => undefined);
  }

  private insert(rows: readonly IndexedEmbedding[]): void {
    for (const r of rows) {
      this.matcher.upsert({ embeddingId: r.embeddingId, profileId: r.profileId, employeeId: r.employeeId, name: r.name, vector: r.vector });
      this.profiles.set(r.profileId, { employeeId: r.employeeId, name: r.name, department: r.department });
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work, work);
    this.chain = run.catch((err: unknown) => {
      this.log.error({ err: (err as Error).message }, 'face index update failed');
    });
    return run;
  }

  private emit(event: FacesChangedEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'faces:changed listener failed');
      }
    }
  }

  private parseThresholds(settings: Record<string, unknown>): FaceThresholds {
    const out: FaceThresholds = { ...DEFAULT_FACE_THRESHOLDS };
    const problems: string[] = [];
    for (const { key, min, max, integer } of THRESHOLD_KEYS) {
      const v = settings[key];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
        problems.push(`${key}=${JSON.stringify(v)}`);
        continue;
      }
      out[key] = v;
    }
    if (out.unknownThreshold > out.matchThreshold) {
      problems.push(`unknownThreshold ${out.unknownThreshold} > matchThreshold ${out.matchThreshold}`);
      out.unknownThreshold = out.matchThreshold;
    }
    const summary = problems.join(', ');
    if (summary && summary !== this.warnedSettings) {
      this.log.warn({ problems }, 'invalid face thresholds in detection_provider_config.settings: defaults used');
    }
    this.warnedSettings = summary;
    return out;
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
