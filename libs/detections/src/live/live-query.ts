import { CAMERA_ID_PATTERN } from '@app/cameras/camera-id';
import { LIVE_LIST_CAP } from '../detections.constants';

const DEFAULT_LIMIT = 20;

/** The query of a canonical request ({cameraId?, limit?} and nothing else, no padding), or null. */
export function parseLiveQuery(query: unknown): { cameraId: string | null; limit: number } | null {
  if (typeof query !== 'object' || query === null) return null;
  let cameraId: string | null = null;
  let limit = DEFAULT_LIMIT;
  for (const [key, value] of Object.entries(query as Record<string, unknown>)) {
    if (typeof value !== 'string') return null;
    if (key === 'cameraId') {
      if (!CAMERA_ID_PATTERN.test(value)) return null;
      cameraId = value;
    } else if (key === 'limit') {
      if (!/^\d{1,3}$/.test(value)) return null;
      limit = Number(value);
      if (limit < 1 || limit > LIVE_LIST_CAP) return null;
    } else {
      return null;
    }
  }
  return { cameraId, limit };
}
