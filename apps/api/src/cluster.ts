import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { serveClusterMetrics } from '@app/system/prometheus/cluster-metrics';

/** API_WORKERS: 0 = one api process per CPU core. */
export function apiProcessCount(setting: number): number {
  return setting === 0 ? availableParallelism() : setting;
}

/**
 * The cluster primary (API_WORKERS > 1): forks the api processes, which share API_PORT (the primary
 * hands each new connection to one of them), and serves nothing itself. Every api process is
 * stateless (sessions, rate limits, caches, WebSocket fan-out and locks live in Redis and
 * PostgreSQL), so any of them can answer any request. A process that dies is replaced; when they keep
 * dying (more than three exits per process within a minute) the primary gives up and exits 1 so that
 * a supervisor sees the failure. SIGTERM/SIGINT are passed on, and the primary exits once every
 * process has shut down gracefully (or after 30 s, killing the rest).
 */
const SHUTDOWN_GRACE_MS = 30_000;

export function runClusterPrimary(count: number, logger: Logger): void {
  serveClusterMetrics();
  const exits: number[] = [];
  let stopping = false;
  let exitCode = 0;
  const alive = (): number => Object.values(cluster.workers ?? {}).filter(Boolean).length;

  const stop = (code: number): void => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    if (alive() === 0) process.exit(exitCode);
    setTimeout(() => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(exitCode);
    }, SHUTDOWN_GRACE_MS).unref();
  };

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (alive() === 0) process.exit(exitCode);
      return;
    }
    const now = Date.now();
    exits.push(now);
    while (exits.length && now - exits[0] > 60_000) exits.shift();
    if (exits.length > count * 3) {
      logger.fatal({ pid: worker.process.pid, code, signal }, 'api processes keep exiting; stopping');
      stop(1);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'api process exited; starting a new one');
    setTimeout(() => !stopping && cluster.fork(), 1000);
  });
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  for (let i = 0; i < count; i++) cluster.fork();
  logger.info({ processes: count, pid: process.pid }, 'api cluster primary started');
}
