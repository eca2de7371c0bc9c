/**
 * Open-loop, fixed-rate HTTP load (the wrk2 model): request i is due at start + i / rate whether or not
 * earlier requests have answered, and its latency is measured from that due time, so a slow server
 * (or a load generator that falls behind) shows up in the figures instead of lowering the offered rate
 * (no coordinated omission).
 *
 * Why not autocannon's `overallRate`: autocannon gives each connection a per-second quota and sends
 * it back to back at the start of every second (node_modules/autocannon/lib/httpClient.js, the
 * `rateInterval` / `reqsMadeThisSecond` pair), so "200 req/s" arrives as a burst of 200 requests
 * every second. The bursty figures stay available in the benchmarks as a second, harsher view.
 */
import { connect, type Socket } from 'node:net';

export interface OpenLoopOptions {
  url: string;
  ratePerSecond: number;
  seconds: number;
  headers?: Record<string, string>;
  /** Most connections opened to the server (requests beyond them wait, and the wait counts as latency). */
  maxSockets?: number;
  /** Path (with query) of each request, when it varies; default: the path of `url`. */
  path?: () => string;
  /** A request still unanswered after this long counts as a timeout. */
  timeoutMs?: number;
}

export interface OpenLoopResult {
  ratePerSecond: number;
  seconds: number;
  sent: number;
  completed: number;
  achievedPerSecond: number;
  /** Every latency in ms, measured from the request's due time to the end of its response body. */
  latencies: number[];
  statusCounts: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  bytesPerResponse: number;
  /** How far behind schedule the generator itself fell at worst (ms): a large value means the figures include generator lag. */
  maxScheduleLagMs: number;
}

/**
 * One keep-alive connection with at most one request in flight. The client side is a pre-built request
 * buffer and a minimal response parser (status line, Content-Length, body length): cheap enough that
 * the generator leaves the server most of this 2-core machine (node:http's client costs about as much
 * CPU per request as the server).
 */
class Conn {
  private readonly socket: Socket;
  private buf: Buffer = Buffer.alloc(0);
  private current: { due: number; onDone: (status: number, bytes: number, due: number) => void; onError: (e: Error) => void } | null = null;
  private timer: NodeJS.Timeout | null = null;
  ready: Promise<void>;
  dead = false;

  constructor(
    host: string,
    port: number,
    private readonly timeoutMs: number,
  ) {
    this.socket = connect({ host, port });
    this.socket.setNoDelay(true);
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('close', () => this.fail(new Error('connection closed')));
  }

  get busy(): boolean {
    return this.current !== null;
  }

  send(req: Buffer, due: number, onDone: (status: number, bytes: number, due: number) => void, onError: (e: Error) => void): void {
    this.current = { due, onDone, onError };
    this.timer = setTimeout(() => this.fail(new Error('timeout')), this.timeoutMs);
    this.socket.write(req);
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const headerEnd = this.buf.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const head = this.buf.toString('latin1', 0, headerEnd);
    const status = Number(head.slice(9, 12));
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!m) return this.fail(new Error('response without Content-Length'));
    const length = Number(m[1]);
    const total = headerEnd + 4 + length;
    if (this.buf.length < total) return;
    if (this.buf.length > total) return this.fail(new Error('unexpected bytes after the response'));
    this.buf = Buffer.alloc(0);
    const cur = this.current;
    this.current = null;
    if (this.timer) clearTimeout(this.timer);
    cur?.onDone(status, length, cur.due);
  }

  private fail(e: Error): void {
    if (this.dead) return;
    this.dead = true;
    if (this.timer) clearTimeout(this.timer);
    const cur = this.current;
    this.current = null;
    this.socket.destroy();
    cur?.onError(e);
  }

  close(): void {
    this.dead = true;
    this.socket.destroy();
  }
}

export async function openLoop(opts: OpenLoopOptions): Promise<OpenLoopResult> {
  const target = new URL(opts.url);
  const port = Number(target.port || 80);
  const headerLines = Object.entries({ host: target.host, connection: 'keep-alive', ...(opts.headers ?? {}) })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const requestFor = (path: string): Buffer => Buffer.from(`GET ${path} HTTP/1.1\r\n${headerLines}\r\n`, 'latin1');
  const fixed = requestFor(`${target.pathname}${target.search}`);
  const maxSockets = opts.maxSockets ?? 32;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const interval = 1000 / opts.ratePerSecond;
  const total = Math.round(opts.ratePerSecond * opts.seconds);
  const pool: Conn[] = [];
  // a handful of connections up front, more when all are busy (up to maxSockets)
  for (let i = 0; i < Math.min(4, maxSockets); i++) pool.push(new Conn(target.hostname, port, timeoutMs));
  await Promise.all(pool.map((c) => c.ready));

  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  const queue: number[] = []; // due times waiting for a free connection
  const trace: Array<[number, number]> = [];
  let sent = 0;
  let completed = 0;
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  let bytes = 0;
  let maxLag = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const settle = (): void => {
    if (completed + errors + timeouts === total) resolveDone();
    else pump();
  };
  const onDone = (status: number, n: number, due: number): void => {
    latencies.push(performance.now() - due);
    if (process.env.OPEN_LOOP_TRACE) trace.push([Math.round(due - start), Math.round(performance.now() - due)]);
    const code = String(status);
    statusCounts[code] = (statusCounts[code] ?? 0) + 1;
    if (status < 200 || status > 299) non2xx++;
    bytes += n;
    completed++;
    settle();
  };
  const onError = (e: Error): void => {
    if (e.message === 'timeout') timeouts++;
    else errors++;
    settle();
  };
  const pump = (): void => {
    while (queue.length) {
      let conn = pool.find((c) => !c.busy && !c.dead);
      if (!conn) {
        for (let i = pool.length - 1; i >= 0; i--) if (pool[i].dead) pool.splice(i, 1);
        if (pool.length >= maxSockets) return; // all busy: the request waits, its latency keeps counting
        conn = new Conn(target.hostname, port, timeoutMs);
        pool.push(conn);
      }
      conn.send(opts.path ? requestFor(opts.path()) : fixed, queue.shift() as number, onDone, onError);
    }
  };

  const start = performance.now() + 5;
  const tick = (): void => {
    const now = performance.now();
    while (sent < total && start + sent * interval <= now) {
      const due = start + sent * interval;
      maxLag = Math.max(maxLag, now - due);
      queue.push(due);
      sent++;
    }
    pump();
    if (sent < total) {
      // timers are ~1 ms granular: requests that fall due meanwhile go out together on the next tick,
      // late by at most that much, and the lateness counts in their latency (spinning on setImmediate
      // instead would burn a whole core that the server needs)
      setTimeout(tick, Math.max(1, Math.floor(start + sent * interval - performance.now())));
    }
  };
  tick();
  await done;
  for (const c of pool) c.close();
  if (process.env.OPEN_LOOP_TRACE) {
    const worst = trace.filter(([, l]) => l > 15);
    console.log('slow (due ms, latency ms):', JSON.stringify(worst.filter((_, i) => i % Math.max(1, Math.floor(worst.length / 60)) === 0)));
  }
  return {
    ratePerSecond: opts.ratePerSecond,
    seconds: opts.seconds,
    sent,
    completed,
    achievedPerSecond: Math.round(completed / opts.seconds),
    latencies,
    statusCounts,
    non2xx,
    errors,
    timeouts,
    bytesPerResponse: Math.round(bytes / Math.max(1, completed)),
    maxScheduleLagMs: Math.round(maxLag * 100) / 100,
  };
}

/** p50/p90/p95/p99/max/mean of a list of ms values, rounded to 0.01 ms. */
export function latencyStats(samples: number[]): {
  n: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
} {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? 0;
  const r = (v: number): number => Math.round(v * 100) / 100;
  return {
    n: s.length,
    p50: r(q(0.5)),
    p90: r(q(0.9)),
    p95: r(q(0.95)),
    p99: r(q(0.99)),
    max: r(s[s.length - 1] ?? 0),
    mean: r(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)),
  };
}
