import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { killAndWait, killAllChildren, trackChild } from '@app/cameras/stream';

/**
 * Child processes of the test stream servers. Each is started under `setpriv --pdeathsig KILL`
 * when available, so the kernel kills it even if the test process dies without cleaning up, and is
 * tracked by the library's registry, which kills it on a normal exit.
 */
const SETPRIV = '/usr/bin/setpriv';
const useSetpriv = existsSync(SETPRIV);
let signalsHooked = false;

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllChildren();
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
}

export interface ManagedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly name: string;
  /** Last few KB of stderr, for error messages. */
  stderrTail(): string;
  /** True once the process has exited. */
  exited(): boolean;
  /** SIGKILL and wait for exit. */
  stop(): Promise<void>;
}

export interface StartProcessOptions {
  /** Keep a stdin pipe open: children that watch stdin exit when this process goes away. */
  stdinPipe?: boolean;
  /** Receive stdout (otherwise ignored). */
  onStdout?: (chunk: Buffer) => void;
}

export function startProcess(name: string, command: string, args: string[], options: StartProcessOptions = {}): ManagedProcess {
  hookSignals();
  const [file, argv] = useSetpriv ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, args];
  const child = spawn(file, argv, {
    stdio: [options.stdinPipe ? 'pipe' : 'ignore', options.onStdout ? 'pipe' : 'ignore', 'pipe'],
  });
  if (child.pid === undefined) {
    throw new Error(`${name}: could not start ${command}`);
  }
  trackChild(child);
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-4096);
  });
  if (options.onStdout) child.stdout?.on('data', options.onStdout);
  child.stdin?.on('error', () => undefined);
  const pid = child.pid;
  return {
    child,
    pid,
    name,
    stderrTail: () => tail,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop: () => killAndWait(child),
  };
}

/** A TCP port that was free a moment ago (the OS chose it). */
export function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true, failing after `timeoutMs` or when `abortIf` says so. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  abortIf?: () => string | null,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = abortIf?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Whether something accepts TCP connections on host:port. */
export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect({ port, host });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
