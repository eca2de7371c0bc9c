import type { LiveDetectionDto } from '../dto/detection.dto';
import type { DetectionEntity } from '../entities/detection.entity';

/** The API shape of a detection row; `thumbnailUrl` is the presigned URL of its crop (or null). */
export function toLiveDetectionDto(row: DetectionEntity, thumbnailUrl: string | null): LiveDetectionDto {
  return {
    id: row.id,
    personId: row.personId,
    name: row.name,
    cameraId: row.cameraId,
    confidence: row.confidence,
    timestamp: row.timestamp.toISOString(),
    trackId: row.trackId,
    boundingBox: row.boundingBox
      ? { top: row.boundingBox.top, left: row.boundingBox.left, width: row.boundingBox.width, height: row.boundingBox.height }
      : null,
    thumbnail: thumbnailUrl,
    status: row.status,
  };
}

/**
 * The rendered form stored in the live cache. It starts with `{"id":"<id>"` (property order of
 * toLiveDetectionDto), which is what the cache's replace script looks for.
 */
export function renderLiveDetection(dto: LiveDetectionDto): string {
  return JSON.stringify(dto);
}

export const liveItemPrefix = (id: string): string => `{"id":${JSON.stringify(id)}`;
