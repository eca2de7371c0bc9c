import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { performance } from 'node:perf_hooks';
import { rootLogger } from '@app/core';
import { CamerasService, FfmpegClient, type CameraEntity } from '@app/cameras';
import { FaceIndexService, FacesRepository } from '@app/faces';
import { ProviderRejectedError, type DetectedFace, type FaceAnalysis } from '@app/faces/engine/face-provider';
import type { DetectFramePayload } from '@app/queue';
import { SAMPLER } from '../detections.constants';
import { DetectionEventsRepository } from '../detection-events.repository';
import { DetectionProviderService } from '../detection-provider.service';
import type { DetectionProviderKind } from '../entities/detection-provider-config.entity';
import { ProviderConfigService } from '../provider-config.service';
import { effectiveSettings, type ProviderSettings } from '../provider-settings';
import { FrameStore } from './frame-store';
import { SightingRecorder, type SightingSummary } from './sighting-recorder.service';
import { stepTracks, writeAhead, type Observation, type ObservedPerson } from './sighting-tracker';
import { TrackStore } from './track-store';

export interface DetectJobContext {
  /** Public job id (det_...). */
  jobId: string;
  /** 1-based attempt number. */
  attempt: number;
  /** Aborted when the job's 30 s bound passes. */
  signal?: AbortSignal;
}

/** What a detect-frame job reports (GET /jobs/{id} result). */
export interface DetectFrameResult {
  cameraId: string;
  /** done: the frame was analysed; skipped: nothing to do (camera or provider off, no frame). */
  outcome: 'done' | 'skipped';
  reason?: string;
  eventId: string | null;
  faces: number;
  ignored: number;
  sightings: SightingSummary[];
  /** Provider call time, ms. */
  providerLatencyMs: number | null;
  /** ISO 8601 capture time of the analysed frame. */
  capturedAt: string | null;
  totalMs: number;
}

interface TakenFrame {
  jpeg: Buffer;
  capturedAt: Date;
  source: 'sampler' | 'grab';
}

interface JudgedFace {
  box: DetectedFace['box'];
  score: number;
  verdict: Observation['verdict'] | 'ignored';
  reason: string;
  similarity: number | null;
  personId: string | null;
}

/**
 * One detection job: frame -> provider -> faces judged against the registry -> sightings folded
 * over consecutive frames (one row per person per visit) -> thumbnail, detection row, live cache,
 * `detection` event, attendance hand-off, Unknown Face alert. An attempt that dies half-way (worker
 * killed) is redone by the next step of the camera without doubling rows or losing the hand-off.
 * Every attempt is logged in
 * detection_event_logs (processing, then received or error).
 *
 * Expected outcomes (camera or provider disabled, no recent sampled frame) return a result;
 * failures worth retrying (camera unreachable, provider unavailable, Redis) throw; a provider that
 * rejects the request (bad key) throws an UnrecoverableError (no retry).
 */
@Injectable()
export class DetectionPipelineService {
  private readonly log = rootLogger().child({ context: 'DetectionPipeline' });

  constructor(
    private readonly cameras: CamerasService,
    private readonly ffmpeg: FfmpegClient,
    private readonly config: ProviderConfigService,
    private readonly providers: DetectionProviderService,
    private readonly faceIndex: FaceIndexService,
    private readonly faces: FacesRepository,
    private readonly frames: FrameStore,
    private readonly tracks: TrackStore,
    private readonly events: DetectionEventsRepository,
    private readonly recorder: SightingRecorder,
  ) {}

  async detect(payload: DetectFramePayload, ctx: DetectJobContext): Promise<DetectFrameResult> {
    const started = performance.now();
    const startedAt = new Date();
    const meta = { trigger: payload.trigger, jobId: ctx.jobId, attempt: ctx.attempt };
    const result = (outcome: DetectFrameResult['outcome'], extra: Partial<DetectFrameResult> = {}): DetectFrameResult => ({
      cameraId: payload.cameraId,
      outcome,
      eventId: null,
      faces: 0,
      ignored: 0,
      sightings: [],
      providerLatencyMs: null,
      capturedAt: null,
      totalMs: Math.round(performance.now() - started),
      ...extra,
    });

    const camera = await this.cameras.findCamera(payload.cameraId);
    if (!camera) return result('skipped', { reason: 'camera_not_found' });
    const skipReason = !camera.enabled ? 'Camera disabled' : camera.status === 'maintenance' ? 'Camera in maintenance' : null;
    const config = await this.config.current();
    const off = skipReason ?? (config.enabled ? null : 'Detection provider disabled');
    if (off) {
      const eventId = await this.events.record(camera.id, camera.name, startedAt, {
        status: 'error',
        latencyMs: null,
        payload: { ...meta, provider: { kind: config.kind } },
        errorMessage: off,
      });
      return result('skipped', { reason: off, eventId });
    }

    const settings = effectiveSettings(config.settings);
    if (ctx.attempt > 1) {
      // a re-run: an earlier attempt may have died in flight (worker killed) and left its row open
      await this.events.closeInterrupted(camera.id, ctx.jobId, ctx.attempt).catch((err: unknown) => {
        this.log.warn({ err: (err as Error).message, cameraId: camera.id, jobId: ctx.jobId }, 'could not close interrupted attempts');
      });
    }
    // Logged as in flight at once, written beside the work (not in front of it).
    const eventStart = this.events
      .start(camera.id, camera.name, startedAt, { ...meta, provider: { kind: config.kind } })
      .catch((err: unknown) => {
        this.log.warn({ err: (err as Error).message, cameraId: camera.id }, 'could not log the detection event');
        return null;
      });
    let providerLatencyMs: number | null = null;
    try {
      const marks: Record<string, number> = {};
      const mark = (name: string, since: number): number => {
        const now = performance.now();
        marks[name] = Math.round(now - since);
        return now;
      };
      let t0 = mark('setupMs', started);
      const frame = await this.takeFrame(camera, payload.trigger, ctx.signal);
      if (!frame) {
        const eventId = await eventStart;
        const message = 'No recent frame from the camera sampler';
        if (eventId)
          await this.events.finish(eventId, {
            status: 'error',
            latencyMs: null,
            payload: { ...meta, provider: { kind: config.kind } },
            errorMessage: message,
          });
        return result('skipped', { reason: 'no_recent_frame', eventId });
      }
      t0 = mark('frameMs', t0);
      const provider = this.providers.providerFor(config);
      const analysis = await provider.analyze(frame.jpeg, { signal: ctx.signal });
      providerLatencyMs = analysis.latencyMs;
      void this.config.recordLatency(analysis.latencyMs);
      t0 = mark('analyzeMs', t0);
      const judged = await this.judge(analysis, config.kind, settings);
      t0 = mark('judgeMs', t0);

      const windowMs = settings.debounceSeconds * 1000;
      const capturedMs = frame.capturedAt.getTime();
      // The camera's new state is stored once everything the frame asks for is done (rows, live
      // cache, attendance, alerts); before that, only the tracks it opens (write-ahead). An attempt
      // that dies on the way leaves the old state plus those: the next step redoes the rest, once.
      const sightings = await this.tracks.update(camera.id, windowMs * 3 + 60_000, async (open, save) => {
        const step = stepTracks(open, judged.observations, capturedMs, { windowMs, oneShot: payload.trigger === 'manual' });
        await this.recorder.storeCrops({ jpeg: frame.jpeg, analysis }, step.actions);
        const ahead = writeAhead(open, step);
        if (ahead) await save(ahead);
        const applied = await this.recorder.apply(camera, step.actions);
        t0 = mark('sightingsMs', t0);
        await this.recorder.followUp(camera, applied.followUps, settings);
        mark('followUpMs', t0);
        return { tracks: step.tracks, result: applied.sightings };
      });

      const eventId = await eventStart;
      if (eventId) {
        await this.events.finish(eventId, {
          status: 'received',
          latencyMs: analysis.latencyMs,
          payload: {
            ...meta,
            provider: { kind: config.kind, model: provider.modelName, version: provider.modelVersion },
            frame: {
              source: frame.source,
              capturedAt: frame.capturedAt.toISOString(),
              width: analysis.width,
              height: analysis.height,
              bytes: frame.jpeg.length,
            },
            faces: judged.summary,
            sightings,
            raw: analysis.raw ?? null,
            // Where the time went; frameAgeMs = capture to job start (queue wait for sampled frames).
            timings: { frameAgeMs: Math.max(0, startedAt.getTime() - frame.capturedAt.getTime()), ...marks },
            totalMs: Math.round(performance.now() - started),
          },
          errorMessage: null,
        });
      }
      return result('done', {
        eventId,
        faces: analysis.faces.length,
        ignored: judged.summary.filter((f) => f.verdict === 'ignored').length,
        sightings,
        providerLatencyMs: Math.round(analysis.latencyMs),
        capturedAt: frame.capturedAt.toISOString(),
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const eventId = await eventStart;
      if (eventId) {
        await this.events
          .finish(eventId, {
            status: 'error',
            latencyMs: providerLatencyMs,
            payload: { ...meta, provider: { kind: config.kind } },
            errorMessage: message.slice(0, 2000),
          })
          .catch(() => undefined);
      }
      this.log.warn({ cameraId: camera.id, ...meta, err: message }, 'detection attempt failed');
      if (err instanceof ProviderRejectedError) throw new UnrecoverableError(message);
      throw err;
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * The frame to analyse: the sampler's latest (sampled jobs: only that; manual jobs: when it is
   * fresher than an interval), else a one-off grab with ffmpeg.
   */
  private async takeFrame(camera: CameraEntity, trigger: DetectFramePayload['trigger'], signal?: AbortSignal): Promise<TakenFrame | null> {
    const stored = await this.frames.latest(camera.id);
    const age = stored ? Date.now() - stored.capturedAt.getTime() : Infinity;
    if (trigger === 'sampler') {
      const maxAge = Math.max(10_000, SAMPLER.frameMaxAgeIntervals * camera.sampleIntervalMs);
      return stored && age <= maxAge ? { jpeg: stored.jpeg, capturedAt: stored.capturedAt, source: 'sampler' } : null;
    }
    if (stored && age <= Math.max(3000, camera.sampleIntervalMs * 1.5)) {
      return { jpeg: stored.jpeg, capturedAt: stored.capturedAt, source: 'sampler' };
    }
    const source = this.cameras.streamSourceOf(camera);
    const jpeg = await this.ffmpeg.grabFrame(source, { signal, maxWidth: SAMPLER.maxWidth });
    const capturedAt = new Date();
    void this.cameras.markSeen(camera.id, capturedAt).catch(() => undefined);
    return { jpeg, capturedAt, source: 'grab' };
  }

  /** Judges every face: the registry match and the thresholds give an observation (or ignore it). */
  private async judge(
    analysis: FaceAnalysis,
    kind: DetectionProviderKind,
    settings: ProviderSettings,
  ): Promise<{ observations: Observation[]; summary: JudgedFace[] }> {
    const observations: Observation[] = [];
    const summary: JudgedFace[] = [];
    const external = kind !== 'builtin';
    const registry = new Map<string, Promise<ObservedPerson | null>>();
    for (const face of analysis.faces) {
      const verdict = await this.faceIndex.classify(face, { producesEmbeddings: !external });
      const base = { box: face.box, score: face.score };
      if (verdict.decision === 'ignored') {
        summary.push({ ...base, verdict: 'ignored', reason: verdict.reason, similarity: verdict.similarity ?? null, personId: null });
        continue;
      }
      let obs: Observation;
      if (verdict.decision === 'authorized' && verdict.match) {
        const { employeeId, name, department } = verdict.match;
        obs = { ...base, verdict: 'match', person: { employeeId, name, department }, similarity: verdict.match.similarity };
      } else if (external && face.subject && !verdict.candidate && (face.similarity ?? 0) >= settings.matchThreshold) {
        // Recognised by the provider, but not an active profile here: a visitor (no attendance).
        let lookup = registry.get(face.subject);
        if (!lookup) {
          lookup = this.visitor(face.subject);
          registry.set(face.subject, lookup);
        }
        const person = (await lookup) ?? { employeeId: face.subject, name: face.subject, department: null };
        obs = { ...base, verdict: 'visitor', person, similarity: face.similarity };
      } else if (!verdict.conclusive && verdict.candidate) {
        const { employeeId, name, department } = verdict.candidate;
        obs = { ...base, verdict: 'candidate', person: { employeeId, name, department }, similarity: verdict.candidate.similarity };
      } else {
        obs = { ...base, verdict: 'stranger', similarity: verdict.similarity };
      }
      if (face.embedding) obs.embedding = face.embedding;
      if (face.subject) obs.subject = face.subject;
      observations.push(obs);
      summary.push({
        ...base,
        verdict: obs.verdict,
        reason: verdict.reason,
        similarity: obs.similarity === undefined ? null : round3(obs.similarity),
        personId: obs.person?.employeeId ?? null,
      });
    }
    return { observations, summary };
  }

  /** A profile the provider named that is not active here (pending or archived), or null. */
  private async visitor(employeeId: string): Promise<ObservedPerson | null> {
    const profile = await this.faces.findByEmployeeId(employeeId);
    return profile ? { employeeId: profile.employeeId, name: profile.name, department: profile.department } : null;
  }
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
