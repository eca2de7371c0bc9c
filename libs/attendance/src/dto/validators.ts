import { registerDecorator, ValidationOptions } from 'class-validator';
import { isCalendarDate, isValidTimeZone } from '../time/zoned-time';

export const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/** 'YYYY-MM-DD' and a real calendar date. */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `${String(propertyName)} must be a date YYYY-MM-DD`, ...options },
      validator: { validate: (v: unknown) => isCalendarDate(v) },
    });
}

/** An IANA timezone name known to this runtime (e.g. Europe/Berlin, Asia/Kathmandu, UTC). */
export function IsTimeZone(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isTimeZone',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `${String(propertyName)} must be an IANA timezone such as Europe/Berlin`, ...options },
      validator: { validate: (v: unknown) => isValidTimeZone(v) },
    });
}

/** Wall-clock time 'HH:MM' or 'HH:MM:SS' (00:00 .. 23:59:59). */
export const WALL_CLOCK = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;

/** ISO-8601 instant with an explicit offset or Z (a bare local time would be ambiguous). */
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/;
