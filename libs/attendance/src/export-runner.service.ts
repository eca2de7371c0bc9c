import { Injectable } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvDto, rootLogger } from '@app/core';
import { NotificationsService } from '@app/alerts';
import { StorageService } from '@app/storage';
import { StorageTimeoutError, StorageUnavailableError } from '@app/storage';
import {
  ChromiumClient,
  ReportRenderError,
  CsvFileWriter,
  footerTemplate,
  headerTemplate,
  tableReportHead,
  tableReportRow,
  tableReportTail,
} from '@app/reports';
import { AttendanceRepository, ExportLogRow, LogFilter } from './attendance.repository';
import { ExportsRepository } from './exports.repository';
import { Clock } from './clock';
import { siteTimezone } from './site-timezone';
import { EXPORT_TTL_SECONDS, exportFileName } from './exports.service';
import type { ExportJobEntity } from './entities/export-job.entity';
import { localDate, localTime } from './time/zoned-time';
import { ATTENDANCE_STATUSES, LOG_SOURCES, ODOO_STATUSES } from './dto/attendance.dto';

/** An export that can never succeed (retrying is pointless): the processor fails the job at once. */
export class ExportRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportRejectedError';
  }
}

/** The attempt ran past EXPORT_TIMEOUT_SECONDS. */
export class ExportTimeoutError extends Error {
  constructor(seconds: number) {
    super(`The export took longer than ${seconds} s (EXPORT_TIMEOUT_SECONDS)`);
    this.name = 'ExportTimeoutError';
  }
}

/** What the requester is told about a failure: our own errors verbatim, anything else generically. */
export function publicFailureMessage(err: unknown): string {
  if (err instanceof ExportRejectedError || err instanceof ExportTimeoutError || err instanceof ReportRenderError) return err.message;
  if (err instanceof StorageUnavailableError || err instanceof StorageTimeoutError) return 'The file store did not answer';
  return 'Internal error while producing the export';
}

export interface ExportRunResult {
  exportId: string;
  status: 'completed' | 'missing';
  rowCount?: number;
  bytes?: number;
  /** true when an earlier run had already completed it (nothing rewritten). */
  alreadyCompleted?: boolean;
}

export type ProgressReporter = (percent: number) => Promise<void>;

const BATCH = 1000;
/** The minio client's default part size: up to it, an upload is one PUT of a buffered body. */
const SINGLE_PUT_MAX_BYTES = 64 * 1024 * 1024;
const CSV_COLUMNS = [
  'id',
  'employeeId',
  'name',
  'department',
  'date',
  'timeIn',
  'timeOut',
  'cameraId',
  'cameraName',
  'accuracy',
  'status',
  'odooStatus',
  'source',
  'note',
];
const PDF_COLUMNS = ['Log', 'Employee', 'Name', 'Department', 'Date', 'In', 'Out', 'Camera', 'Accuracy', 'Status', 'Odoo', 'Source'];
const PDF_NUMERIC = [8];
const FILTER_LABELS: Array<[keyof LogFilter, string]> = [
  ['search', 'Search'],
  ['cameraId', 'Camera'],
  ['dateFrom', 'From'],
  ['dateTo', 'To'],
  ['status', 'Status'],
  ['odooStatus', 'Odoo status'],
  ['source', 'Source'],
];

const csvCells = (r: ExportLogRow): unknown[] => [
  r.id,
  r.employee_id,
  r.name,
  r.department,
  r.date,
  r.time_in,
  r.time_out,
  r.camera_id,
  r.camera_name,
  r.accuracy,
  r.status,
  r.odoo_status,
  r.source,
  r.note,
];

const pdfCells = (r: ExportLogRow): unknown[] => [
  r.id,
  r.employee_id,
  r.name,
  r.department ?? '',
  r.date,
  r.time_in ?? '',
  r.time_out ?? '',
  r.camera_name ?? r.camera_id ?? '',
  r.accuracy === null ? '' : Number(r.accuracy).toFixed(1),
  r.status,
  r.odoo_status,
  r.source,
];

/** The stored filters of an export, re-checked (they come from the database, not from a request). */
export function filterFromStored(stored: Record<string, unknown> | null): LogFilter {
  const f: LogFilter = {};
  const str = (k: string, max = 100): string | undefined => {
    const v = stored?.[k];
    return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
  };
  const oneOf = <T extends string>(k: string, allowed: readonly T[]): T | undefined => {
    const v = str(k);
    return v && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
  };
  f.search = str('search');
  f.cameraId = str('cameraId', 50);
  f.dateFrom = str('dateFrom', 10);
  f.dateTo = str('dateTo', 10);
  f.status = oneOf('status', ATTENDANCE_STATUSES);
  f.odooStatus = oneOf('odooStatus', ODOO_STATUSES);
  f.source = oneOf('source', LOG_SOURCES);
  return f;
}

/**
 * Produces an attendance export (worker side). CSV: rows streamed from a database cursor to a temp
 * file (memory flat whatever the row count), then uploaded with its size. PDF: an HTML report (title,
 * filters, summary, rows; page numbers in the header and footer) printed by headless Chromium.
 * The file goes to exports/attendance/{id}.{csv|pdf}; a rerun (retry, restarted worker) overwrites
 * it and completes the same export row once; the requester is notified once.
 */
@Injectable()
export class ExportRunner {
  private readonly log = rootLogger().child({ context: 'ExportRunner' });

  constructor(
    private readonly exports: ExportsRepository,
    private readonly logs: AttendanceRepository,
    private readonly storage: StorageService,
    private readonly chromium: ChromiumClient,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
    private readonly env: EnvDto,
  ) {}

  async run(exportId: string, progress: ProgressReporter): Promise<ExportRunResult> {
    const row = await this.exports.findById(exportId);
    if (!row) return { exportId, status: 'missing' };
    if (row.status === 'completed') return { exportId, status: 'completed', rowCount: row.rowCount ?? 0, alreadyCompleted: true };
    if (!(await this.exports.start(exportId))) return { exportId, status: 'completed', alreadyCompleted: true };
    const deadline = Date.now() + this.env.EXPORT_TIMEOUT_SECONDS * 1000;
    const filter = filterFromStored(row.filters);
    const total = await this.logs.countLogs(filter);
    if (row.format === 'pdf' && total > this.env.EXPORT_PDF_MAX_ROWS) {
      throw new ExportRejectedError(`A PDF export holds at most ${this.env.EXPORT_PDF_MAX_ROWS} rows (${total} match): export CSV instead`);
    }
    const report = throttled(async (p) => {
      await this.exports.progress(exportId, p);
      await progress(p);
    });
    await report(1, true);
    const key = `exports/attendance/${exportId}.${row.format}`;
    const result =
      row.format === 'csv'
        ? await this.writeCsv(row, filter, total, key, deadline, report)
        : await this.writePdf(row, filter, total, key, deadline, report);
    const expiresAt = new Date(this.clock.now().getTime() + EXPORT_TTL_SECONDS * 1000);
    const downloadUrl = await this.storage.presignedGetUrl(key, EXPORT_TTL_SECONDS, { downloadName: exportFileName(row) });
    const completedNow = await this.exports.complete(exportId, { s3Key: key, rowCount: result.rows, downloadUrl, expiresAt });
    await progress(100);
    if (completedNow && row.userId) {
      await this.notifications
        .notify({
          userId: row.userId,
          title: 'Attendance export ready',
          message: `Your ${row.format.toUpperCase()} export (${result.rows} rows) is ready to download for 7 days.`,
          level: 'info',
          link: `/api/v1/exports/${exportId}`,
          source: 'exports',
        })
        .catch((err: unknown) => this.log.warn({ exportId, err: (err as Error).message }, 'export notification failed'));
    }
    this.log.info({ exportId, format: row.format, rows: result.rows, bytes: result.bytes }, 'export completed');
    return { exportId, status: 'completed', rowCount: result.rows, bytes: result.bytes, alreadyCompleted: !completedNow };
  }

  /** Records a failed attempt; on the last one the export is 'failed' and its requester is told. */
  async failed(exportId: string, err: unknown, final: boolean): Promise<void> {
    this.log.warn({ exportId, final, err: err instanceof Error ? err.message : String(err) }, 'export attempt failed');
    const message = publicFailureMessage(err);
    const changed = await this.exports.fail(exportId, message, final);
    if (!final || !changed) return;
    const row = await this.exports.findById(exportId);
    if (!row?.userId) return;
    await this.notifications
      .notify({
        userId: row.userId,
        title: 'Attendance export failed',
        message: `Your ${row.format.toUpperCase()} export could not be produced: ${message}`,
        level: 'warning',
        link: `/api/v1/exports/${exportId}`,
        source: 'exports',
      })
      .catch((e: unknown) => this.log.warn({ exportId, err: (e as Error).message }, 'export failure notification failed'));
  }

  private async writeCsv(
    row: ExportJobEntity,
    filter: LogFilter,
    total: number,
    key: string,
    deadline: number,
    report: ThrottledReporter,
  ): Promise<{ rows: number; bytes: number }> {
    const dir = await mkdtemp(join(tmpdir(), 'cctv-export-'));
    const path = join(dir, `${row.id}.csv`);
    const writer = new CsvFileWriter(path);
    try {
      await writer.writeRows([CSV_COLUMNS]);
      let done = 0;
      const rows = await this.logs.streamLogs(filter, BATCH, async (batch) => {
        checkDeadline(deadline, this.env.EXPORT_TIMEOUT_SECONDS);
        await writer.writeRows(batch.map(csvCells));
        done += batch.length;
        await report(1 + (90 * done) / Math.max(total, done, 1));
      });
      const bytes = await writer.close();
      checkDeadline(deadline, this.env.EXPORT_TIMEOUT_SECONDS);
      // The S3 client buffers a body up to its part size (64 MiB) to sign it: hand it the file as one
      // buffer (one copy instead of chunks + concat); bigger files go as a stream (multipart parts).
      const body = bytes <= SINGLE_PUT_MAX_BYTES ? await readFile(path) : createReadStream(path);
      await this.storage.put(key, body, { contentType: 'text/csv; charset=utf-8', size: bytes });
      await report(98, true);
      return { rows, bytes };
    } finally {
      writer.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async writePdf(
    row: ExportJobEntity,
    filter: LogFilter,
    total: number,
    key: string,
    deadline: number,
    report: ThrottledReporter,
  ): Promise<{ rows: number; bytes: number }> {
    const tz = siteTimezone(this.env);
    const now = this.clock.now();
    const parts: string[] = [];
    const counts = { present: 0, late: 0, missed: 0, manual: 0 };
    const people = new Set<string>();
    let done = 0;
    const rows = await this.logs.streamLogs(filter, BATCH, async (batch) => {
      checkDeadline(deadline, this.env.EXPORT_TIMEOUT_SECONDS);
      for (const r of batch) {
        if (r.status === 'present' || r.status === 'late' || r.status === 'missed') counts[r.status]++;
        if (r.source === 'manual') counts.manual++;
        people.add(r.employee_id);
        parts.push(tableReportRow(pdfCells(r), PDF_NUMERIC));
      }
      done += batch.length;
      await report(1 + (50 * done) / Math.max(total, done, 1));
    });
    const title = 'Attendance report';
    const generated = `${localDate(now, tz)} ${localTime(now, tz)} (${tz})`;
    const head = tableReportHead({
      title,
      subtitle: `Generated ${generated} · ${rows} rows · export ${row.id}`,
      filters: FILTER_LABELS.filter(([k]) => filter[k]).map(([k, label]) => [label, String(filter[k])]),
      summary: [
        ['Rows', rows],
        ['People', people.size],
        ['Present', counts.present],
        ['Late', counts.late],
        ['Missed', counts.missed],
        ['Manual entries', counts.manual],
      ],
      columns: PDF_COLUMNS,
      numericColumns: PDF_NUMERIC,
    });
    const html = head + parts.join('') + tableReportTail(rows, PDF_COLUMNS.length);
    parts.length = 0;
    await report(55, true);
    const remaining = deadline - Date.now();
    if (remaining <= 1000) checkDeadline(0, this.env.EXPORT_TIMEOUT_SECONDS);
    const pdf = await this.chromium.renderPdf(html, {
      headerTemplate: headerTemplate(`${title} · ${generated}`),
      footerTemplate: footerTemplate(`Export ${row.id}`),
      landscape: true,
      timeoutMs: remaining,
    });
    await report(90, true);
    const body = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
    await this.storage.put(key, body, { contentType: 'application/pdf' });
    await report(98, true);
    return { rows, bytes: body.length };
  }
}

type ThrottledReporter = (percent: number, force?: boolean) => Promise<void>;

/** Reports a percentage when it moved by a whole point and at most every 500 ms (or when forced). */
function throttled(fn: (percent: number) => Promise<void>): ThrottledReporter {
  let last = -1;
  let lastAt = 0;
  return async (percent, force = false) => {
    const p = Math.max(0, Math.min(99, Math.floor(percent)));
    const now = Date.now();
    if (!force && (p === last || now - lastAt < 500)) return;
    last = p;
    lastAt = now;
    await fn(p);
  };
}

function checkDeadline(deadline: number, seconds: number): void {
  if (Date.now() > deadline) throw new ExportTimeoutError(seconds);
}
