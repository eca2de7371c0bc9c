import { Injectable } from '@nestjs/common';
import { RedisService, rootLogger } from '@app/core';
import { AlertsService } from '@app/alerts';
import { AttendanceEngine } from '@app/attendance';
import type { CameraEntity } from '@app/cameras';
import type { DetectedFace, FaceAnalysis } from '@app/faces/engine/face-provider';
import { detectionEvent, RealtimePublisher } from '@app/realtime';
import { StorageService } from '@app/storage';
import { REDIS_KEYS, thumbnailKey, UNKNOWN_FACE_ALERT } from '../detections.constants';
import { DetectionsRepository } from '../detections.repository';
import { LiveDetectionsService } from '../live/live-detections.service';
import type { ProviderSettings } from '../provider-settings';
import { cropFace } from './face-crop';
import type { SightingLabel, TrackAction, TrackState } from './sighting-tracker';

export interface SightingSummary {
  detectionId: string;
  trackId: string;
  change: 'new' | 'relabelled';
  status: string;
  personId: string | null;
}

/** The analysed frame a sighting comes from (for its face crop). */
export interface SightingFrame {
  jpeg: Buffer;
  analysis: FaceAnalysis;
}

/**
 * Carries out the sighting tracker's decisions: face crop (thumbnails/{detectionId}.jpg), then the
 * detection row, the live cache and the `detection` event; then the follow-ups, attendance for a
 * recognised employee and the Unknown Face alert (one per camera per cool-down).
 */
@Injectable()
export class SightingRecorder {
  private readonly log = rootLogger().child({ context: 'SightingRecorder' });

  constructor(
    private readonly detections: DetectionsRepository,
    private readonly live: LiveDetectionsService,
    private readonly storage: StorageService,
    private readonly publisher: RealtimePublisher,
    private readonly attendance: AttendanceEngine,
    private readonly alerts: AlertsService,
    private readonly redis: RedisService,
  ) {}

  /**
   * Stores the face crops of the tracks opened on this frame (thumbnails/{detectionId}.jpg) and
   * sets each track's thumbnail to its key, or null when it could not be stored: a track, and the
   * row written from it, only ever names a stored crop.
   */
  async storeCrops(frame: SightingFrame, actions: TrackAction[]): Promise<void> {
    await Promise.all(
      actions.map(async (a) => {
        if (a.type === 'open') {
          a.track.thumbnail = await this.storeThumbnail(a.track.detectionId, frame.jpeg, a.observation.box, frame.analysis);
        }
      }),
    );
  }

  /**
   * Carries out the tracker's row decisions (row, live cache, event); idempotent for a retry (row
   * ids are fixed per track). Returns the summaries and the actions left for followUp (attendance,
   * alerts).
   */
  async apply(camera: CameraEntity, actions: TrackAction[]): Promise<{ sightings: SightingSummary[]; followUps: TrackAction[] }> {
    const sightings: SightingSummary[] = [];
    await Promise.all(
      actions.map(async (a) => {
        if (a.type === 'write') {
          await this.write(camera, a.track, a.label);
          sightings.push(summaryOf(a.track, a.label, 'new'));
        } else if (a.type === 'relabel') {
          await this.relabel(camera, a.track, a.label);
          sightings.push(summaryOf(a.track, a.label, 'relabelled'));
        }
      }),
    );
    return { sightings, followUps: actions.filter((a) => a.type === 'sighting' || a.type === 'stranger') };
  }

  async followUp(camera: CameraEntity, actions: TrackAction[], settings: ProviderSettings): Promise<void> {
    for (const a of actions) {
      if (a.type === 'sighting') await this.handOff(camera, a.track, a.label, a.at);
      else if (a.type === 'stranger') await this.strangerAlert(camera, a.track, settings);
    }
  }

  private async storeThumbnail(
    detectionId: string,
    jpeg: Buffer,
    box: DetectedFace['box'],
    analysis: FaceAnalysis,
  ): Promise<string | null> {
    try {
      const crop = await cropFace(jpeg, box, analysis.width, analysis.height);
      if (!crop) return null;
      const key = thumbnailKey(detectionId);
      await this.storage.put(key, crop, { contentType: 'image/jpeg' });
      return key;
    } catch (err) {
      // A sighting without a picture beats no sighting.
      this.log.warn({ err: (err as Error).message, detectionId }, 'thumbnail not stored');
      return null;
    }
  }

  /** Inserts the sighting (or finds it, written by an attempt that died), then lists and publishes it. */
  private async write(camera: CameraEntity, track: TrackState, label: SightingLabel): Promise<void> {
    const row = await this.detections.insert({
      id: track.detectionId,
      personId: label.personId,
      name: label.name,
      cameraId: camera.id,
      confidence: label.confidence,
      timestamp: new Date(track.firstSeen),
      trackId: track.id,
      boundingBox: roundBox(track.box),
      thumbnail: track.thumbnail ?? null,
      status: label.status,
    });
    const dto = await this.live.render(row);
    await this.publisher.publish(detectionEvent(camera.id, { ...dto }));
    await this.live.push(dto);
  }

  private async relabel(camera: CameraEntity, track: TrackState, label: SightingLabel): Promise<void> {
    const row = await this.detections.relabel(track.detectionId, {
      personId: label.personId,
      name: label.name,
      confidence: label.confidence,
      status: label.status,
    });
    if (!row) return;
    const dto = await this.live.render(row);
    await this.publisher.publish(detectionEvent(camera.id, { ...dto }));
    await this.live.replace(dto);
  }

  /** Attendance for a recognised employee; a failure is logged and retried once (the sighting row stays). */
  private async handOff(camera: CameraEntity, track: TrackState, label: SightingLabel, at: number): Promise<void> {
    if (!label.personId || !label.name) return;
    const sighting = {
      employeeId: label.personId,
      name: label.name,
      department: label.department,
      cameraId: camera.id,
      cameraName: camera.name,
      confidence: label.confidence,
      timestamp: new Date(at),
      thumbnail: track.thumbnail ?? null,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.attendance.recordSighting(sighting);
        return;
      } catch (err) {
        if (attempt >= 2) {
          this.log.error({ err: (err as Error).message, employeeId: label.personId, cameraId: camera.id }, 'attendance hand-off failed');
          return;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** One Unknown Face alert per camera per cool-down (Redis gate shared by every worker). */
  private async strangerAlert(camera: CameraEntity, track: TrackState, settings: ProviderSettings): Promise<void> {
    try {
      if (settings.unknownAlertCooldownSeconds > 0) {
        const gate = await this.redis.client.set(
          REDIS_KEYS.unknownAlertGate(camera.id),
          track.detectionId,
          'EX',
          settings.unknownAlertCooldownSeconds,
          'NX',
        );
        if (gate !== 'OK') return;
      }
      await this.alerts.raise({
        kind: UNKNOWN_FACE_ALERT,
        subject: camera.id,
        title: 'Unknown Face',
        description: `An unrecognised person was seen by ${camera.name} (${camera.location}).`,
        level: 'medium',
        cameraId: camera.id,
        thumbnail: track.thumbnail ?? null,
        tags: [UNKNOWN_FACE_ALERT, camera.id],
      });
    } catch (err) {
      this.log.warn({ err: (err as Error).message, cameraId: camera.id }, 'unknown face alert failed');
    }
  }
}

function summaryOf(track: TrackState, label: SightingLabel, change: SightingSummary['change']): SightingSummary {
  return { detectionId: track.detectionId, trackId: track.id, change, status: label.status, personId: label.personId };
}

function roundBox(b: DetectedFace['box']): DetectedFace['box'] {
  return { top: Math.round(b.top), left: Math.round(b.left), width: Math.round(b.width), height: Math.round(b.height) };
}
