import type { ChildProcess } from 'node:child_process';

/**
 * Every ffmpeg/ffprobe child this library starts is tracked here until it exits, and killed
 * (SIGKILL) if the Node process exits first, so that no decoder outlives its owner.
 */
const live = new Map<number, ChildProcess>();
let hookInstalled = false;

function installExitHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  process.once('exit', () => killAllChildren());
}

/** Tracks a spawned child until it exits. */
export function trackChild(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  installExitHook();
  live.set(pid, child);
  child.once('exit', () => live.delete(pid));
}

/** Pids of tracked children that have not exited yet. */
export function liveChildPids(): number[] {
  return [...live.keys()];
}

/** Kills every tracked child (synchronous: safe in an `exit` handler). */
export function killAllChildren(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const child of live.values()) {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Sends SIGKILL and resolves once the child has exited (immediately if it already has, or never started). */
export function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('close', () => resolve());
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
    // A child that failed to spawn has no pid and emits no 'exit'.
    if (child.pid === undefined) resolve();
  });
}

/** Whether a process with this pid exists (a reaped child no longer does). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
