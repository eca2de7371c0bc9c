const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (`YYYY-MM-DD`) of `at` in an IANA time zone. */
export function dateInZone(at: Date, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Snapshot key part: 2025-11-05T10-30-00-123Z (no colons, sorts by time). */
export function timestampKey(at: Date): string {
  return at.toISOString().replace(/:/g, '-').replace('.', '-');
}
