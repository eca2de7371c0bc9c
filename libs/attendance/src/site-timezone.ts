import { EnvDto, rootLogger } from '@app/core';
import { isValidTimeZone } from './time/zoned-time';

let warned = false;

/** The site timezone (SITE_TIMEZONE), or UTC (logged once) when it is not a zone this runtime knows. */
export function siteTimezone(env: EnvDto): string {
  if (isValidTimeZone(env.SITE_TIMEZONE)) return env.SITE_TIMEZONE;
  if (!warned) {
    warned = true;
    rootLogger().warn({ SITE_TIMEZONE: env.SITE_TIMEZONE }, 'SITE_TIMEZONE is not a known IANA zone: using UTC');
  }
  return 'UTC';
}
