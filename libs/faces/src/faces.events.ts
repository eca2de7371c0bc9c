/**
 * The Redis pub/sub event every process hears when the registry changes. It is both the
 * invalidation of the in-memory matchers (FaceIndexService reloads the named profile from the
 * database) and the feed an external provider sync follows (enrol at / forget from CompreFace...).
 *
 * Channel: `<REDIS_PREFIX>:faces:changed` (RedisService.channel(FACES_CHANGED_CHANNEL)).
 * Published after the database change committed, so a listener reading the database sees it.
 */
export const FACES_CHANGED_CHANNEL = 'faces:changed';

export const FACE_CHANGE_ACTIONS = ['enrolled', 'updated', 'erased'] as const;
export type FaceChangeAction = (typeof FACE_CHANGE_ACTIONS)[number];

export interface FacesChangedEvent {
  /**
   * enrolled: a profile was created or got new images/embeddings;
   * updated: name/department/status/notes changed, or an image was removed;
   * erased: the profile and all its biometric data are gone.
   */
  action: FaceChangeAction;
  profileId: string;
  employeeId: string;
  /** Previous employeeId when an update changed it (a provider gallery must rename/forget it). */
  previousEmployeeId?: string;
  /** Process that published it (its own listener may skip work it already did). */
  origin?: string;
  at: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A FacesChangedEvent from a raw message, or null when it is malformed. */
export function parseFacesChangedEvent(raw: string): FacesChangedEvent | null {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const e = v as Record<string, unknown>;
  if (!(FACE_CHANGE_ACTIONS as readonly unknown[]).includes(e.action)) return null;
  if (typeof e.profileId !== 'string' || !UUID.test(e.profileId)) return null;
  if (typeof e.employeeId !== 'string' || e.employeeId.length === 0 || e.employeeId.length > 50) return null;
  return {
    action: e.action as FaceChangeAction,
    profileId: e.profileId,
    employeeId: e.employeeId,
    ...(typeof e.previousEmployeeId === 'string' ? { previousEmployeeId: e.previousEmployeeId } : {}),
    ...(typeof e.origin === 'string' ? { origin: e.origin } : {}),
    at: typeof e.at === 'string' ? e.at : new Date().toISOString(),
  };
}
