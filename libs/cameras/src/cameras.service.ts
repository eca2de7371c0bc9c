import { Injectable } from '@nestjs/common';
import { isIP } from 'node:net';
import { EnvDto, MASK, Paginated, badRequest, conflict, notFound, pageWindow, rootLogger, unprocessable } from '@app/core';
import { isUniqueViolation } from '@app/database';
import { StorageService } from '@app/storage';
import { AlertsService } from '@app/alerts';
import { RealtimePublisher, cameraStatusEvent } from '@app/realtime';
import { CamerasRepository } from './cameras.repository';
import { CamerasCache } from './cameras.cache';
import { CameraSecrets } from './camera-secrets';
import { CameraEntity, type CameraStatus, type CameraStreamType, type RtspTransport } from './entities/camera.entity';
import { extractHost, validateStreamUrl, type StreamSource } from './stream/stream-url';
import { dateInZone } from './site-time';
import { CameraDto, CameraStateDto, CameraSummaryDto, CreateCameraDto, ListCamerasQueryDto, UpdateCameraDto } from './dto/camera.dto';

/** Alert kind of a camera that stays offline (subject = camera id). */
export const CAMERA_OFFLINE_ALERT = 'camera_offline';

/** Lifetime of presigned thumbnail / snapshot URLs. */
export const CAMERA_URL_TTL_SECONDS = 3600;

/** Seconds a cached list page may be served (changes to cameras invalidate it at once). */
const LIST_CACHE_SECONDS = 10;
/** Seconds a cached summary may be served (new detections do not invalidate it). */
const SUMMARY_CACHE_SECONDS = 5;

/** A camera and what ffmpeg needs to read it (the DECRYPTED URL: never log or return it). */
export interface CameraStreamSource {
  camera: CameraEntity;
  source: StreamSource;
}

/** The stream URL a request asked for, after the masked-URL rule: `plain` is set when it changes. */
interface ResolvedUrl {
  plain: string | null;
  changed: boolean;
}

/**
 * The camera registry: CRUD, state, daily summary, and stream sources for the sampler.
 * Stream URLs are encrypted at rest (CameraSecrets) and only ever returned masked.
 */
@Injectable()
export class CamerasService {
  private readonly log = rootLogger().child({ context: 'CamerasService' });
  private readonly siteTimeZone: string;

  constructor(
    private readonly repo: CamerasRepository,
    private readonly secrets: CameraSecrets,
    private readonly storage: StorageService,
    private readonly alerts: AlertsService,
    private readonly publisher: RealtimePublisher,
    private readonly cache: CamerasCache,
    env: EnvDto,
  ) {
    this.siteTimeZone = env.SITE_TIMEZONE;
  }

  // ------------------------------------------------------------------ for the detection sampler

  /**
   * A live camera and its stream source with the decrypted URL, for ffmpeg only. 404 when the camera
   * does not exist or was deleted; 422 when it has no stream URL.
   */
  async getStreamSource(cameraId: string): Promise<CameraStreamSource> {
    const camera = await this.repo.findById(cameraId);
    if (!camera) throw notFound('Camera', cameraId);
    return { camera, source: this.streamSourceOf(camera) };
  }

  /** The stream source of a camera already loaded (the URL decrypted). 422 when it has none. */
  streamSourceOf(camera: CameraEntity): StreamSource {
    const url = this.secrets.open(camera.streamUrl);
    if (!url) throw unprocessable(`Camera '${camera.id}' has no stream URL`);
    return { type: camera.streamType, url, rtspTransport: camera.rtspTransport };
  }

  /** Cameras to sample for detection: enabled, sampling on, not deleted, not in maintenance. */
  listSamplingCameras(): Promise<CameraEntity[]> {
    return this.repo.listSampling();
  }

  /** A live camera entity, or null (deleted or unknown). */
  findCamera(cameraId: string): Promise<CameraEntity | null> {
    return this.repo.findById(cameraId);
  }

  // ------------------------------------------------------------------ registry

  /** A page of live cameras (served from a 10 s Redis cache that every camera change invalidates). */
  async list(q: ListCamerasQueryDto): Promise<Paginated<CameraDto>> {
    const { page, pageSize, skip, take } = pageWindow(q);
    const filter = {
      status: q.status as CameraStatus | undefined,
      streamType: q.streamType as CameraStreamType | undefined,
      enabled: q.enabled,
      search: q.search || undefined,
    };
    const cacheKey = `list:${JSON.stringify([filter.status, filter.streamType, filter.enabled, filter.search, page, pageSize])}`;
    const cached = await this.cache.read(cacheKey, LIST_CACHE_SECONDS, async () => {
      const [rows, total] = await this.repo.list({ ...filter, skip, take });
      return { items: await this.toDtos(rows), total };
    });
    return Paginated.of(cached.items, cached.total, page, pageSize);
  }

  async get(id: string): Promise<CameraDto> {
    return this.toDto(await this.mustFind(id));
  }

  async create(dto: CreateCameraDto): Promise<CameraDto> {
    if (dto.id) await this.assertIdFree(dto.id);
    const url = this.resolveUrl(dto.streamType as CameraStreamType, dto.streamUrl, null);
    const data = this.newCameraData(dto, url.plain as string);
    try {
      const camera = await this.repo.insert(data);
      await this.cache.invalidate();
      this.log.info({ cameraId: camera.id, streamType: camera.streamType, url: camera.streamUrlMasked }, 'camera created');
      return this.toDto(camera);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`A camera with id '${dto.id}' already exists`);
      throw err;
    }
  }

  async update(id: string, dto: UpdateCameraDto): Promise<CameraDto> {
    const camera = await this.mustFind(id);
    const type = (dto.streamType ?? camera.streamType) as CameraStreamType;
    const url = this.resolveUrl(type, dto.streamUrl, camera);
    const before = monitoringOf(camera);
    this.applyFields(camera, dto, url);
    const saved = await this.repo.save(camera);
    await this.afterMonitoringChange(saved, before);
    await this.cache.invalidate();
    this.log.info({ cameraId: id, fields: Object.keys(dto), streamUrlChanged: url.changed }, 'camera updated');
    return this.toDto(saved);
  }

  /** Enable or disable a camera. A disabled camera is not probed or sampled; it is shown offline. */
  async setState(id: string, dto: CameraStateDto): Promise<CameraDto> {
    const camera = await this.mustFind(id);
    const before = monitoringOf(camera);
    camera.enabled = dto.enabled;
    const saved = await this.repo.save(camera);
    await this.afterMonitoringChange(saved, before);
    await this.cache.invalidate();
    return this.toDto(saved);
  }

  /**
   * Soft delete: the camera disappears from lists and GET answers 404, while detections, attendance
   * and alerts keep their camera_id (and camera_name) and their joins keep working. Its id is never
   * reused. Its open offline alert is resolved; its snapshots stay in storage.
   */
  async remove(id: string): Promise<void> {
    if (!(await this.repo.softDelete(id))) throw notFound('Camera', id);
    await this.cache.invalidate();
    await this.alerts.resolve(CAMERA_OFFLINE_ALERT, id);
    this.log.info({ cameraId: id }, 'camera deleted');
  }

  /** Today's figures per live camera (site time zone): detections, unknown faces, watchdog uptime. */
  async summary(now = new Date()): Promise<CameraSummaryDto[]> {
    const date = dateInZone(now, this.siteTimeZone);
    return this.cache.read(`summary:${date}`, SUMMARY_CACHE_SECONDS, () => this.computeSummary(date));
  }

  private async computeSummary(date: string): Promise<CameraSummaryDto[]> {
    const rows = await this.repo.summaries(date, this.siteTimeZone);
    return rows.map((r) => ({
      id: r.id,
      detectionsToday: r.detectionsToday,
      unknownFaces: r.unknownFaces,
      uptimePercent: r.totalChecks > 0 ? Math.round((10000 * r.onlineChecks) / r.totalChecks) / 100 : 0,
      uptimeSamples: r.totalChecks,
    }));
  }

  /** After a change made elsewhere (probes, snapshots, import, watchdog): reads show it at once. */
  invalidateCache(): Promise<void> {
    return this.cache.invalidate();
  }

  /**
   * Updates last_seen (the sampler got a frame); status transitions are the watchdog's. Cached reads
   * show it within their TTL (frames arrive too often to invalidate on each).
   */
  async markSeen(cameraId: string, at = new Date()): Promise<void> {
    await this.repo.updateHealth(cameraId, { lastSeen: at });
  }

  // ------------------------------------------------------------------ shared with import, probes

  async mustFind(id: string): Promise<CameraEntity> {
    const camera = await this.repo.findById(id);
    if (!camera) throw notFound('Camera', id);
    return camera;
  }

  /** 409 when the id is taken by a live camera or by a deleted one (whose history keeps the id). */
  async assertIdFree(id: string): Promise<void> {
    const existing = await this.repo.findByIdWithDeleted(id);
    if (!existing) return;
    if (existing.deletedAt) {
      throw conflict(`Camera id '${id}' belonged to a deleted camera whose history still refers to it; choose another id`);
    }
    throw conflict(`A camera with id '${id}' already exists`);
  }

  /**
   * The URL a create or update asks for. Omitted, or sent back masked and unchanged: the stored one
   * is kept (a client cannot know the password), and not even decrypted unless the stream type
   * changes and it has to be checked against the new one. Any other URL containing the mask is
   * refused; a new URL is validated against the stream type. Throws 400 naming `streamUrl` (the
   * message never echoes the URL).
   */
  resolveUrl(type: CameraStreamType, incoming: string | undefined, camera: CameraEntity | null): ResolvedUrl {
    const message = this.urlProblem(type, incoming, camera);
    if (message) throw badRequest(`Invalid input: streamUrl ${message}`, [{ field: 'streamUrl', issue: message }]);
    return keepsStoredUrl(incoming, camera) ? { plain: null, changed: false } : { plain: incoming ?? null, changed: true };
  }

  /** The problem with a requested URL, or null (see resolveUrl). */
  urlProblem(type: CameraStreamType, incoming: string | undefined, camera: CameraEntity | null): string | null {
    if (keepsStoredUrl(incoming, camera)) {
      return camera && type !== camera.streamType ? validateStreamUrl(type, this.secrets.open(camera.streamUrl)) : null;
    }
    if (incoming !== undefined && incoming.includes(MASK)) {
      return camera?.streamUrl
        ? 'still contains the *** mask: enter the full URL with its password, or send the masked URL unchanged to keep the stored one'
        : 'contains the *** mask: the password is not known, enter the full URL';
    }
    return validateStreamUrl(type, incoming);
  }

  /** Column values of a new camera (the URL encrypted). */
  newCameraData(dto: CreateCameraDto, plainUrl: string): Partial<CameraEntity> {
    const sealed = this.secrets.seal(plainUrl);
    return {
      ...(dto.id ? { id: dto.id } : {}),
      name: dto.name,
      location: dto.location,
      streamType: dto.streamType as CameraStreamType,
      ...sealed,
      enabled: dto.enabled ?? true,
      ipAddress: dto.ipAddress !== undefined ? dto.ipAddress : hostIp(plainUrl),
      tags: dto.tags ?? [],
      rtspTransport: (dto.rtspTransport ?? 'tcp') as RtspTransport,
      sampleIntervalMs: dto.sampleIntervalMs ?? 2000,
      samplingEnabled: dto.samplingEnabled ?? true,
      timezone: dto.timezone ?? null,
      status: (dto.status ?? 'offline') as CameraStatus,
    };
  }

  /** Applies an update to a loaded camera (URL already resolved and validated). */
  applyFields(camera: CameraEntity, dto: UpdateCameraDto, url: ResolvedUrl): void {
    if (dto.name !== undefined) camera.name = dto.name;
    if (dto.location !== undefined) camera.location = dto.location;
    if (dto.streamType !== undefined) camera.streamType = dto.streamType as CameraStreamType;
    if (url.changed) {
      const oldHost = camera.streamUrlMasked ? extractHost(camera.streamUrlMasked) : null;
      Object.assign(camera, this.secrets.seal(url.plain));
      // A new host brings its IP (or none); the same host keeps what was set.
      if (dto.ipAddress === undefined && (url.plain ? extractHost(url.plain) : null) !== oldHost) camera.ipAddress = hostIp(url.plain);
    }
    if (dto.enabled !== undefined) camera.enabled = dto.enabled;
    if (dto.ipAddress !== undefined) camera.ipAddress = dto.ipAddress;
    if (dto.tags !== undefined) camera.tags = dto.tags;
    if (dto.rtspTransport !== undefined) camera.rtspTransport = dto.rtspTransport as RtspTransport;
    if (dto.sampleIntervalMs !== undefined) camera.sampleIntervalMs = dto.sampleIntervalMs;
    if (dto.samplingEnabled !== undefined) camera.samplingEnabled = dto.samplingEnabled;
    if (dto.timezone !== undefined) camera.timezone = dto.timezone;
    if (dto.status !== undefined && dto.status !== camera.status) {
      // Leaving maintenance: offline until a probe says otherwise.
      if (dto.status === 'maintenance' || camera.status === 'maintenance') camera.status = dto.status as CameraStatus;
    }
  }

  /**
   * After an operator's change: a camera taken out of monitoring (disabled, or put in maintenance)
   * has its offline episode closed and its offline alert resolved, and a disabled camera is shown
   * offline (nobody checks it any more). A status change is published on `camera-status`.
   */
  async afterMonitoringChange(camera: CameraEntity, before: MonitoringState): Promise<void> {
    if (before.watched && !monitoringOf(camera).watched) {
      const patch: Partial<CameraEntity> = { offlineSince: null };
      if (!camera.enabled && camera.status === 'online') patch.status = 'offline';
      await this.repo.updateHealth(camera.id, patch);
      Object.assign(camera, patch);
      await this.alerts.resolve(CAMERA_OFFLINE_ALERT, camera.id);
    }
    if (camera.status !== before.status) {
      await this.publisher.publish(cameraStatusEvent(camera.id, camera.status, camera.lastSeen));
    }
  }

  // ------------------------------------------------------------------ views

  async toDto(camera: CameraEntity): Promise<CameraDto> {
    return (await this.toDtos([camera]))[0];
  }

  async toDtos(cameras: CameraEntity[]): Promise<CameraDto[]> {
    return Promise.all(
      cameras.map(async (c) => ({
        id: c.id,
        name: c.name,
        location: c.location,
        streamType: c.streamType,
        status: c.status,
        fps: c.fps,
        latency: c.latency,
        bitrate: c.bitrate,
        resolution: c.resolution,
        lastSeen: c.lastSeen ? c.lastSeen.toISOString() : null,
        ipAddress: c.ipAddress,
        tags: c.tags ?? [],
        thumbnail: await this.thumbnailUrl(c),
        streamUrl: c.streamUrlMasked,
        lastChecked: c.lastChecked ? c.lastChecked.toISOString() : null,
        enabled: c.enabled,
        rtspTransport: c.rtspTransport,
        sampleIntervalMs: c.sampleIntervalMs,
        samplingEnabled: c.samplingEnabled,
        timezone: c.timezone,
        codec: c.codec,
        createdAt: c.createdAt.toISOString(),
        updatedAt: c.updatedAt.toISOString(),
      })),
    );
  }

  private async thumbnailUrl(camera: CameraEntity): Promise<string | null> {
    if (!camera.thumbnail) return null;
    try {
      return await this.storage.presignedGetUrl(camera.thumbnail, CAMERA_URL_TTL_SECONDS);
    } catch (err) {
      this.log.warn({ cameraId: camera.id, err: (err as Error).message }, 'thumbnail URL could not be signed');
      return null;
    }
  }
}

/** Whether the watchdog checks a camera, and its status (before a change, to compare). */
export interface MonitoringState {
  watched: boolean;
  status: CameraStatus;
}

export function monitoringOf(camera: CameraEntity): MonitoringState {
  return { watched: camera.enabled && camera.status !== 'maintenance', status: camera.status };
}

/** True when a request keeps the stored URL: it sent none, or the masked one unchanged. */
function keepsStoredUrl(incoming: string | undefined, camera: CameraEntity | null): boolean {
  return camera !== null && (incoming === undefined || incoming === camera.streamUrlMasked);
}

/** The URL's host when it is an IP address (for ip_address), else null. */
function hostIp(url: string | null): string | null {
  if (!url) return null;
  const host = extractHost(url);
  return host && isIP(host) ? host : null;
}
