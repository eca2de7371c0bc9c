import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The BUILT apps (dist/) as child processes, for tests that kill them (SIGKILL) and start others:
 * crash and cluster tests cannot run them in the test process.
 */
const ROOT = process.cwd();
export const WORKER_MAIN = join(ROOT, 'dist/apps/worker/src/main.js');

/** Throws unless every source (repo-relative .ts) has a compiled dist/ file newer than itself. */
export function assertFreshBuild(sources: readonly string[]): void {
  for (const source of sources) {
    const compiled = join(ROOT, 'dist', source.replace(/\.ts$/, '.js'));
    if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(join(ROOT, source)).mtimeMs) {
      throw new Error(`dist/ is missing or older than ${source}: run \`npm run build\` before this test`);
    }
  }
}

export interface RunningWorker {
  child: ChildProcess;
  /** Resolves with the signal that ended the process, or its exit code. */
  exited: Promise<NodeJS.Signals | number | null>;
  /** The last 20,000 characters of its stdout + stderr. */
  output: () => string;
}

/** Starts dist/apps/worker/src/main.js with `env` (a TestContext's), quiet logs, a 5 s shutdown. */
export function startWorker(env: Record<string, string>): RunningWorker {
  const child = spawn(process.execPath, [WORKER_MAIN], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn', WORKER_SHUTDOWN_TIMEOUT_SECONDS: '5' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text = (text + chunk.toString()).slice(-20_000)));
  child.stderr?.on('data', (chunk: Buffer) => (text = (text + chunk.toString()).slice(-20_000)));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  return { child, exited, output: () => text };
}

/** Stops every worker still running: SIGTERM, then SIGKILL after 8 s. */
export async function stopWorkers(workers: readonly RunningWorker[]): Promise<void> {
  for (const w of workers) {
    if (w.child.exitCode !== null || w.child.signalCode !== null) continue;
    w.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([w.exited, new Promise((r) => (timer = setTimeout(r, 8000)))]);
    clearTimeout(timer);
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  }
}
