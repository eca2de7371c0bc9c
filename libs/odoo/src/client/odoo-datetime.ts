/**
 * Odoo stores Datetime fields as naive UTC and speaks them over RPC as 'YYYY-MM-DD HH:MM:SS'
 * (no 'T', no zone, no fraction). These helpers are the only place where our Date objects
 * cross that boundary.
 */

const ODOO_DATETIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * Formats a Date as Odoo's naive UTC datetime string. Sub-second precision is dropped
 * (truncated, as Odoo does), so the result always reads back to a whole second.
 * @throws RangeError when the date is invalid or outside years 1..9999.
 */
export function toOdooDatetime(date: Date): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) {
    throw new RangeError('toOdooDatetime: invalid Date');
  }
  const year = date.getUTCFullYear();
  if (year < 1 || year > 9999) {
    throw new RangeError(`toOdooDatetime: year ${year} is outside 1..9999`);
  }
  return (
    `${pad(year, 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  );
}

/**
 * Parses Odoo's naive UTC 'YYYY-MM-DD HH:MM:SS' into a Date (interpreted as UTC).
 * Strict: ISO 'T' separators, zones, fractions and impossible calendar values are refused.
 * @throws RangeError on anything else.
 */
export function fromOdooDatetime(value: string): Date {
  const match = ODOO_DATETIME.exec(value);
  if (!match) {
    throw new RangeError(`fromOdooDatetime: '${value}' is not 'YYYY-MM-DD HH:MM:SS'`);
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  if (year < 1) {
    throw new RangeError(`fromOdooDatetime: '${value}' has year 0`);
  }
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls over out-of-range parts (Feb 30 -> Mar 2); refuse instead.
  // setUTCFullYear keeps years 1..99 from being read as 1901..1999.
  date.setUTCFullYear(year);
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    date.getUTCHours() !== hour ||
    date.getUTCMinutes() !== minute ||
    date.getUTCSeconds() !== second
  ) {
    throw new RangeError(`fromOdooDatetime: '${value}' is not a valid calendar datetime`);
  }
  return date;
}

/** True when the string is a well-formed, valid Odoo datetime. */
export function isOdooDatetime(value: string): boolean {
  try {
    fromOdooDatetime(value);
    return true;
  } catch {
    return false;
  }
}
