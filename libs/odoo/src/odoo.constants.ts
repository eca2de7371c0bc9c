/**
 * Tuning of the Odoo sync. Fixed here rather than in env or the database: they follow from Odoo's
 * behaviour and the spec (batches of 100, 5 attempts, every 30 minutes), not from a site's choices.
 * The per-site settings (URL, credentials, matching field, protocol, alert threshold, auto sync)
 * live in odoo_config.
 */
export interface OdooSyncSettings {
  /** Attendance logs handled per batch (one employee lookup, one probe and one create call each). */
  batchSize: number;
  /** Attempts of one Odoo call on transport errors and 5xx before the run gives up. */
  retryAttempts: number;
  /** First retry delay; doubled on each attempt (with jitter), capped by retryMaxDelayMs. */
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /**
   * An open attendance already in Odoo whose check_in is this close to the log's is the same
   * presence (a kiosk check-in, an earlier sync) and is adopted instead of closed.
   */
  adoptToleranceMs: number;
  /** Employee look-ups (found or not) are cached in Redis this long. */
  employeeCacheSeconds: number;
  /** The run lock expires this long after its last renewal (a killed worker frees it by itself). */
  lockTtlMs: number;
  lockRenewMs: number;
  /** check_out writes in flight at once (each is one call to a different record). */
  writeConcurrency: number;
  /** Logs one run takes on at most; the rest is left for the next run. */
  maxLogsPerRun: number;
  /** Use one `create` call per batch (list of vals). false = one call per log (benchmark baseline). */
  batchCreate: boolean;
}

export const DEFAULT_SYNC_SETTINGS: Readonly<OdooSyncSettings> = {
  batchSize: 100,
  retryAttempts: 5,
  retryBaseDelayMs: 500,
  retryMaxDelayMs: 8000,
  adoptToleranceMs: 15 * 60_000,
  employeeCacheSeconds: 300,
  lockTtlMs: 15_000,
  lockRenewMs: 5_000,
  writeConcurrency: 4,
  maxLogsPerRun: 100_000,
  batchCreate: true,
};

/** BullMQ job scheduler of the automatic sync: at :00 and :30 of every hour; the job checks autoSync. */
export const ODOO_AUTO_SYNC_SCHEDULER = 'odoo-auto-sync';
export const ODOO_AUTO_SYNC_PATTERN = '*/30 * * * *';

/** A manual sync that finds another one running is put back in the queue for this long. */
export const ODOO_BUSY_RETRY_DELAY_MS = 5_000;

/** Alert kind and subject of sync failures (one open alert at a time). */
export const ODOO_ALERT_KIND = 'odoo_sync_failures';
export const ODOO_ALERT_SUBJECT = 'odoo';
