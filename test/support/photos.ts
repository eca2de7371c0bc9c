import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Real photographs for face-engine tests and benches, put under test/fixtures/photos/ by
 * scripts/fetch-test-photos.sh (gitignored, never committed).
 */
export const PHOTOS_DIR = process.env.PHOTOS_DIR ?? path.join(process.cwd(), 'test', 'fixtures', 'photos');

const HINT = 'run `bash scripts/fetch-test-photos.sh` first';

/** Absolute path of a fixture photo; throws a clear error when it is missing. */
export function photoPath(name: string): string {
  const file = path.join(PHOTOS_DIR, name);
  if (!existsSync(file)) {
    throw new Error(`test photo ${name} is missing in ${PHOTOS_DIR}: ${HINT}`);
  }
  return file;
}

/** The photo's bytes (see photoPath). */
export function readPhoto(name: string): Buffer {
  return readFileSync(photoPath(name));
}

/** Names of photos matching a pattern, sorted; throws when none match. */
export function photoNames(pattern: RegExp): string[] {
  if (!existsSync(PHOTOS_DIR)) throw new Error(`${PHOTOS_DIR} does not exist: ${HINT}`);
  const names = readdirSync(PHOTOS_DIR)
    .filter((n) => pattern.test(n))
    .sort();
  if (names.length === 0) throw new Error(`no test photo matches ${pattern} in ${PHOTOS_DIR}: ${HINT}`);
  return names;
}
