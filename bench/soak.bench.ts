/**
 * Load and soak (issue 9, item 4), against the BUILT system (dist/) run as real processes: api +
 * worker + local S3 (bench/support/stack.ts), PostgreSQL and Redis of this machine.
 *
 * - N simulated operators (SOAK_OPERATORS, default 200), each signed in with an account of its own
 *   and sitting on one page of the dashboard, poll that page's endpoints at the intervals of the
 *   spec's "Frontend Analysis" (PAGES below), like the frontend's usePolling hook: fixed rate
 *   (setInterval semantics: a slow answer does not delay the next poll), each endpoint starting at
 *   a random phase (operators already have their pages open), the access token renewed through
 *   POST /auth/refresh before it expires. Each operator connects from its own address (X-Forwarded-For,
 *   which the api trusts from loopback proxies); the api keeps its default rate limits.
 * - Continuous detection on M cameras (SOAK_CAMERAS, default 16): real RTSP streams (one GStreamer
 *   RTSP server, an ffmpeg publisher per camera, looping the living demo's videos of enrolled and
 *   unknown people: scripts/demo-media.ts) sampled every 2 s by one worker with the built-in engine.
 * - For D minutes (SOAK_MINUTES, default 10) after a warm-up: p50/p95/p99/max per endpoint against
 *   the spec's targets, every error (non-2xx, network error, 30 s timeout; must be 0), RSS of the api
 *   and of the worker at start and end (plus a sample every 15 s), frames analysed, the load
 *   generator's own event-loop delay (this process shares the 2 cores).
 *
 * Run:  npm run build && npx tsx bench/soak.bench.ts
 *       SOAK_MINUTES=2 SOAK_OPERATORS=200 SOAK_CAMERAS=16 npx tsx bench/soak.bench.ts
 * Needs `bash scripts/fetch-test-photos.sh`. Writes bench/results/soak.json.
 * Everything (api, worker, PostgreSQL, Redis, ffmpeg, this generator) shares this machine's cores.
 */
import bcrypt from 'bcrypt';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { DEMO_FEEDS, DEMO_PEOPLE, PHOTOS_DIR, buildDemoVideos, startDemoRtspServer, type DemoRtspServer } from '../scripts/demo-media';
import { childPids, cpuMs, rssMiB } from './support/process-stats';
import { startStack, writeResults, type Stack } from './support/stack';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const OPERATORS = Number(process.env.SOAK_OPERATORS ?? 200);
const CAMERAS = Number(process.env.SOAK_CAMERAS ?? 16);
const SAMPLE_INTERVAL_MS = 2000;
const WARMUP_MS = 20_000;
const REQUEST_TIMEOUT_MS = 30_000;
const MEMORY_SAMPLE_MS = 15_000;
const OPERATOR_PASSWORD = 'soak-operator-password-1';

type Role = 'ROLE-ADMIN' | 'ROLE-OPERATOR';

interface Poll {
  /** Path under /api/v1, with the query the page sends. */
  path: string;
  /** Seconds between polls. */
  every: number;
}

interface Page {
  name: string;
  /** Share of the operators on this page. */
  share: number;
  role: Role;
  polls: Poll[];
}

/**
 * The frontend's polling, page by page (spec: "Frontend Analysis"). Settings needs the admin role
 * (users, roles); the other pages are used by operators.
 */
const PAGES: Page[] = [
  {
    name: 'dashboard',
    share: 0.3,
    role: 'ROLE-OPERATOR',
    polls: [
      { path: '/cameras', every: 7 },
      { path: '/cameras/summary', every: 12 },
      { path: '/attendance/records?limit=10', every: 9 },
      { path: '/alerts?pageSize=10', every: 8 },
      { path: '/system/network-metrics', every: 15 },
      { path: '/shifts', every: 18 },
    ],
  },
  {
    name: 'live-view',
    share: 0.25,
    role: 'ROLE-OPERATOR',
    polls: [
      { path: '/cameras', every: 6.5 },
      { path: '/cameras/summary', every: 12 },
      { path: '/detections/live?limit=20', every: 4 },
      { path: '/detections/provider/config', every: 20 },
      { path: '/detections/events?pageSize=20', every: 20 },
    ],
  },
  {
    name: 'attendance',
    share: 0.15,
    role: 'ROLE-OPERATOR',
    polls: [
      { path: '/attendance/logs?page=1&pageSize=25', every: 15 },
      { path: '/odoo/config', every: 20 },
      { path: '/odoo/logs?pageSize=20', every: 20 },
      { path: '/cameras', every: 45 },
      { path: '/attendance/statistics', every: 30 },
      { path: '/attendance/overview', every: 30 },
    ],
  },
  {
    name: 'settings',
    share: 0.05,
    role: 'ROLE-ADMIN',
    polls: [
      { path: '/cameras', every: 20 },
      { path: '/roles', every: 60 },
      { path: '/users', every: 30 },
      { path: '/odoo/config', every: 30 },
      { path: '/detections/provider/config', every: 30 },
    ],
  },
  { name: 'face-register', share: 0.08, role: 'ROLE-OPERATOR', polls: [{ path: '/faces', every: 12 }] },
  { name: 'alerts', share: 0.09, role: 'ROLE-OPERATOR', polls: [{ path: '/alerts', every: 8 }] },
  {
    name: 'system-health',
    share: 0.08,
    role: 'ROLE-OPERATOR',
    polls: [
      { path: '/system/health/metrics', every: 10 },
      { path: '/system/health/services', every: 10 },
    ],
  },
];

/** p95 targets of the spec's "Critical Performance Requirements" table, by endpoint. */
function targetMs(endpoint: string): number | null {
  if (endpoint.startsWith('/detections/live')) return 200;
  if (endpoint === '/cameras') return 300;
  if (endpoint.startsWith('/attendance/logs')) return 400;
  if (endpoint.startsWith('/alerts')) return 250;
  if (endpoint.startsWith('/system/')) return 300;
  if (endpoint.startsWith('/attendance/statistics')) return 500;
  if (['/roles', '/users', '/odoo/config', '/detections/provider/config'].includes(endpoint)) return 400;
  return null;
}

const round = (v: number, d = 1): number => Math.round(v * 10 ** d) / 10 ** d;
const load = (): number[] => loadavg().map((v) => round(v, 2));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (msg: string): void => {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} soak: ${msg}\n`);
};

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number);
}

interface Envelope<T> {
  data: T;
  meta?: { total: number };
  error?: { code: string; message: string };
}

async function call<T>(stack: Stack, token: string, method: string, path: string, body?: unknown, ip?: string): Promise<T> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${token}`, ...(ip ? { 'x-forwarded-for': ip } : {}) } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(`${stack.baseUrl}/api/v1${path}`, init);
  const env = (await res.json().catch(() => null)) as Envelope<T> | null;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${env?.error?.message ?? ''}`);
  return (env as Envelope<T>).data;
}

// ---------------------------------------------------------------------------------- set-up

async function enrolDemoPeople(stack: Stack, admin: string): Promise<void> {
  for (const person of DEMO_PEOPLE) {
    const form = new FormData();
    form.append('name', person.name);
    form.append('employeeId', person.employeeId);
    form.append('department', person.department);
    for (const photo of person.photos) {
      const type = photo.endsWith('.png') ? 'image/png' : 'image/jpeg';
      form.append('images', new Blob([readFileSync(join(PHOTOS_DIR, photo))], { type }), basename(photo));
    }
    await call(stack, admin, 'POST', '/faces', form);
  }
}

/** CAM-01..CAM-M on the RTSP mounts (the seed's demo cameras are re-pointed, the rest created). */
async function setUpCameras(stack: Stack, admin: string, rtsp: DemoRtspServer): Promise<void> {
  const existing = new Set((await call<{ id: string }[]>(stack, admin, 'GET', '/cameras?pageSize=100')).map((c) => c.id));
  for (let i = 1; i <= CAMERAS; i += 1) {
    const id = `CAM-${String(i).padStart(2, '0')}`;
    const fields = {
      name: existing.has(id) ? undefined : `Soak camera ${i}`,
      location: existing.has(id) ? undefined : `Soak site ${1 + (i % 4)}`,
      streamType: 'RTSP',
      streamUrl: rtsp.urls[`cam-${String(i).padStart(2, '0')}`],
      rtspTransport: 'tcp',
      enabled: true,
      samplingEnabled: true,
      sampleIntervalMs: SAMPLE_INTERVAL_MS,
      ipAddress: '127.0.0.1',
    };
    if (existing.has(id)) await call(stack, admin, 'PUT', `/cameras/${id}`, fields);
    else await call(stack, admin, 'POST', '/cameras', { id, ...fields });
  }
  // Seeded cameras beyond M stay out of the soak.
  for (const id of existing) {
    if (Number(id.slice(4)) > CAMERAS) await call(stack, admin, 'PATCH', `/cameras/${id}/state`, { enabled: false });
  }
}

interface Operator {
  index: number;
  page: Page;
  email: string;
  /** Address the operator's browser connects from (X-Forwarded-For; the api trusts loopback proxies). */
  ip: string;
  accessToken: string;
  refreshToken: string;
  /** performance.now() after which the token is renewed. */
  renewAt: number;
}

/** 10.20.x.y, one per operator. */
const operatorIp = (i: number): string => `10.20.${Math.floor(i / 250)}.${(i % 250) + 1}`;

function assignPages(n: number): Page[] {
  const counts = PAGES.map((p) => Math.floor(p.share * n));
  for (let i = 0; counts.reduce((a, b) => a + b, 0) < n; i += 1) counts[i % PAGES.length]! += 1;
  return PAGES.flatMap((p, i) => Array<Page>(counts[i] as number).fill(p));
}

/** The operators' accounts (inserted directly: setting up 200 people is not what is measured), then their logins. */
async function signInOperators(stack: Stack): Promise<Operator[]> {
  const pages = assignPages(OPERATORS);
  const hash = await bcrypt.hash(OPERATOR_PASSWORD, 4);
  const values = pages
    .map((p, i) => `('soak-op-${String(i + 1).padStart(3, '0')}@bench.local', 'Soak operator ${i + 1}', '${hash}', '${p.role}', 'active')`)
    .join(',\n');
  stack.psql(`INSERT INTO users (email, name, hashed_password, role_id, status) VALUES ${values}`);
  const operators: Operator[] = [];
  for (let i = 0; i < pages.length; i += 10) {
    const batch = pages.slice(i, i + 10).map(async (page, j) => {
      const email = `soak-op-${String(i + j + 1).padStart(3, '0')}@bench.local`;
      const ip = operatorIp(i + j);
      const res = await fetch(`${stack.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify({ username: email, password: OPERATOR_PASSWORD }),
      });
      const body = (await res.json()) as Envelope<{ accessToken: string; refreshToken: string; expiresIn: number }>;
      if (!res.ok) throw new Error(`login ${email}: ${res.status} ${body.error?.message}`);
      return {
        index: i + j,
        page,
        email,
        ip,
        accessToken: body.data.accessToken,
        refreshToken: body.data.refreshToken,
        renewAt: performance.now() + body.data.expiresIn * 800,
      };
    });
    operators.push(...(await Promise.all(batch)));
  }
  return operators;
}

// ---------------------------------------------------------------------------------- the soak

interface Sample {
  /** performance.now() when the request was sent. */
  at: number;
  ms: number;
  status: number;
}

interface Recorder {
  samples: Map<string, Sample[]>;
  errors: { at: string; endpoint: string; status: number; detail: string }[];
  errorCount: number;
  inFlight: number;
  maxInFlight: number;
}

/** One request, timed and recorded under `endpoint`; resolves with its status (0: no answer) and body. */
async function timedRequest(
  stack: Stack,
  rec: Recorder,
  endpoint: string,
  init: RequestInit,
  path: string,
): Promise<{ status: number; text: string }> {
  rec.inFlight += 1;
  rec.maxInFlight = Math.max(rec.maxInFlight, rec.inFlight);
  const t0 = performance.now();
  let status = 0;
  let text = '';
  try {
    const res = await fetch(`${stack.baseUrl}/api/v1${path}`, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    status = res.status;
    text = await res.text();
  } catch (err) {
    status = 0;
    text = (err as Error).message;
  } finally {
    rec.inFlight -= 1;
  }
  const ms = performance.now() - t0;
  const list = rec.samples.get(endpoint) ?? [];
  list.push({ at: t0, ms, status });
  rec.samples.set(endpoint, list);
  if (status < 200 || status >= 300) {
    rec.errorCount += 1;
    if (rec.errors.length < 50) rec.errors.push({ at: new Date().toISOString(), endpoint, status, detail: text.slice(0, 300) });
  }
  return { status, text };
}

async function renew(stack: Stack, rec: Recorder, op: Operator): Promise<void> {
  const res = await timedRequest(
    stack,
    rec,
    'POST /auth/refresh',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': op.ip },
      body: JSON.stringify({ refreshToken: op.refreshToken }),
    },
    '/auth/refresh',
  );
  if (res.status >= 200 && res.status < 300) {
    const body = JSON.parse(res.text) as Envelope<{ accessToken: string; refreshToken: string; expiresIn: number }>;
    op.accessToken = body.data.accessToken;
    op.refreshToken = body.data.refreshToken;
    op.renewAt = performance.now() + body.data.expiresIn * 800;
  }
}

/** Runs every operator's polls until `until` (performance.now()); resolves when the last answer is in. */
function runOperators(stack: Stack, rec: Recorder, operators: Operator[], until: number): Promise<void> {
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>): void => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const timers: NodeJS.Timeout[] = [];
  for (const op of operators) {
    let renewing: Promise<void> | null = null;
    for (const poll of op.page.polls) {
      const endpoint = poll.path.split('?')[0] as string;
      const period = poll.every * 1000;
      let next = performance.now() + Math.random() * period;
      const tick = (): void => {
        if (performance.now() >= until) return;
        if (!renewing && performance.now() >= op.renewAt) {
          renewing = renew(stack, rec, op).finally(() => (renewing = null));
          track(renewing);
        }
        const send = async (): Promise<void> => {
          if (renewing) await renewing;
          await timedRequest(
            stack,
            rec,
            endpoint,
            { headers: { authorization: `Bearer ${op.accessToken}`, 'x-forwarded-for': op.ip } },
            poll.path,
          );
        };
        track(send());
        next += period;
        timers.push(setTimeout(tick, Math.max(0, next - performance.now())));
      };
      timers.push(setTimeout(tick, Math.max(0, next - performance.now())));
    }
  }
  return (async () => {
    await sleep(Math.max(0, until - performance.now()));
    timers.forEach(clearTimeout);
    while (pending.size > 0) await Promise.allSettled([...pending]);
  })();
}

// ---------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const cpus = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? 0;
  log(`${OPERATORS} operators, ${CAMERAS} cameras, ${MINUTES} min (machine: ${cpus} cores, load ${load().join(' ')})`);
  const videos = await buildDemoVideos('.local/demo/media');
  const feeds = DEMO_FEEDS.map((f) => f.name);
  const mounts = Array.from({ length: CAMERAS }, (_, i) => ({
    name: `cam-${String(i + 1).padStart(2, '0')}`,
    video: videos[feeds[i % feeds.length] as string] as string,
  }));
  const rtsp = await startDemoRtspServer(mounts, { port: 0, readyTimeoutMs: 60_000, log });
  log(`RTSP server on port ${rtsp.port}: ${CAMERAS} mounts`);

  // The default rate limits (120 requests/min per user, 10 logins/min per IP and per account):
  // the operators must stay under them, each from its own address.
  const stack = await startStack({ RATE_LIMIT_PER_MINUTE: '120', LOGIN_RATE_LIMIT_PER_MINUTE: '10' }, { seedDemo: true });
  const apiPid = childPids('dist/apps/api/src/main.js')[0];
  try {
    if (!apiPid) throw new Error('api process not found');
    const admin = await stack.login();
    await enrolDemoPeople(stack, admin);
    await setUpCameras(stack, admin, rtsp);
    const operators = await signInOperators(stack);
    log(`set up: ${DEMO_PEOPLE.length} people enrolled, ${CAMERAS} cameras, ${operators.length} operators signed in`);

    // Preflight: every page's endpoints answer its role with 2xx (else the soak would only measure errors).
    for (const page of PAGES) {
      const op = operators.find((o) => o.page === page);
      if (!op) continue;
      for (const poll of page.polls) await call(stack, op.accessToken, 'GET', poll.path, undefined, op.ip);
    }

    const worker = stack.startWorker();
    const workerPid = worker.pid as number;
    const firstDetection = Date.now();
    for (;;) {
      const n = Number(stack.psql(`SELECT count(*) FROM detection_event_logs WHERE status = 'received'`).trim());
      if (n > 0) break;
      if (Date.now() - firstDetection > 120_000) throw new Error('no frame was analysed within 120 s of the worker start');
      await sleep(1000);
    }
    log(`worker analysing frames ${((Date.now() - firstDetection) / 1000).toFixed(1)} s after start; warming up ${WARMUP_MS / 1000} s`);
    const rec: Recorder = { samples: new Map(), errors: [], errorCount: 0, inFlight: 0, maxInFlight: 0 };
    // Warm-up: the same mix, not recorded (connections, caches, JIT).
    await runOperators(stack, rec, operators, performance.now() + WARMUP_MS);
    const warmupErrors = rec.errorCount;
    rec.samples.clear();
    rec.errors.length = 0;
    rec.errorCount = 0;
    rec.maxInFlight = 0;

    const memory: { t: number; apiMiB: number | null; workerMiB: number | null; workerDecodersMiB: number }[] = [];
    const t0 = Date.now();
    const perfStart = performance.now();
    const sampleMemory = (): void => {
      memory.push({
        t: Math.round((Date.now() - t0) / 1000),
        apiMiB: rssMiB(apiPid),
        workerMiB: rssMiB(workerPid),
        // The worker's ffmpeg decoders (one per sampled camera) are processes of their own.
        workerDecodersMiB: round(childPids('ffmpeg', workerPid).reduce((sum, pid) => sum + (rssMiB(pid) ?? 0), 0)),
      });
    };
    sampleMemory();
    const cpuStart = { api: cpuMs(apiPid) ?? 0, worker: cpuMs(workerPid) ?? 0 };
    const loadStart = load();
    const since = new Date().toISOString();
    const memTimer = setInterval(sampleMemory, MEMORY_SAMPLE_MS);
    const progress = setInterval(() => {
      const total = [...rec.samples.values()].reduce((a, s) => a + s.length, 0);
      log(`${Math.round((Date.now() - t0) / 1000)} s: ${total} requests, ${rec.errorCount} errors, load ${load().join(' ')}`);
    }, 60_000);
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();

    await runOperators(stack, rec, operators, performance.now() + MINUTES * 60_000);

    loopDelay.disable();
    clearInterval(memTimer);
    clearInterval(progress);
    sampleMemory();
    const seconds = (Date.now() - t0) / 1000;
    const cpuEnd = { api: cpuMs(apiPid) ?? 0, worker: cpuMs(workerPid) ?? 0 };
    const until = new Date().toISOString();

    // Per endpoint.
    const pagesOf = (endpoint: string): string[] =>
      PAGES.filter((p) => p.polls.some((q) => q.path.split('?')[0] === endpoint)).map((p) => p.name);
    const endpoints = [...rec.samples.entries()]
      .map(([endpoint, samples]) => {
        const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
        const target = targetMs(endpoint);
        const p95 = pct(ms, 95);
        return {
          endpoint: endpoint.startsWith('POST ') ? endpoint : `GET ${endpoint}`,
          pages: pagesOf(endpoint),
          requests: samples.length,
          perSecond: round(samples.length / seconds, 2),
          errors: samples.filter((s) => s.status < 200 || s.status >= 300).length,
          latencyMs: { p50: pct(ms, 50), p95, p99: pct(ms, 99), max: round(ms[ms.length - 1] ?? 0) },
          targetP95Ms: target,
          meetsTarget: target === null ? null : p95 <= target,
        };
      })
      .sort((a, b) => b.requests - a.requests);
    const requests = endpoints.reduce((a, e) => a + e.requests, 0);
    // Every endpoint together, per 10 s: shows whether slow answers come in bursts (machine stalls).
    const all = [...rec.samples.values()].flat();
    const timeline = Array.from({ length: Math.ceil(seconds / 10) }, (_, i) => {
      const ms = all
        .filter((x) => x.at - perfStart >= i * 10_000 && x.at - perfStart < (i + 1) * 10_000)
        .map((x) => x.ms)
        .sort((a, b) => a - b);
      return { fromS: i * 10, requests: ms.length, p50: pct(ms, 50), p95: pct(ms, 95), max: round(ms[ms.length - 1] ?? 0) };
    }).filter((w) => w.requests > 0);

    // Detection during the window.
    const q = (sql: string): string[][] =>
      stack
        .psql(sql)
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('|'));
    const events = Object.fromEntries(
      q(
        `SELECT status, count(*), coalesce(round(avg(latency_ms)), 0) FROM detection_event_logs WHERE created_at BETWEEN '${since}' AND '${until}' GROUP BY status`,
      ).map(([s, n, avg]) => [s as string, { count: Number(n), avgProviderMs: Number(avg) }]),
    );
    const analysed = (events.received as { count: number } | undefined)?.count ?? 0;
    const detections = Object.fromEntries(
      q(`SELECT status, count(*) FROM detections WHERE created_at BETWEEN '${since}' AND '${until}' GROUP BY status`).map(([s, n]) => [
        s as string,
        Number(n),
      ]),
    );
    const perCamera = q(
      `SELECT camera_id, count(*) FROM detection_event_logs WHERE status = 'received' AND created_at BETWEEN '${since}' AND '${until}' GROUP BY camera_id ORDER BY camera_id`,
    ).map(([c, n]) => ({ cameraId: c, framesAnalysed: Number(n) }));
    const attendanceLogs = Number(q(`SELECT count(*) FROM attendance_logs`)[0]?.[0] ?? 0);
    const alerts = Number(q(`SELECT count(*) FROM alerts`)[0]?.[0] ?? 0);

    const mem = (key: 'apiMiB' | 'workerMiB' | 'workerDecodersMiB'): Record<string, number | null> => {
      const values = memory.map((m) => m[key]).filter((v): v is number => v !== null);
      const start = values[0] ?? null;
      const end = values[values.length - 1] ?? null;
      const quarter = values[Math.floor(values.length / 4)] ?? null;
      return {
        startMiB: start,
        endMiB: end,
        minMiB: values.length ? Math.min(...values) : null,
        maxMiB: values.length ? Math.max(...values) : null,
        growthMiB: start !== null && end !== null ? round(end - start) : null,
        growthPercent: start && end !== null ? round(((end - start) / start) * 100) : null,
        // Past the start-up (engine warm-up, first caches): growth over the last three quarters.
        growthAfterFirstQuarterMiB: quarter !== null && end !== null ? round(end - quarter) : null,
      };
    };

    const result = {
      command: 'npm run build && SOAK_MINUTES=10 SOAK_OPERATORS=200 SOAK_CAMERAS=16 npx tsx bench/soak.bench.ts',
      note:
        'api, worker, PostgreSQL, Redis, the RTSP server and its ffmpeg publishers, and this load generator share the same machine; ' +
        'figures depend on what else runs on it (see loadAverage).',
      config: {
        minutes: MINUTES,
        seconds: round(seconds),
        operators: OPERATORS,
        operatorsPerPage: Object.fromEntries(PAGES.map((p) => [p.name, operators.filter((o) => o.page === p).length])),
        pages: PAGES.map((p) => ({ name: p.name, role: p.role, polls: p.polls.map((x) => `${x.path} every ${x.every} s`) })),
        cameras: CAMERAS,
        sampleIntervalMs: SAMPLE_INTERVAL_MS,
        rateLimits: '120 requests/min per user (per IP without a token), 10 logins/min per IP and per account: the defaults',
        operatorAddresses: 'one per operator (X-Forwarded-For from the loopback proxy the api trusts)',
        warmupSeconds: WARMUP_MS / 1000,
      },
      loadAverage: { start: loadStart, end: load() },
      totals: {
        requests,
        perSecond: round(requests / seconds, 1),
        errors: rec.errorCount,
        warmupErrors,
        endpointsOverTarget: endpoints.filter((e) => e.meetsTarget === false).map((e) => e.endpoint),
      },
      endpoints,
      timeline,
      errorSamples: rec.errors,
      memory: { api: mem('apiMiB'), worker: mem('workerMiB'), workerDecoders: mem('workerDecodersMiB'), samples: memory },
      cpu: {
        apiCoresUsed: round((cpuEnd.api - cpuStart.api) / 1000 / seconds, 2),
        workerCoresUsed: round((cpuEnd.worker - cpuStart.worker) / 1000 / seconds, 2),
      },
      detection: {
        framesOffered: round((CAMERAS * seconds * 1000) / SAMPLE_INTERVAL_MS, 0),
        framesAnalysed: analysed,
        framesAnalysedPerSecond: round(analysed / seconds, 2),
        events,
        detectionsCreated: detections,
        perCamera,
        attendanceLogsTotal: attendanceLogs,
        alertsTotal: alerts,
        rtspPublisherRestarts: rtsp.restarts,
      },
      loadGenerator: {
        eventLoopDelayMs: {
          p50: round(loopDelay.percentile(50) / 1e6),
          p99: round(loopDelay.percentile(99) / 1e6),
          max: round(loopDelay.max / 1e6),
        },
        maxInFlight: rec.maxInFlight,
      },
      pass: rec.errorCount === 0,
    };
    const file = writeResults('soak', result);
    log(`${requests} requests in ${round(seconds)} s (${result.totals.perSecond}/s), ${rec.errorCount} errors -> ${file}`);
    for (const e of endpoints) {
      log(
        `  ${e.endpoint.padEnd(34)} n=${String(e.requests).padStart(6)} p50 ${e.latencyMs.p50} p95 ${e.latencyMs.p95} p99 ${e.latencyMs.p99} max ${e.latencyMs.max} ms` +
          `${e.errors ? `  ERRORS ${e.errors}` : ''}${e.meetsTarget === false ? `  (target ${e.targetP95Ms})` : ''}`,
      );
    }
    log(`  memory api ${JSON.stringify(result.memory.api)}`);
    log(`  memory worker ${JSON.stringify(result.memory.worker)}`);
    log(
      `  frames analysed ${analysed} (${result.detection.framesAnalysedPerSecond}/s of ${round((CAMERAS * 1000) / SAMPLE_INTERVAL_MS, 1)}/s offered)`,
    );
  } finally {
    await stack.stop();
    await rtsp.stop();
    // BullMQ and cache keys outlive the processes: remove this run's prefix.
    try {
      const keys = execFileSync('redis-cli', ['-h', '127.0.0.1', '--scan', '--pattern', `${stack.env.REDIS_PREFIX}*`], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
      for (let i = 0; i < keys.length; i += 500) execFileSync('redis-cli', ['-h', '127.0.0.1', 'DEL', ...keys.slice(i, i + 500)]);
    } catch {
      /* best effort */
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
