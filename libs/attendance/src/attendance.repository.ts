import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository, SelectQueryBuilder } from 'typeorm';
import { isUniqueViolation, runInTransaction } from '@app/database/transaction';
import { AttendanceLogEntity, AttendanceStatus, OdooSyncStatus, AttendanceSource } from './entities/attendance-log.entity';
import { AttendanceRecordEntity } from './entities/attendance-record.entity';
import { compactDate } from './time/zoned-time';

/** Filters shared by the log list, its count and the exports. Dates are 'YYYY-MM-DD', inclusive. */
export interface LogFilter {
  search?: string;
  cameraId?: string;
  dateFrom?: string;
  dateTo?: string;
  odooStatus?: OdooSyncStatus;
  status?: AttendanceStatus;
  source?: AttendanceSource;
  employeeId?: string;
}

/** One automatic sighting, already placed in its shift instance (or its unscheduled day). */
export interface AutoSightingRow {
  employeeId: string;
  name: string;
  department: string | null;
  cameraId: string | null;
  cameraName: string | null;
  confidence: number;
  at: Date;
  /** Log date: the day the shift instance starts, or the local day of an unscheduled sighting. */
  date: string;
  /** Wall clock of `at` in the instance's timezone. */
  localTime: string;
  /** present/late for a first sighting at `at`. */
  status: 'present' | 'late';
  shiftId: string | null;
  /** null = not in any shift of the person (unscheduled day). */
  shiftStart: Date | null;
}

export interface MergeResult {
  logId: string;
  created: boolean;
  status: AttendanceStatus;
}

export interface PresenceRow {
  employeeId: string;
  name: string;
  department: string | null;
  cameraId: string | null;
  cameraName: string | null;
  confidence: number;
  at: Date;
  thumbnail: string | null;
}

export interface ManualLogRow {
  employeeId: string;
  name: string;
  department: string | null;
  date: string;
  timeIn: string | null;
  timeOut: string | null;
  checkInAt: Date | null;
  checkOutAt: Date | null;
  cameraId: string | null;
  cameraName: string | null;
  status: AttendanceStatus;
  shiftId: string | null;
  shiftStart: Date | null;
  note: string | null;
}

export interface MissedCandidate {
  employeeId: string;
  name: string;
  department: string | null;
}

export interface ExpectedSelector {
  /** true = every active profile (the shift names neither departments nor people). */
  all: boolean;
  employeeIds: string[];
  /** lower-cased, trimmed */
  departments: string[];
}

export interface StatsRange {
  dateFrom: string;
  dateTo: string;
  cameraId?: string;
  department?: string;
}

export interface StatusCounts {
  total: number;
  present: number;
  late: number;
  missed: number;
  manual: number;
  people: number;
}

/** A log as exported (snake_case, straight from the cursor). */
export interface ExportLogRow {
  id: string;
  employee_id: string;
  name: string;
  department: string | null;
  date: string;
  time_in: string | null;
  time_out: string | null;
  camera_id: string | null;
  camera_name: string | null;
  accuracy: number | null;
  status: string;
  odoo_status: string;
  source: string;
  note: string | null;
}

export const LOG_ID_PATTERN = /^ATT-\d{8}-\d{3,}$/;
const SOURCE_AUTO = 'auto';

export function formatLogId(date: string, n: number): string {
  return `ATT-${compactDate(date)}-${String(n).padStart(3, '0')}`;
}

/** Rows of a raw query: TypeORM answers UPDATE/DELETE ... RETURNING with [rows, rowCount] on postgres. */
export function returned<T>(raw: unknown): T[] {
  if (!Array.isArray(raw)) return [];
  if (raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number') return raw[0] as T[];
  return raw as T[];
}

/** Escapes LIKE wildcards so user input matches literally. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Expected-people condition on face_profiles `fp` for a selector; params are appended to `params`. */
export function expectedCondition(sel: ExpectedSelector, params: unknown[]): string {
  if (sel.all) return 'TRUE';
  const parts: string[] = [];
  if (sel.employeeIds.length) {
    params.push(sel.employeeIds);
    parts.push(`fp.employee_id = ANY($${params.length}::text[])`);
  }
  if (sel.departments.length) {
    params.push(sel.departments);
    parts.push(`lower(trim(fp.department)) = ANY($${params.length}::text[])`);
  }
  return parts.length ? `(${parts.join(' OR ')})` : 'FALSE';
}

/**
 * Attendance logs (per person per shift instance), current presence records and the per-day id
 * counter. Automatic logs are merged under a per-person-per-instance advisory lock, so a burst of
 * sightings makes exactly one log and no gaps in the numbering.
 */
@Injectable()
export class AttendanceRepository {
  readonly logs: Repository<AttendanceLogEntity>;
  readonly records: Repository<AttendanceRecordEntity>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.logs = dataSource.getRepository(AttendanceLogEntity);
    this.records = dataSource.getRepository(AttendanceRecordEntity);
  }

  // ---- engine ----------------------------------------------------------------------------------

  /** Name and timezone of a camera (soft-deleted ones included: their logs still reference them). */
  async cameraInfo(cameraId: string): Promise<{ id: string; name: string; timezone: string | null } | null> {
    const rows: Array<{ id: string; name: string; timezone: string | null }> = await this.dataSource.query(
      `SELECT id, name, timezone FROM cameras WHERE id = $1`,
      [cameraId],
    );
    return rows[0] ?? null;
  }

  /** Current presence: one row per person (id = employee id), never moved back to an older sighting. */
  async upsertPresence(p: PresenceRow): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO attendance_records
         (id, person_id, name, role, department, status, accuracy, timestamp, camera_id, camera_name, thumbnail)
       VALUES ($1, $1, $2, NULL, $3, 'on-site', $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET
         name = EXCLUDED.name,
         department = COALESCE(EXCLUDED.department, attendance_records.department),
         status = 'on-site',
         accuracy = EXCLUDED.accuracy,
         timestamp = EXCLUDED.timestamp,
         camera_id = EXCLUDED.camera_id,
         camera_name = EXCLUDED.camera_name,
         thumbnail = COALESCE(EXCLUDED.thumbnail, attendance_records.thumbnail)
       WHERE attendance_records.timestamp <= EXCLUDED.timestamp`,
      [p.employeeId, p.name, p.department, p.confidence, p.at, p.cameraId, p.cameraName, p.thumbnail],
    );
  }

  /**
   * Folds a sighting into the person's automatic log for its instance: first sighting = check-in
   * (and the status), last = check-out. Creates the log (id ATT-YYYYMMDD-NNN) when there is none.
   * A log already synced to Odoo whose times move goes back to 'pending'.
   */
  mergeAutoSighting(row: AutoSightingRow): Promise<MergeResult> {
    const key = row.shiftStart ? `s:${row.shiftStart.toISOString()}` : `d:${row.date}`;
    return runInTransaction(this.dataSource, async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('attendance-log'), hashtext($1))`, [`${row.employeeId}|${key}`]);
      const updated = await this.applySighting(m, row);
      if (updated) return { ...updated, created: false };
      const [id] = await this.allocateIds(m, row.date, 1);
      const conflictTarget = row.shiftStart
        ? `(employee_id, shift_start) WHERE source = 'auto' AND shift_start IS NOT NULL`
        : `(employee_id, date) WHERE source = 'auto' AND shift_start IS NULL`;
      const inserted: Array<{ id: string; status: AttendanceStatus }> = await m.query(
        `INSERT INTO attendance_logs
           (id, employee_id, name, department, date, time_in, camera_id, camera_name, accuracy, status,
            odoo_status, shift_id, shift_start, check_in_at, source)
         VALUES ($1, $2, $3, $4, $5::date, $6::time, $7, $8, $9, $10, 'pending', $11, $12, $13, '${SOURCE_AUTO}')
         ON CONFLICT ${conflictTarget} DO NOTHING
         RETURNING id, status`,
        [
          id,
          row.employeeId,
          row.name,
          row.department,
          row.date,
          row.localTime,
          row.cameraId,
          row.cameraName,
          row.confidence,
          row.status,
          row.shiftId,
          row.shiftStart,
          row.at,
        ],
      );
      if (inserted[0]) return { logId: inserted[0].id, created: true, status: inserted[0].status };
      // Inserted meanwhile by the missed-shift job (which does not take this lock): merge into it.
      const merged = await this.applySighting(m, row);
      if (!merged) throw new Error(`attendance log for ${row.employeeId} ${key} vanished during merge`);
      return { ...merged, created: false };
    });
  }

  private async applySighting(m: EntityManager, row: AutoSightingRow): Promise<Omit<MergeResult, 'created'> | null> {
    const keyCond = row.shiftStart ? `shift_start = $2` : `shift_start IS NULL AND date = $2::date`;
    const rows: unknown = await m.query(
      `UPDATE attendance_logs l SET
         check_in_at = n.new_in,
         check_out_at = n.new_out,
         time_in = CASE WHEN n.new_in = n.old_in THEN l.time_in ELSE $4::time END,
         time_out = CASE
           WHEN n.new_out IS NULL THEN NULL
           WHEN n.new_out = n.old_out THEN l.time_out
           WHEN n.new_out = $3 THEN $4::time
           ELSE l.time_in END,
         status = CASE WHEN n.new_in = n.old_in THEN l.status ELSE $5 END,
         camera_id = CASE WHEN n.new_in = n.old_in THEN l.camera_id ELSE $6 END,
         camera_name = CASE WHEN n.new_in = n.old_in THEN l.camera_name ELSE $7 END,
         accuracy = GREATEST(l.accuracy, $8),
         name = $9,
         department = COALESCE($10, l.department),
         odoo_status = CASE
           WHEN l.odoo_status = 'synced'
            AND (n.new_in IS DISTINCT FROM n.old_in OR n.new_out IS DISTINCT FROM n.old_out) THEN 'pending'
           ELSE l.odoo_status END,
         updated_at = now()
       FROM (
         SELECT id, check_in_at AS old_in, check_out_at AS old_out,
                LEAST(check_in_at, $3) AS new_in,
                NULLIF(GREATEST(check_in_at, check_out_at, $3), LEAST(check_in_at, $3)) AS new_out
           FROM attendance_logs
          WHERE employee_id = $1 AND source = '${SOURCE_AUTO}' AND ${keyCond}
       ) n
       WHERE l.id = n.id
       RETURNING l.id, l.status`,
      [
        row.employeeId,
        row.shiftStart ?? row.date,
        row.at,
        row.localTime,
        row.status,
        row.cameraId,
        row.cameraName,
        row.confidence,
        row.name,
        row.department,
      ],
    );
    const list = returned<{ id: string; status: AttendanceStatus }>(rows);
    return list[0] ? { logId: list[0].id, status: list[0].status } : null;
  }

  /**
   * `count` fresh log ids for `date` from the per-day counter. Inside the caller's transaction the
   * counter row stays locked until commit, so ids are unique and a rollback leaves no gap. The counter
   * of a day starts after the highest id already present that day (imported or seeded logs).
   */
  async allocateIds(m: EntityManager, date: string, count: number): Promise<string[]> {
    if (count <= 0) return [];
    let rows = returned<{ last_value: number }>(
      await m.query(`UPDATE attendance_log_sequences SET last_value = last_value + $2 WHERE day = $1::date RETURNING last_value`, [
        date,
        count,
      ]),
    );
    if (!rows[0]) {
      rows = await m.query(
        `INSERT INTO attendance_log_sequences (day, last_value)
         SELECT $1::date, COALESCE(max(substring(id FROM 14)::int), 0) + $2
           FROM attendance_logs
          WHERE date = $1::date AND id ~ ('^ATT-' || to_char($1::date, 'YYYYMMDD') || '-[0-9]{1,9}$')
         ON CONFLICT (day) DO UPDATE SET last_value = attendance_log_sequences.last_value + $2
         RETURNING last_value`,
        [date, count],
      );
    }
    const last = Number(rows[0]!.last_value);
    return Array.from({ length: count }, (_, i) => formatLogId(date, last - count + 1 + i));
  }

  // ---- missed shifts ---------------------------------------------------------------------------

  /**
   * People a shift instance expects (active profiles registered before it ended) who have no log for
   * it: neither an automatic or manual one for the instance nor a manual entry that day.
   */
  async missedCandidates(sel: ExpectedSelector, inst: { startsAt: Date; endsAt: Date; date: string }): Promise<MissedCandidate[]> {
    const params: unknown[] = [inst.startsAt, inst.endsAt, inst.date];
    const cond = expectedCondition(sel, params);
    const rows: Array<{ employee_id: string; name: string; department: string | null }> = await this.dataSource.query(
      `SELECT fp.employee_id, fp.name, fp.department
         FROM face_profiles fp
        WHERE fp.status = 'active' AND fp.created_at < $2 AND ${cond}
          AND NOT EXISTS (
            SELECT 1 FROM attendance_logs l
             WHERE l.employee_id = fp.employee_id
               AND (l.shift_start = $1 OR (l.source = 'manual' AND l.date = $3::date)))
        ORDER BY fp.employee_id`,
      params,
    );
    return rows.map((r) => ({ employeeId: r.employee_id, name: r.name, department: r.department }));
  }

  /** Inserts `missed` logs for one instance; people who got a log meanwhile are skipped. Returns ids. */
  insertMissed(people: MissedCandidate[], inst: { shiftId: string; startsAt: Date; date: string }): Promise<string[]> {
    if (people.length === 0) return Promise.resolve([]);
    return runInTransaction(this.dataSource, async (m) => {
      const ids = await this.allocateIds(m, inst.date, people.length);
      const rows: Array<{ id: string }> = await m.query(
        `INSERT INTO attendance_logs (id, employee_id, name, department, date, status, odoo_status, shift_id, shift_start, source)
         SELECT t.id, t.employee_id, t.name, t.department, $5::date, 'missed', 'pending', $6, $7, '${SOURCE_AUTO}'
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(id, employee_id, name, department)
         ON CONFLICT (employee_id, shift_start) WHERE source = 'auto' AND shift_start IS NOT NULL DO NOTHING
         RETURNING id`,
        [
          ids,
          people.map((p) => p.employeeId),
          people.map((p) => p.name),
          people.map((p) => p.department),
          inst.date,
          inst.shiftId,
          inst.startsAt,
        ],
      );
      return rows.map((r) => r.id);
    });
  }

  /** Presence older than `before` is no longer 'on-site'. Returns how many people left. */
  async expirePresence(before: Date): Promise<number> {
    const res: unknown = await this.dataSource.query(
      `UPDATE attendance_records SET status = 'off-site' WHERE status = 'on-site' AND timestamp < $1 RETURNING id`,
      [before],
    );
    return returned(res).length;
  }

  // ---- reads -----------------------------------------------------------------------------------

  listRecords(limit: number): Promise<AttendanceRecordEntity[]> {
    return this.records.find({ order: { timestamp: 'DESC', id: 'ASC' }, take: limit });
  }

  /** Logs matching the filter, newest first (date, then check-in), with the total. */
  async listLogs(f: LogFilter, skip: number, take: number): Promise<[AttendanceLogEntity[], number]> {
    // page and count in parallel; a plain count(*) (getManyAndCount would count DISTINCT ids)
    const [rows, total] = await Promise.all([this.logQuery(f).offset(skip).limit(take).getMany(), this.countLogs(f)]);
    return [rows, total];
  }

  /**
   * Every log matching the filter, in list order, handed to `onBatch` `batchSize` rows at a time
   * through a server-side cursor (one snapshot; memory bounded by one batch whatever the total).
   */
  async streamLogs(f: LogFilter, batchSize: number, onBatch: (rows: ExportLogRow[]) => Promise<void>): Promise<number> {
    const qb = this.filtered(this.logs.createQueryBuilder('l'), f)
      .select([])
      .addSelect('l.id', 'id')
      .addSelect('l.employee_id', 'employee_id')
      .addSelect('l.name', 'name')
      .addSelect('l.department', 'department')
      .addSelect('l.date::text', 'date')
      .addSelect('l.time_in::text', 'time_in')
      .addSelect('l.time_out::text', 'time_out')
      .addSelect('l.camera_id', 'camera_id')
      .addSelect('l.camera_name', 'camera_name')
      .addSelect('l.accuracy::float8', 'accuracy')
      .addSelect('l.status', 'status')
      .addSelect('l.odoo_status', 'odoo_status')
      .addSelect('l.source', 'source')
      .addSelect('l.note', 'note')
      .orderBy('l.date', 'DESC')
      .addOrderBy('l.check_in_at', 'DESC', 'NULLS LAST')
      .addOrderBy('l.id', 'DESC');
    const [sql, params] = qb.getQueryAndParameters();
    const runner = this.dataSource.createQueryRunner();
    let total = 0;
    try {
      await runner.connect();
      await runner.startTransaction('REPEATABLE READ');
      await runner.query(`DECLARE export_cursor NO SCROLL CURSOR FOR ${sql}`, params);
      for (;;) {
        const rows: ExportLogRow[] = await runner.query(`FETCH FORWARD ${Math.max(1, Math.floor(batchSize))} FROM export_cursor`);
        if (rows.length === 0) break;
        total += rows.length;
        await onBatch(rows);
      }
      await runner.query(`CLOSE export_cursor`);
      await runner.commitTransaction();
      return total;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  async countLogs(f: LogFilter): Promise<number> {
    const row = await this.filtered(this.logs.createQueryBuilder('l'), f).select('count(*)::int', 'n').getRawOne<{ n: number }>();
    return row?.n ?? 0;
  }

  private logQuery(f: LogFilter): SelectQueryBuilder<AttendanceLogEntity> {
    return this.filtered(this.logs.createQueryBuilder('l'), f)
      .orderBy('l.date', 'DESC')
      .addOrderBy('l.check_in_at', 'DESC', 'NULLS LAST')
      .addOrderBy('l.id', 'DESC');
  }

  private filtered(qb: SelectQueryBuilder<AttendanceLogEntity>, f: LogFilter): SelectQueryBuilder<AttendanceLogEntity> {
    const search = f.search?.trim();
    if (search) {
      // 3+ characters: substring anywhere (pg_trgm GIN); 1-2 characters: prefix (trigram of a word start).
      // People first (small table, trigram indexes), then their logs by (employee_id, date); the
      // name/id condition on the log itself keeps the match exact for people renamed over time.
      const pattern = search.length >= 3 ? `%${escapeLike(search)}%` : `${escapeLike(search)}%`;
      qb.andWhere(
        `l.employee_id = ANY(ARRAY(SELECT p.employee_id FROM attendance_log_people p WHERE p.name ILIKE :pattern OR p.employee_id ILIKE :pattern))`,
        { pattern },
      );
      qb.andWhere('(l.name ILIKE :pattern OR l.employee_id ILIKE :pattern)', { pattern });
    }
    if (f.cameraId) qb.andWhere('l.camera_id = :cameraId', { cameraId: f.cameraId });
    if (f.dateFrom) qb.andWhere('l.date >= :dateFrom', { dateFrom: f.dateFrom });
    if (f.dateTo) qb.andWhere('l.date <= :dateTo', { dateTo: f.dateTo });
    if (f.odooStatus) qb.andWhere('l.odoo_status = :odooStatus', { odooStatus: f.odooStatus });
    if (f.status) qb.andWhere('l.status = :status', { status: f.status });
    if (f.source) qb.andWhere('l.source = :source', { source: f.source });
    if (f.employeeId) qb.andWhere('l.employee_id = :employeeId', { employeeId: f.employeeId });
    return qb;
  }

  findLog(id: string): Promise<AttendanceLogEntity | null> {
    return this.logs.findOneBy({ id });
  }

  async deleteLog(id: string): Promise<boolean> {
    const res = await this.logs.delete({ id });
    return (res.affected ?? 0) > 0;
  }

  /** Logs awaiting Odoo (pending, with a check-in: missed logs have nothing to send). */
  listPending(skip: number, take: number): Promise<[AttendanceLogEntity[], number]> {
    return this.logs
      .createQueryBuilder('l')
      .where(`l.odoo_status = 'pending'`)
      .andWhere('l.check_in_at IS NOT NULL')
      .orderBy('l.date', 'ASC')
      .addOrderBy('l.check_in_at', 'ASC', 'NULLS LAST')
      .addOrderBy('l.id', 'ASC')
      .skip(skip)
      .take(take)
      .getManyAndCount();
  }

  /** Inserts a manual entry; null when the person already has a manual entry that day. */
  insertManual(row: ManualLogRow): Promise<AttendanceLogEntity | null> {
    return runInTransaction(this.dataSource, async (m) => {
      const existing: Array<{ id: string }> = await m.query(
        `SELECT id FROM attendance_logs WHERE employee_id = $1 AND date = $2::date AND source = 'manual'`,
        [row.employeeId, row.date],
      );
      if (existing[0]) return null;
      const [id] = await this.allocateIds(m, row.date, 1);
      try {
        await m.query(`SAVEPOINT manual_insert`);
        await m.query(
          `INSERT INTO attendance_logs
             (id, employee_id, name, department, date, time_in, time_out, camera_id, camera_name, status,
              odoo_status, shift_id, shift_start, check_in_at, check_out_at, source, note)
           VALUES ($1, $2, $3, $4, $5::date, $6::time, $7::time, $8, $9, $10, 'pending', $11, $12, $13, $14, 'manual', $15)`,
          [
            id,
            row.employeeId,
            row.name,
            row.department,
            row.date,
            row.timeIn,
            row.timeOut,
            row.cameraId,
            row.cameraName,
            row.status,
            row.shiftId,
            row.shiftStart,
            row.checkInAt,
            row.checkOutAt,
            row.note,
          ],
        );
      } catch (err) {
        if (isUniqueViolation(err, 'uq_attendance_logs_manual_day')) {
          await m.query(`ROLLBACK TO SAVEPOINT manual_insert`);
          return null;
        }
        throw err;
      }
      return m.getRepository(AttendanceLogEntity).findOneByOrFail({ id });
    });
  }

  /** The manual entry of a person on a day, if any. */
  async findManual(employeeId: string, date: string): Promise<string | null> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM attendance_logs WHERE employee_id = $1 AND date = $2::date AND source = 'manual'`,
      [employeeId, date],
    );
    return rows[0]?.id ?? null;
  }

  /** Name and department of an active or pending (not archived) face profile. */
  async findPerson(employeeId: string): Promise<{ employeeId: string; name: string; department: string | null; status: string } | null> {
    const rows: Array<{ employee_id: string; name: string; department: string | null; status: string }> = await this.dataSource.query(
      `SELECT employee_id, name, department, status FROM face_profiles WHERE employee_id = $1`,
      [employeeId],
    );
    const r = rows[0];
    return r ? { employeeId: r.employee_id, name: r.name, department: r.department, status: r.status } : null;
  }

  // ---- statistics ------------------------------------------------------------------------------

  private statsWhere(r: StatsRange, params: unknown[]): string {
    params.push(r.dateFrom, r.dateTo);
    const parts = [`l.date BETWEEN $${params.length - 1}::date AND $${params.length}::date`];
    if (r.cameraId) {
      params.push(r.cameraId);
      parts.push(`l.camera_id = $${params.length}`);
    }
    if (r.department) {
      params.push(r.department.trim().toLowerCase());
      parts.push(`lower(trim(l.department)) = $${params.length}`);
    }
    return parts.join(' AND ');
  }

  /*
   * Distinct people per group are counted in two levels (group by key + person, then by key): hash
   * aggregates, about twice as cheap as count(DISTINCT ...) which sorts.
   */
  private static readonly PER_PERSON = `count(*) AS n,
              count(*) FILTER (WHERE l.status = 'present') AS p,
              count(*) FILTER (WHERE l.status = 'late') AS la,
              count(*) FILTER (WHERE l.status = 'missed') AS m`;
  private static readonly SUMS = `coalesce(sum(n), 0)::int AS total, coalesce(sum(p), 0)::int AS present,
              coalesce(sum(la), 0)::int AS late, coalesce(sum(m), 0)::int AS missed, count(*)::int AS people`;

  async statsTotals(r: StatsRange): Promise<StatusCounts> {
    const params: unknown[] = [];
    const rows: Array<Record<string, number>> = await this.dataSource.query(
      `SELECT ${AttendanceRepository.SUMS}, coalesce(sum(ma), 0)::int AS manual
         FROM (SELECT l.employee_id, ${AttendanceRepository.PER_PERSON}, count(*) FILTER (WHERE l.source = 'manual') AS ma
                 FROM attendance_logs l WHERE ${this.statsWhere(r, params)}
                GROUP BY l.employee_id) t`,
      params,
    );
    const t = rows[0]!;
    return { total: t.total!, present: t.present!, late: t.late!, missed: t.missed!, manual: t.manual!, people: t.people! };
  }

  async statsByHour(r: StatsRange): Promise<Array<{ hour: number; checkIns: number; late: number }>> {
    const params: unknown[] = [];
    const rows: Array<{ hour: number; check_ins: number; late: number }> = await this.dataSource.query(
      `SELECT extract(hour FROM l.time_in)::int AS hour, count(*)::int AS check_ins,
              count(*) FILTER (WHERE l.status = 'late')::int AS late
         FROM attendance_logs l
        WHERE ${this.statsWhere(r, params)} AND l.time_in IS NOT NULL
        GROUP BY 1 ORDER BY 1`,
      params,
    );
    return rows.map((x) => ({ hour: x.hour, checkIns: x.check_ins, late: x.late }));
  }

  async statsByDay(r: StatsRange): Promise<Array<{ date: string } & Omit<StatusCounts, 'manual'>>> {
    const params: unknown[] = [];
    return this.dataSource.query(
      `SELECT t.date::text AS date, ${AttendanceRepository.SUMS}
         FROM (SELECT l.date, l.employee_id, ${AttendanceRepository.PER_PERSON}
                 FROM attendance_logs l WHERE ${this.statsWhere(r, params)}
                GROUP BY l.date, l.employee_id) t
        GROUP BY t.date ORDER BY t.date`,
      params,
    );
  }

  async statsByCamera(r: StatsRange): Promise<Array<{ cameraId: string; cameraName: string | null; checkIns: number; people: number }>> {
    const params: unknown[] = [];
    const rows: Array<{ camera_id: string; camera_name: string | null; check_ins: number; people: number }> = await this.dataSource.query(
      `SELECT t.camera_id, max(t.camera_name) AS camera_name, sum(t.n)::int AS check_ins, count(*)::int AS people
         FROM (SELECT l.camera_id, l.employee_id, max(l.camera_name) AS camera_name, count(*) AS n
                 FROM attendance_logs l
                WHERE ${this.statsWhere(r, params)} AND l.camera_id IS NOT NULL
                GROUP BY l.camera_id, l.employee_id) t
        GROUP BY t.camera_id ORDER BY check_ins DESC, t.camera_id`,
      params,
    );
    return rows.map((x) => ({ cameraId: x.camera_id, cameraName: x.camera_name, checkIns: x.check_ins, people: x.people }));
  }

  async statsByDepartment(r: StatsRange): Promise<Array<{ department: string | null } & Omit<StatusCounts, 'manual'>>> {
    const params: unknown[] = [];
    return this.dataSource.query(
      `SELECT t.department, ${AttendanceRepository.SUMS}
         FROM (SELECT l.department, l.employee_id, ${AttendanceRepository.PER_PERSON}
                 FROM attendance_logs l WHERE ${this.statsWhere(r, params)}
                GROUP BY l.department, l.employee_id) t
        GROUP BY t.department ORDER BY total DESC, t.department NULLS LAST`,
      params,
    );
  }

  // ---- overview --------------------------------------------------------------------------------

  /** Distinct people per status among the logs of `date`, and manual entries. */
  async dayCounts(date: string): Promise<{ present: number; late: number; missed: number; manual: number; attended: number }> {
    const rows: Array<Record<string, number>> = await this.dataSource.query(
      `SELECT count(DISTINCT employee_id) FILTER (WHERE status = 'present')::int AS present,
              count(DISTINCT employee_id) FILTER (WHERE status = 'late')::int AS late,
              count(DISTINCT employee_id) FILTER (WHERE status = 'missed')::int AS missed,
              count(*) FILTER (WHERE source = 'manual')::int AS manual,
              count(DISTINCT employee_id) FILTER (WHERE status IN ('present', 'late'))::int AS attended
         FROM attendance_logs WHERE date = $1::date`,
      [date],
    );
    const r = rows[0]!;
    return { present: r.present!, late: r.late!, missed: r.missed!, manual: r.manual!, attended: r.attended! };
  }

  /** Expected people (union of selectors) and how many of them attended (present/late) on `date`. */
  async expectedAndAttended(selectors: ExpectedSelector[], date: string): Promise<{ expected: number; attended: number; withLog: number }> {
    if (selectors.length === 0) return { expected: 0, attended: 0, withLog: 0 };
    const params: unknown[] = [date];
    const cond = selectors.some((s) => s.all) ? 'TRUE' : selectors.map((s) => expectedCondition(s, params)).join(' OR ');
    const rows: Array<{ expected: number; attended: number; withLog: number }> = await this.dataSource.query(
      `WITH exp AS (SELECT fp.employee_id FROM face_profiles fp WHERE fp.status = 'active' AND (${cond})),
            day AS (SELECT l.employee_id, l.status FROM attendance_logs l JOIN exp ON exp.employee_id = l.employee_id
                     WHERE l.date = $1::date)
       SELECT (SELECT count(*) FROM exp)::int AS expected,
              (SELECT count(DISTINCT employee_id) FROM day WHERE status IN ('present', 'late'))::int AS attended,
              (SELECT count(DISTINCT employee_id) FROM day)::int AS "withLog"`,
      params,
    );
    return rows[0]!;
  }

  async countOnSite(since: Date): Promise<number> {
    const rows: Array<{ n: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM attendance_records WHERE status = 'on-site' AND timestamp >= $1`,
      [since],
    );
    return rows[0]!.n;
  }
}
