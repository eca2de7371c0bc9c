import { HttpStatus, Injectable } from '@nestjs/common';
import { ApiException, EnvDto, ErrorCode, rootLogger, serviceUnavailable } from '@app/core';
import { StorageService } from '@app/storage';
import { RealtimePublisher, cameraStatusEvent } from '@app/realtime';
import { CamerasRepository, type CameraHealthUpdate } from './cameras.repository';
import { CAMERA_URL_TTL_SECONDS, CamerasService } from './cameras.service';
import { probeMeasures } from './camera-health';
import { Limiter, LimiterBusyError } from './concurrency';
import { FfmpegClient } from './stream/ffmpeg.client';
import { isStreamError } from './stream/stream-error';
import { timestampKey } from './site-time';
import type { CameraEntity } from './entities/camera.entity';
import type { ConnectionTestDto, SnapshotDto } from './dto/camera.dto';

/** How long a request waits for a free ffmpeg slot before it is answered 503. */
const SLOT_WAIT_MS = 10_000;

/** Storage key of a snapshot: snapshots/{cameraId}/{timestamp}.jpg */
export function snapshotKey(cameraId: string, at: Date): string {
  return `snapshots/${cameraId}/${timestampKey(at)}.jpg`;
}

/**
 * Talks to a camera on request: a connection test (ffprobe) and a snapshot (one frame with ffmpeg,
 * stored in object storage). Every call is bounded (socket timeout + kill timer in FfmpegClient) and
 * at most CAMERA_MAX_CONCURRENT_STREAM_JOBS run at once in this process.
 */
@Injectable()
export class CameraMediaService {
  private readonly log = rootLogger().child({ context: 'CameraMedia' });
  private readonly limiter: Limiter;

  constructor(
    private readonly cameras: CamerasService,
    private readonly repo: CamerasRepository,
    private readonly ffmpeg: FfmpegClient,
    private readonly storage: StorageService,
    private readonly publisher: RealtimePublisher,
    env: EnvDto,
  ) {
    this.limiter = new Limiter(env.CAMERA_MAX_CONCURRENT_STREAM_JOBS, SLOT_WAIT_MS);
  }

  /**
   * Probes the stream and records what it found: fps, resolution, bitrate, latency, codec, status
   * and lastChecked (lastSeen when it answered). A failed probe is an answer (`success: false` and a
   * plain message), not an error. A camera in maintenance keeps that status.
   */
  async testConnection(id: string): Promise<ConnectionTestDto> {
    const camera = await this.cameras.mustFind(id);
    const source = this.cameras.streamSourceOf(camera);
    const result = await this.withSlot(() => this.ffmpeg.probe(source));
    const at = new Date();
    const patch: CameraHealthUpdate = { ...probeMeasures(result), lastChecked: at };
    if (result.success) patch.lastSeen = at;
    if (camera.status !== 'maintenance') {
      patch.status = result.success ? 'online' : 'offline';
      // A monitored camera that fails starts an offline episode; the watchdog ends episodes.
      if (!result.success && camera.enabled && !camera.offlineSince) patch.offlineSince = at;
    }
    await this.repo.updateHealth(camera.id, patch);
    await this.cameras.invalidateCache();
    await this.publishIfChanged(camera, patch);
    this.log.info(
      { cameraId: id, success: result.success, latencyMs: result.latencyMs, errorCode: result.errorCode },
      'camera connection tested',
    );
    return {
      success: result.success,
      latencyMs: result.latencyMs,
      bitrate: result.bitrate,
      message: result.message,
      codec: result.codec,
      resolution: result.resolution,
      fps: result.fps,
      ...(result.errorCode ? { errorCode: result.errorCode } : {}),
    };
  }

  /**
   * Grabs one frame, stores it at snapshots/{cameraId}/{timestamp}.jpg and makes it the camera's
   * thumbnail (unless a newer one got there first). A camera that delivers no frame is answered 503
   * with the reason; it never becomes a 500.
   */
  async snapshot(id: string): Promise<SnapshotDto> {
    const camera = await this.cameras.mustFind(id);
    const source = this.cameras.streamSourceOf(camera);
    let frame: Buffer;
    try {
      frame = await this.withSlot(() => this.ffmpeg.grabFrame(source));
    } catch (err) {
      if (!isStreamError(err)) throw err;
      this.log.warn({ cameraId: id, errorCode: err.code, reason: err.message }, 'snapshot failed');
      throw new ApiException(
        HttpStatus.SERVICE_UNAVAILABLE,
        ErrorCode.SERVICE_UNAVAILABLE,
        `Camera '${id}' did not deliver a frame: ${err.message}`,
        { cameraId: id, reason: err.code },
      );
    }
    const at = new Date();
    const key = snapshotKey(camera.id, at);
    await this.storage.put(key, frame, { contentType: 'image/jpeg', metadata: { 'camera-id': camera.id } });
    await this.repo.setThumbnailIfNewer(camera.id, key);
    await this.repo.updateHealth(camera.id, { lastSeen: at });
    await this.cameras.invalidateCache();
    const url = await this.storage.presignedGetUrl(key, CAMERA_URL_TTL_SECONDS);
    this.log.info({ cameraId: id, key, bytes: frame.length }, 'snapshot stored');
    return { assetId: key, url, timestamp: at.toISOString() };
  }

  private async withSlot<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await this.limiter.run(task);
    } catch (err) {
      if (err instanceof LimiterBusyError) {
        throw serviceUnavailable('Too many camera probes and snapshots are running; try again shortly', { retryAfterSeconds: 5 });
      }
      throw err;
    }
  }

  private async publishIfChanged(camera: CameraEntity, patch: CameraHealthUpdate): Promise<void> {
    if (!patch.status || patch.status === camera.status) return;
    await this.publisher.publish(cameraStatusEvent(camera.id, patch.status, patch.lastSeen ?? camera.lastSeen));
  }
}
