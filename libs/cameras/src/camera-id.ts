/** Camera ids: letters, digits, `-` and `_`, starting with a letter or digit, at most 50 characters. */
export const CAMERA_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,49}$/;

/** `CAM-01` .. `CAM-99`, then `CAM-100` and so on (at least two digits). */
export function formatCameraId(n: number): string {
  return `CAM-${String(n).padStart(2, '0')}`;
}

/** The number of a generated-style id (`CAM-07` -> 7), or null for any other id. */
export function parseCameraNumber(id: string): number | null {
  const match = /^CAM-(\d{1,9})$/.exec(id);
  return match ? Number(match[1]) : null;
}
