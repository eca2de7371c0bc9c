import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EnvDto, RedisService, rootLogger } from '@app/core';
import { AlertsService } from '@app/alerts';
import { RealtimePublisher, cameraStatusEvent } from '@app/realtime';
import { CamerasRepository, type UptimeSample } from './cameras.repository';
import { CAMERA_OFFLINE_ALERT, CamerasService } from './cameras.service';
import { decideHealth, probeMeasures, type HealthPolicy } from './camera-health';
import { mapWithConcurrency } from './concurrency';
import { FfmpegClient } from './stream/ffmpeg.client';
import type { ProbeResult } from './stream/probe-result';
import { dateInZone } from './site-time';
import type { CameraEntity } from './entities/camera.entity';

/** How long a watchdog probe reads a live stream for its bit rate and fps. */
const WATCHDOG_WINDOW_MS = 1000;

export interface WatchdogPassResult {
  /** False when another pass was still running (this one did nothing). */
  ran: boolean;
  checked: number;
  online: number;
  offline: number;
  statusChanges: number;
  alertsRaised: number;
  alertsResolved: number;
  durationMs: number;
}

interface CameraOutcome {
  online: boolean;
  statusChanged: boolean;
  alertRaised: boolean;
  alertResolved: boolean;
  written: boolean;
}

/**
 * `check_camera_health`: probes every watched camera (enabled, not in maintenance) with bounded
 * concurrency, updates status / lastSeen / lastChecked and the stream measures, counts today's
 * uptime checks (camera_summaries, site time zone), publishes every status change on
 * `camera-status`, and raises / resolves `Camera Offline` alerts (see decideHealth for the
 * hysteresis). Passes never overlap: a Redis lock makes a second one return at once.
 */
@Injectable()
export class CameraWatchdogService {
  private readonly log = rootLogger().child({ context: 'CameraWatchdog' });
  private readonly policy: HealthPolicy;
  private readonly concurrency: number;
  private readonly intervalMs: number;
  private readonly siteTimeZone: string;

  constructor(
    private readonly repo: CamerasRepository,
    private readonly cameras: CamerasService,
    private readonly ffmpeg: FfmpegClient,
    private readonly alerts: AlertsService,
    private readonly publisher: RealtimePublisher,
    private readonly redis: RedisService,
    env: EnvDto,
  ) {
    this.policy = { alertAfterMs: env.CAMERA_OFFLINE_ALERT_SECONDS * 1000, recoveryChecks: env.CAMERA_RECOVERY_CHECKS };
    this.concurrency = env.CAMERA_WATCHDOG_CONCURRENCY;
    this.intervalMs = env.CAMERA_WATCHDOG_INTERVAL_SECONDS * 1000;
    this.siteTimeZone = env.SITE_TIMEZONE;
  }

  async runPass(): Promise<WatchdogPassResult> {
    const startedAt = Date.now();
    const lock = await this.acquireLock();
    if (!lock) {
      this.log.info('watchdog pass skipped: another pass is running');
      return { ran: false, checked: 0, online: 0, offline: 0, statusChanges: 0, alertsRaised: 0, alertsResolved: 0, durationMs: 0 };
    }
    try {
      const cameras = await this.repo.listWatched();
      const outcomes = await mapWithConcurrency(cameras, this.concurrency, (camera) => this.checkCamera(camera));
      const samples: UptimeSample[] = [];
      outcomes.forEach((o, i) => {
        if (o.written) samples.push({ cameraId: cameras[i].id, online: o.online });
      });
      // "Today" is the site's day at the end of the pass.
      await this.repo.recordUptimeSamples(dateInZone(new Date(), this.siteTimeZone), this.siteTimeZone, samples);
      if (samples.length > 0) await this.cameras.invalidateCache();
      const result: WatchdogPassResult = {
        ran: true,
        checked: samples.length,
        online: samples.filter((s) => s.online).length,
        offline: samples.filter((s) => !s.online).length,
        statusChanges: outcomes.filter((o) => o.statusChanged).length,
        alertsRaised: outcomes.filter((o) => o.alertRaised).length,
        alertsResolved: outcomes.filter((o) => o.alertResolved).length,
        durationMs: Date.now() - startedAt,
      };
      this.log.info(result, 'watchdog pass done');
      return result;
    } finally {
      await this.releaseLock(lock);
    }
  }

  private async checkCamera(camera: CameraEntity): Promise<CameraOutcome> {
    const outcome: CameraOutcome = { online: false, statusChanged: false, alertRaised: false, alertResolved: false, written: false };
    let result: ProbeResult;
    try {
      const source = this.cameras.streamSourceOf(camera);
      result = await this.ffmpeg.probe(source, { windowMs: WATCHDOG_WINDOW_MS });
    } catch (err) {
      // No stream URL (or it cannot be decrypted): the camera cannot be reached.
      result = { success: false, latencyMs: 0, bitrate: 0, codec: null, resolution: null, fps: 0, message: (err as Error).message };
    }
    const at = new Date();
    const streakKey = `cameras:recovery:${camera.id}`;
    const streakBefore = camera.offlineSince && result.success ? await this.readStreak(streakKey) : 0;
    const decision = decideHealth(camera, result.success, at, streakBefore, this.policy);

    outcome.written = await this.repo.updateWatchedHealth(camera.id, { ...probeMeasures(result), ...decision.patch });
    if (!outcome.written) return outcome; // disabled, put in maintenance or deleted meanwhile
    outcome.online = result.success;

    // Within an episode every good probe counts; any failure resets the count.
    await this.writeStreak(streakKey, decision.recoveryStreak, !result.success || camera.offlineSince !== null);

    if (decision.statusChanged) {
      outcome.statusChanged = true;
      await this.publisher.publish(cameraStatusEvent(camera.id, decision.status, decision.patch.lastSeen ?? camera.lastSeen));
      this.log.info(
        { cameraId: camera.id, status: decision.status, reason: result.success ? undefined : result.message },
        'camera status changed',
      );
    }
    if (decision.raiseAlert) {
      const since = camera.offlineSince ?? at;
      const { created } = await this.alerts.raise({
        kind: CAMERA_OFFLINE_ALERT,
        subject: camera.id,
        title: 'Camera Offline',
        description: `${camera.name} (${camera.id}, ${camera.location}) has been offline since ${since.toISOString()}: ${result.message}`,
        level: 'high',
        cameraId: camera.id,
        tags: ['camera', 'offline'],
      });
      outcome.alertRaised = created;
    }
    if (decision.resolveAlert) {
      outcome.alertResolved = (await this.alerts.resolve(CAMERA_OFFLINE_ALERT, camera.id)) !== null;
      if (outcome.alertResolved) this.log.info({ cameraId: camera.id }, 'camera back online: offline alert resolved');
    }
    return outcome;
  }

  /** Good probes in a row within an open episode (Redis; a lost count only delays recovery). */
  private async readStreak(key: string): Promise<number> {
    try {
      return Number((await this.redis.client.get(key)) ?? 0) || 0;
    } catch {
      return 0;
    }
  }

  private async writeStreak(key: string, streak: number, clear: boolean): Promise<void> {
    try {
      if (streak > 0) await this.redis.client.set(key, String(streak), 'PX', this.intervalMs * 4);
      else if (clear) await this.redis.client.del(key);
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'recovery streak not stored');
    }
  }

  private async acquireLock(): Promise<string | null> {
    const token = randomUUID();
    // Held at most two intervals (a crashed pass frees it then).
    const ok = await this.redis.client.set(this.lockKey(), token, 'PX', this.intervalMs * 2, 'NX');
    return ok === 'OK' ? token : null;
  }

  private async releaseLock(token: string): Promise<void> {
    await this.redis.client.eval(
      `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`,
      1,
      this.lockKey(),
      token,
    );
  }

  private lockKey(): string {
    return 'cameras:watchdog:lock';
  }
}
