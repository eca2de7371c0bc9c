import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * GET /users?search= (issue 2 speed): `name ILIKE '%q%' OR email ILIKE '%q%'` lower-cases two columns
 * of every row on every request (about 0.7 ms of PostgreSQL time per request over 1,000 users, the
 * single largest cost of the route). users.search_key holds `lower(name) || E'\n' || lower(email)`,
 * kept by a BEFORE INSERT OR UPDATE trigger (so every writer, the seed and raw SQL included, keeps it
 * right), and the route matches it with a case-sensitive LIKE on an already lower-cased pattern
 * (about 0.1 ms over 1,000 rows). The newline separator cannot appear in a search (control characters
 * are removed from it), so a match never spans name and email. A pg_trgm GIN index serves the same
 * LIKE once the table is large enough for the planner to prefer it.
 */
export class UsersSearchKey1795790000000 implements MigrationInterface {
  name = 'UsersSearchKey1795790000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`ALTER TABLE users ADD COLUMN search_key TEXT NOT NULL DEFAULT ''`);
    await q.query(`
      CREATE FUNCTION users_search_key() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.search_key := lower(NEW.name) || E'\\n' || lower(NEW.email);
        RETURN NEW;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER trg_users_search_key BEFORE INSERT OR UPDATE ON users
      FOR EACH ROW EXECUTE FUNCTION users_search_key()`);
    // existing rows: the UPDATE fires the trigger
    await q.query(`UPDATE users SET search_key = ''`);
    await q.query(`CREATE INDEX idx_users_search_key_trgm ON users USING gin (search_key gin_trgm_ops)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS idx_users_search_key_trgm`);
    await q.query(`DROP TRIGGER IF EXISTS trg_users_search_key ON users`);
    await q.query(`DROP FUNCTION IF EXISTS users_search_key()`);
    await q.query(`ALTER TABLE users DROP COLUMN search_key`);
    // pg_trgm stays: other objects use it.
  }
}
