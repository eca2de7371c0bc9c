import { describe, expect, it } from '@jest/globals';
import { databaseNameOf, quoteDatabaseName, redactUrl, withDatabaseName } from './database-admin';
import { isUniqueViolation, pgErrorCode } from './transaction';
import { maskUrlPassword } from './seed/seed.service';

describe('database url helpers', () => {
  const url = 'postgres://app:s3cret@db.local:5432/cctv_attendance?sslmode=require';

  it('reads and swaps the database name, keeping credentials and options', () => {
    expect(databaseNameOf(url)).toBe('cctv_attendance');
    expect(withDatabaseName(url, 'postgres')).toBe('postgres://app:s3cret@db.local:5432/postgres?sslmode=require');
    expect(() => databaseNameOf('postgres://db.local:5432')).toThrow(/No database name/);
  });

  it('hides the password in messages', () => {
    expect(redactUrl(url)).toBe('postgres://app:***@db.local:5432/cctv_attendance?sslmode=require');
  });

  it('quotes only plain lower-case identifiers', () => {
    expect(quoteDatabaseName('cctv_test_1')).toBe('"cctv_test_1"');
    expect(() => quoteDatabaseName('x"; DROP DATABASE y; --')).toThrow(/unusual/);
    expect(() => quoteDatabaseName('Upper')).toThrow(/unusual/);
  });
});

describe('pg error helpers', () => {
  it('reads the SQLSTATE and constraint from a TypeORM QueryFailedError shape', () => {
    const err = { driverError: { code: '23505', constraint: 'uq_users_email' } };
    expect(pgErrorCode(err)).toBe('23505');
    expect(isUniqueViolation(err)).toBe(true);
    expect(isUniqueViolation(err, 'uq_users_email')).toBe(true);
    expect(isUniqueViolation(err, 'other')).toBe(false);
    expect(isUniqueViolation(new Error('x'))).toBe(false);
  });
});

describe('maskUrlPassword', () => {
  it('masks the password of a URL and leaves anything else alone', () => {
    expect(maskUrlPassword('rtsp://admin:pa:ss@10.0.0.5:554/live')).toBe('rtsp://admin:***@10.0.0.5:554/live');
    expect(maskUrlPassword('rtsp://10.0.0.5/live')).toBe('rtsp://10.0.0.5/live');
    expect(maskUrlPassword('rtsp://user@10.0.0.5/live')).toBe('rtsp://user@10.0.0.5/live');
    expect(maskUrlPassword('/videos/a.mp4')).toBe('/videos/a.mp4');
  });
});
