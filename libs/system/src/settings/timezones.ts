/** IANA time zone names of this runtime (Intl), plus `UTC`. */

const NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,49}$/;
let cached: string[] | undefined;

export function supportedTimeZones(): string[] {
  cached ??= [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])].sort();
  return cached;
}

/**
 * The zone name to store for `name`, or null when the runtime does not know it: a listed zone in
 * its listed spelling (case fixed: `europe/paris` -> `Europe/Paris`); another name the runtime
 * accepts (IANA aliases such as `US/Eastern`, `Asia/Kolkata`) as given.
 */
export function canonicalTimeZone(name: string): string | null {
  if (typeof name !== 'string' || !NAME.test(name)) return null;
  const lower = name.toLowerCase();
  const listed = supportedTimeZones().find((z) => z.toLowerCase() === lower);
  if (listed) return listed;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name;
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
