import 'reflect-metadata';
import './register-aliases';
import { existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropDatabase, withMaintenanceConnection } from '@app/database/database-admin';
import { RUN_FILE_ENV_VAR, serverUrl, TEST_DB_PREFIX } from '../support/test-db';

const RUN_FILE = /^cctv-test-run-(\d+)-\d+\.txt$/;

/**
 * Drops the test databases this run created and a test did not drop, plus those of earlier runs
 * that died before their teardown (their tracking file is left in the tmp dir and their process is
 * gone). Only names read from tracking files are dropped; the shared template is kept.
 */
export default async function globalTeardown(): Promise<void> {
  const files = new Set<string>();
  const own = process.env[RUN_FILE_ENV_VAR];
  if (own) files.add(own);
  for (const entry of readdirSync(tmpdir())) {
    const m = RUN_FILE.exec(entry);
    if (m && !isAlive(Number(m[1]))) files.add(join(tmpdir(), entry));
  }

  const names = new Set<string>();
  for (const file of files) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const name = line.trim();
      if (name.startsWith(TEST_DB_PREFIX) && !name.startsWith(`${TEST_DB_PREFIX}template_`)) names.add(name);
    }
  }
  if (names.size > 0) {
    await withMaintenanceConnection(serverUrl(), async (admin) => {
      for (const name of names) await dropDatabase(admin, name);
    });
  }
  for (const file of files) {
    try {
      unlinkSync(file);
    } catch {
      /* already gone */
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
