import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attendance engine, shifts and log search (issue 6):
 * - attendance_log_sequences: per-day counter behind the ids ATT-YYYYMMDD-NNN (unique under concurrency);
 * - shift_schedules.check_in_window_minutes / check_out_window_minutes: how early before the start and
 *   how late after the end a sighting still belongs to a shift instance;
 * - uq_attendance_logs_manual_day: at most one manual entry per person and day (409 on a second one);
 * - uq_attendance_logs_auto_unscheduled: one automatic log per person and day for sightings outside
 *   any shift of theirs (shift_start NULL; uq_attendance_logs_auto_shift covers the shift instances);
 * - log search: attendance_log_people holds every distinct (employee_id, name) pair found in the logs
 *   (kept by statement-level triggers), with pg_trgm GIN indexes. `search` first finds the matching
 *   people in this small table, then their logs through idx_attendance_logs_employee_date, so a
 *   search over millions of logs reads only the rows of the people it matches. pg_trgm ships with
 *   PostgreSQL contrib and is a trusted extension (PG >= 13): the database owner can create it.
 */
export class AttendanceEngine1795701000000 implements MigrationInterface {
  name = 'AttendanceEngine1795701000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE attendance_log_sequences (
        day        DATE    NOT NULL,
        last_value INTEGER NOT NULL,
        CONSTRAINT pk_attendance_log_sequences PRIMARY KEY (day),
        CONSTRAINT chk_attendance_log_sequences_last_value CHECK (last_value >= 0)
      )`);

    await q.query(`ALTER TABLE shift_schedules ADD COLUMN check_in_window_minutes INTEGER NOT NULL DEFAULT 120`);
    await q.query(`ALTER TABLE shift_schedules ADD COLUMN check_out_window_minutes INTEGER NOT NULL DEFAULT 240`);
    await q.query(`
      ALTER TABLE shift_schedules ADD CONSTRAINT chk_shift_schedules_windows
      CHECK (check_in_window_minutes BETWEEN 0 AND 720 AND check_out_window_minutes BETWEEN 0 AND 720)`);

    await q.query(`
      CREATE UNIQUE INDEX uq_attendance_logs_manual_day ON attendance_logs (employee_id, date)
      WHERE source = 'manual'`);
    await q.query(`
      CREATE UNIQUE INDEX uq_attendance_logs_auto_unscheduled ON attendance_logs (employee_id, date)
      WHERE source = 'auto' AND shift_start IS NULL`);
    await q.query(`CREATE INDEX idx_attendance_logs_employee_date ON attendance_logs (employee_id, date)`);

    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`
      CREATE TABLE attendance_log_people (
        employee_id VARCHAR(50)  NOT NULL,
        name        VARCHAR(255) NOT NULL,
        CONSTRAINT pk_attendance_log_people PRIMARY KEY (employee_id, name)
      )`);
    await q.query(`CREATE INDEX idx_attendance_log_people_name_trgm ON attendance_log_people USING gin (name gin_trgm_ops)`);
    await q.query(`CREATE INDEX idx_attendance_log_people_employee_id_trgm ON attendance_log_people USING gin (employee_id gin_trgm_ops)`);
    await q.query(`
      CREATE FUNCTION attendance_log_people_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO attendance_log_people (employee_id, name)
        SELECT DISTINCT employee_id, name FROM new_rows
        ON CONFLICT DO NOTHING;
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER trg_attendance_log_people_insert AFTER INSERT ON attendance_logs
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_log_people_sync()`);
    await q.query(`
      CREATE TRIGGER trg_attendance_log_people_update AFTER UPDATE ON attendance_logs
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_log_people_sync()`);
    await q.query(`INSERT INTO attendance_log_people (employee_id, name) SELECT DISTINCT employee_id, name FROM attendance_logs`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS trg_attendance_log_people_update ON attendance_logs`);
    await q.query(`DROP TRIGGER IF EXISTS trg_attendance_log_people_insert ON attendance_logs`);
    await q.query(`DROP FUNCTION IF EXISTS attendance_log_people_sync()`);
    await q.query(`DROP TABLE IF EXISTS attendance_log_people`);
    await q.query(`DROP INDEX IF EXISTS idx_attendance_logs_employee_date`);
    await q.query(`DROP INDEX IF EXISTS uq_attendance_logs_auto_unscheduled`);
    await q.query(`DROP INDEX IF EXISTS uq_attendance_logs_manual_day`);
    await q.query(`ALTER TABLE shift_schedules DROP CONSTRAINT IF EXISTS chk_shift_schedules_windows`);
    await q.query(`ALTER TABLE shift_schedules DROP COLUMN IF EXISTS check_out_window_minutes`);
    await q.query(`ALTER TABLE shift_schedules DROP COLUMN IF EXISTS check_in_window_minutes`);
    await q.query(`DROP TABLE IF EXISTS attendance_log_sequences`);
    // pg_trgm stays: other objects may use it.
  }
}
