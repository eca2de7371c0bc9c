import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

/** Who this worker process is: fixed at start. */
export class WorkerIdentity {
  readonly host = hostname();
  readonly pid = process.pid;
  readonly id = `${this.host}:${this.pid}`;
  readonly startedAt = new Date().toISOString();
  readonly version = readAppVersion();
}

/** The version in package.json (of the working directory: the project root in every run mode). */
export function readAppVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(resolve(process.cwd(), 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
