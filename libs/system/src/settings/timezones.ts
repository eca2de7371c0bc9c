/** IANA time zone names of this runtime (Intl), plus `UTC`. */

const NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,49}$/;
let cached: string[] | undefined;

export function supportedTimeZones(): string[] {
  cached ??= [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])].sort();
  return cached;
}

/** The canonical name of a zone the runtime knows (aliases like `US/Eastern` resolve), else null. */
export function canonicalTimeZone(name: string): string | null {
  if (typeof name !== 'string' || !NAME.test(name)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Offset of a zone at `at`, as `+05:30` and in minutes. */
export function zoneOffset(timeZone: string, at: Date): { offset: string; minutes: number } {
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(part ?? '');
  if (!m) return { offset: '+00:00', minutes: 0 };
  const minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  return { offset: `${m[1]}${m[2]}:${m[3]}`, minutes };
}
