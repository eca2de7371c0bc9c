/**
 * The contract between worker processes (which write heartbeats and obey control commands) and the
 * api (which lists workers and sends commands). Keys and channels are relative to REDIS_PREFIX.
 */

/** `worker:heartbeat:<host>:<pid>` holds the JSON WorkerHeartbeat of a live worker. */
export const WORKER_HEARTBEAT_KEY_PREFIX = 'worker:heartbeat:';
export const WORKER_HEARTBEAT_INTERVAL_MS = 5000;
/** A worker that missed about three beats disappears. */
export const WORKER_HEARTBEAT_TTL_SECONDS = 15;
/** Pub/sub channel of WorkerControlCommand messages. */
export const WORKER_CONTROL_CHANNEL = 'control';

export interface WorkerHeartbeat {
  /** `<host>:<pid>` */
  id: string;
  host: string;
  pid: number;
  startedAt: string;
  version: string;
  commit: string | null;
  /** Queues this worker consumes. */
  queues: string[];
  /** Queues it consumes but has paused (also during a restart). */
  pausedQueues: string[];
  lastBeatAt: string;
  /** When it last restarted its queue consumers on a control command. */
  lastRestartAt: string | null;
  restarts: number;
}

export const WORKER_COMMANDS = ['restart-queues', 'pause-queues', 'resume-queues'] as const;
export type WorkerCommandName = (typeof WORKER_COMMANDS)[number];

export interface WorkerControlCommand {
  command: WorkerCommandName;
  /** A worker id (`<host>:<pid>`); every worker when omitted. */
  target?: string;
  /** Limit the command to these queues; all of the worker's queues when omitted. */
  queues?: string[];
  requestedBy?: string;
}

export function workerHeartbeatKey(workerId: string): string {
  return `${WORKER_HEARTBEAT_KEY_PREFIX}${workerId}`;
}

/** Parse a control message; null when malformed. */
export function parseWorkerCommand(raw: string): WorkerControlCommand | null {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const c = v as Record<string, unknown>;
  if (typeof c.command !== 'string' || !(WORKER_COMMANDS as readonly string[]).includes(c.command)) return null;
  if (c.target !== undefined && typeof c.target !== 'string') return null;
  if (c.queues !== undefined && !(Array.isArray(c.queues) && c.queues.every((q) => typeof q === 'string'))) return null;
  if (c.requestedBy !== undefined && typeof c.requestedBy !== 'string') return null;
  return {
    command: c.command as WorkerCommandName,
    ...(c.target !== undefined ? { target: c.target as string } : {}),
    ...(c.queues !== undefined ? { queues: c.queues as string[] } : {}),
    ...(c.requestedBy !== undefined ? { requestedBy: c.requestedBy as string } : {}),
  };
}
