/**
 * The living demo: drives a running system through its public REST API, as an admin would, so a
 * new user sees it work within a minute:
 *
 * - people enrolled from real photographs (POST /faces, multipart);
 * - cameras streaming real video of them: three RTSP cameras served by a local GStreamer RTSP
 *   server fed by ffmpeg, and one Local File camera (the videos are made from the photographs of
 *   test/fixtures/photos: people walk into view and leave again);
 * - the built-in detection provider switched on, so detections appear live and attendance fills in;
 * - a camera showing a visitor who is not enrolled (an Unknown Face alert);
 * - an Odoo emulator (test/emulators/odoo.emulator.ts) whose employees' barcodes are our employee
 *   ids, configured in /odoo/config with autoSync on; one POST /odoo/sync after the first attendance.
 *
 * Idempotent: cameras are matched by id (created or updated), people by employeeId (created, or
 * only given images when they have none), the Odoo settings are overwritten with the same values.
 * It then stays up (the RTSP server and the Odoo emulator live in this process) and logs progress.
 *
 *   npx tsx scripts/demo.ts           (scripts/demo.sh runs it in the background for up.sh)
 *
 * Reads API_PORT, PUBLIC_URL, ADMIN_EMAIL, ADMIN_PASSWORD, DATABASE_URL like the api. Files: .local/demo/
 * (media/, odoo-state.<database>.json, summary.txt, ready.json). Stopped with SIGTERM (bash scripts/down.sh).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DEMO_API_KEY, OdooEmulator } from '../test/emulators/odoo.emulator';
import {
  DEMO_PEOPLE as PEOPLE,
  PHOTOS_DIR,
  buildDemoVideos,
  startDemoRtspServer,
  type DemoPerson,
  type DemoRtspServer,
} from './demo-media';

const ROOT = process.cwd();
const DEMO_DIR = resolve(ROOT, '.local/demo');
const MEDIA_DIR = join(DEMO_DIR, 'media');
/** The emulator's data belongs with the database whose logs were pushed to it. */
const DATABASE_NAME = (/\/([^/?]+)(?:\?.*)?$/.exec(process.env.DATABASE_URL ?? '')?.[1] ?? 'cctv_attendance').replace(
  /[^A-Za-z0-9_.-]/g,
  '_',
);
const ODOO_STATE = join(DEMO_DIR, `odoo-state.${DATABASE_NAME}.json`);
const SUMMARY_FILE = join(DEMO_DIR, 'summary.txt');
const READY_FILE = join(DEMO_DIR, 'ready.json');

const API_PORT = Number(process.env.API_PORT ?? 3000);
const API = `http://127.0.0.1:${API_PORT}`;
const PUBLIC = (process.env.PUBLIC_URL ?? `http://localhost:${API_PORT}`).replace(/\/+$/, '');
const ADMIN_EMAIL = process.env.ADMIN_EMAIL ?? 'admin@example.com';
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? 'admin12345';
/** Well-known ports when free (RTSP's and Odoo's usual ones), else any free port. */
const RTSP_PORT = 8554;
const ODOO_PORT = 8069;
const ODOO_DB = 'odoo';
const ODOO_LOGIN = 'admin';

const started = Date.now();
const since = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const log = (msg: string): void => {
  process.stdout.write(`${new Date().toISOString()} demo: ${msg}\n`);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------------------ cast

interface DemoCamera {
  id: string;
  name: string;
  location: string;
  /** Demo feed (scripts/demo-media.ts DEMO_FEEDS). */
  feed: string;
  streamType: 'RTSP' | 'Local File';
  tags: string[];
  shows: string;
}

/** The seed's demo camera ids (npm run seed -- --demo), now pointed at live video. */
const CAMERAS: DemoCamera[] = [
  {
    id: 'CAM-01',
    name: 'Main Entrance',
    location: 'Building A - Lobby',
    feed: 'entrance',
    streamType: 'Local File',
    tags: ['primary', 'entry', 'demo'],
    shows: 'Franck (a video)',
  },
  {
    id: 'CAM-02',
    name: 'Reception',
    location: 'Building A - Reception',
    feed: 'reception',
    streamType: 'RTSP',
    tags: ['entry', 'demo'],
    shows: 'Nicolas Cage, Grace Hopper',
  },
  {
    id: 'CAM-03',
    name: 'Loading Dock',
    location: 'Warehouse - Dock 2',
    feed: 'loading-dock',
    streamType: 'RTSP',
    tags: ['warehouse', 'demo'],
    shows: 'Eileen Collins, Franck',
  },
  {
    id: 'CAM-04',
    name: 'North Gate',
    location: 'Outdoor - Parking North',
    feed: 'north-gate',
    streamType: 'RTSP',
    tags: ['perimeter', 'demo'],
    shows: 'a visitor who is not enrolled',
  },
];
const SAMPLE_INTERVAL_MS = 2000;

// ------------------------------------------------------------------------------------ API client

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Envelope<T> {
  success: boolean;
  data: T;
  meta?: { total: number };
  error?: { code?: string; message?: string };
}

let token = '';

async function login(): Promise<void> {
  const res = await fetch(`${API}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  const body = (await res.json().catch(() => null)) as Envelope<{ accessToken: string }> | null;
  if (!res.ok || !body?.data?.accessToken) {
    throw new ApiError(
      res.status,
      body?.error?.code ?? 'LOGIN_FAILED',
      `login as ${ADMIN_EMAIL} failed: ${body?.error?.message ?? res.status}`,
    );
  }
  token = body.data.accessToken;
}

/** One API call; the envelope's data (and meta). Logs in again once on 401 (expired token). */
async function api<T>(method: string, path: string, body?: unknown, retry = true): Promise<{ data: T; total: number | null }> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(60_000) };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(`${API}/api/v1${path}`, init);
  if (res.status === 401 && retry) {
    await login();
    return api<T>(method, path, body, false);
  }
  if (res.status === 204) return { data: undefined as T, total: null };
  const env = (await res.json().catch(() => null)) as Envelope<T> | null;
  if (!res.ok || !env) {
    throw new ApiError(
      res.status,
      env?.error?.code ?? 'HTTP_ERROR',
      `${method} ${path}: ${res.status} ${env?.error?.message ?? res.statusText}`,
    );
  }
  return { data: env.data, total: env.meta?.total ?? null };
}

async function waitForApi(timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${API}/health/ready`, { signal: AbortSignal.timeout(3000) });
      if (res.ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > until) throw new Error(`the api at ${API} is not ready (start it with bash scripts/up.sh)`);
    await sleep(1000);
  }
}

// ------------------------------------------------------------------------------------- the steps

interface FaceProfile {
  id: string;
  employeeId: string;
  name: string;
  status: string;
  imageCount: number;
}

function photoForm(person: DemoPerson, withFields: boolean): FormData {
  const form = new FormData();
  if (withFields) {
    form.append('name', person.name);
    form.append('employeeId', person.employeeId);
    form.append('department', person.department);
    form.append('notes', 'Demo person (scripts/demo.ts), enrolled from real photographs');
  }
  for (const photo of person.photos) {
    const file = join(PHOTOS_DIR, photo);
    const type = photo.endsWith('.png') ? 'image/png' : 'image/jpeg';
    form.append('images', new Blob([readFileSync(file)], { type }), basename(file));
  }
  return form;
}

async function findProfile(employeeId: string): Promise<FaceProfile | null> {
  const { data } = await api<FaceProfile[]>('GET', `/faces?search=${encodeURIComponent(employeeId)}&pageSize=100`);
  return data.find((p) => p.employeeId === employeeId) ?? null;
}

/** Enrols each demo person once (a person that exists without images only gets the images). */
async function enrolPeople(): Promise<void> {
  for (const person of PEOPLE) {
    const existing = await findProfile(person.employeeId);
    try {
      if (!existing) {
        const t = Date.now();
        const { data } = await api<FaceProfile>('POST', '/faces', photoForm(person, true));
        log(
          `enrolled ${person.name} (${person.employeeId}) from ${person.photos.join(', ')}: ${data.status}, ${data.imageCount} image(s), ${Date.now() - t} ms`,
        );
      } else if (existing.imageCount === 0) {
        const { data } = await api<FaceProfile>('POST', `/faces/${existing.id}/images`, photoForm(person, false));
        log(`added ${data.imageCount} photo(s) to ${person.name} (${person.employeeId}): ${data.status}`);
      } else {
        log(`${person.name} (${person.employeeId}) is enrolled already (${existing.imageCount} image(s), ${existing.status})`);
      }
    } catch (err) {
      log(`could not enrol ${person.name} (${person.employeeId}): ${(err as Error).message}`);
    }
  }
}

interface Camera {
  id: string;
  name: string;
  location: string;
  streamType: string;
  streamUrl: string | null;
  enabled: boolean;
  samplingEnabled: boolean;
  sampleIntervalMs: number;
  rtspTransport: string;
  status: string;
  tags: string[];
}

/** Creates the camera, or updates the fields that differ from the demo's (matched by id). */
async function ensureCamera(cam: DemoCamera, streamUrl: string): Promise<void> {
  const wanted = {
    name: cam.name,
    location: cam.location,
    streamType: cam.streamType,
    streamUrl,
    enabled: true,
    samplingEnabled: true,
    sampleIntervalMs: SAMPLE_INTERVAL_MS,
    rtspTransport: 'tcp',
    ipAddress: '127.0.0.1',
    tags: cam.tags,
  };
  let current: Camera | null = null;
  try {
    current = (await api<Camera>('GET', `/cameras/${cam.id}`)).data;
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
  }
  if (!current) {
    await api('POST', '/cameras', { id: cam.id, ...wanted });
    log(`camera ${cam.id} ${cam.name} created (${cam.streamType} ${streamUrl})`);
    return;
  }
  const changed = (Object.keys(wanted) as (keyof typeof wanted)[]).filter(
    (k) => k !== 'ipAddress' && JSON.stringify(current[k as keyof Camera]) !== JSON.stringify(wanted[k]),
  );
  const update: Record<string, unknown> = Object.fromEntries(changed.map((k) => [k, wanted[k]]));
  if (changed.length > 0) update.ipAddress = wanted.ipAddress;
  if (current.status === 'maintenance') update.status = 'offline';
  if (Object.keys(update).length === 0) {
    log(`camera ${cam.id} ${cam.name} is set up already`);
    return;
  }
  await api('PUT', `/cameras/${cam.id}`, update);
  log(`camera ${cam.id} ${cam.name} updated (${Object.keys(update).join(', ')})`);
}

interface ProviderConfig {
  kind: string;
  enabled: boolean;
  status: string;
}

async function ensureDetectionProvider(): Promise<void> {
  const { data } = await api<ProviderConfig>('GET', '/detections/provider/config');
  if (data.kind !== 'builtin') {
    log(`warning: the detection provider is '${data.kind}', not the built-in engine; detections depend on it`);
  }
  if (!data.enabled) {
    await api('PUT', '/detections/provider/config', { enabled: true });
    log('detection provider enabled');
  } else {
    log(`detection provider: ${data.kind}, enabled`);
  }
}

// ----------------------------------------------------------------------------------- Odoo emulator

interface OdooState {
  employees: ReturnType<OdooEmulator['employees']>;
  attendances: ReturnType<OdooEmulator['attendances']>;
}

/** Brings back what the emulator held when the demo last stopped (synced attendances stay synced). */
function restoreOdoo(emulator: OdooEmulator): void {
  if (!existsSync(ODOO_STATE)) return;
  try {
    const state = JSON.parse(readFileSync(ODOO_STATE, 'utf8')) as OdooState;
    let renumbered = 0;
    for (const e of [...state.employees].sort((a, b) => a.id - b.id)) {
      const id = emulator.addEmployee({
        name: e.name,
        barcode: e.barcode || undefined,
        identification_id: e.identification_id || undefined,
        active: e.active,
      });
      if (id !== e.id) renumbered += 1;
    }
    for (const a of [...state.attendances].sort((x, y) => x.id - y.id)) {
      if (emulator.addAttendance({ employee_id: a.employee_id, check_in: a.check_in, check_out: a.check_out }) !== a.id) renumbered += 1;
    }
    log(
      `Odoo emulator: restored ${state.employees.length} employee(s), ${state.attendances.length} attendance(s)${renumbered ? ` (${renumbered} renumbered)` : ''}`,
    );
  } catch (err) {
    log(`Odoo emulator: could not restore ${ODOO_STATE} (${(err as Error).message}); starting empty`);
  }
}

function saveOdoo(emulator: OdooEmulator): void {
  const state: OdooState = { employees: emulator.employees(), attendances: emulator.attendances() };
  writeFileSync(`${ODOO_STATE}.tmp`, JSON.stringify(state));
  renameSync(`${ODOO_STATE}.tmp`, ODOO_STATE); // atomic: a crash never leaves half a file
}

async function startOnPort<T>(what: string, preferred: number, start: (port: number) => Promise<T>): Promise<T> {
  try {
    return await start(preferred);
  } catch (err) {
    log(`${what}: port ${preferred} is not available (${(err as Error).message.split('\n')[0]}); using a free port`);
    return start(0);
  }
}

// ----------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  mkdirSync(MEDIA_DIR, { recursive: true });
  rmSync(READY_FILE, { force: true });
  log(`starting (pid ${process.pid}); api ${API}`);

  const videos = await buildDemoVideos(MEDIA_DIR);
  log(`demo videos ready in ${MEDIA_DIR} (${since()})`);

  const rtspFeeds = CAMERAS.filter((c) => c.streamType === 'RTSP').map((c) => ({ name: c.feed, video: videos[c.feed] as string }));
  const rtsp: DemoRtspServer = await startOnPort('RTSP server', RTSP_PORT, (port) => startDemoRtspServer(rtspFeeds, { port, log }));
  log(`RTSP server on port ${rtsp.port}: ${Object.values(rtsp.urls).join(' ')} (${since()})`);

  const odoo = new OdooEmulator({ database: ODOO_DB, login: ODOO_LOGIN, apiKey: DEMO_API_KEY, userName: 'Demo Admin' });
  restoreOdoo(odoo);
  const odooUrl = await startOnPort('Odoo emulator', ODOO_PORT, (port) => odoo.start(port));
  log(`Odoo emulator ${odoo.serverVersion} on ${odooUrl}`);

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    try {
      saveOdoo(odoo);
    } catch (err) {
      log(`could not save the Odoo emulator state: ${(err as Error).message}`);
    }
    rmSync(READY_FILE, { force: true });
    await Promise.allSettled([rtsp.stop(), odoo.stop()]);
    log('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await waitForApi(120_000);
  await login();
  log(`signed in as ${ADMIN_EMAIL} (${since()})`);

  await ensureDetectionProvider();
  await enrolPeople();
  for (const cam of CAMERAS) {
    const url = cam.streamType === 'RTSP' ? (rtsp.urls[cam.feed] as string) : (videos[cam.feed] as string);
    await ensureCamera(cam, url);
  }
  // As an admin does after adding a camera: test the connection (records status, fps, resolution).
  const tests = await Promise.all(
    CAMERAS.map((cam) =>
      api<{ success: boolean; fps: number; resolution: string | null; latencyMs: number; message: string }>(
        'POST',
        `/cameras/${cam.id}/test-connection`,
      ).then(
        ({ data }) =>
          `${cam.id} ${data.success ? `ok ${data.resolution} ${data.fps} fps, ${data.latencyMs} ms` : `failed: ${data.message}`}`,
        (err: Error) => `${cam.id} not tested: ${err.message}`,
      ),
    ),
  );
  log(`connection tests: ${tests.join('; ')}`);

  // Odoo: every face profile is an employee whose barcode is its employeeId.
  const { data: profiles } = await api<FaceProfile[]>('GET', '/faces?pageSize=100');
  const barcodes = new Set(odoo.employees().map((e) => e.barcode));
  const added = profiles.filter((p) => !barcodes.has(p.employeeId));
  for (const p of added) odoo.addEmployee({ name: p.name, barcode: p.employeeId });
  saveOdoo(odoo);
  log(`Odoo emulator: ${odoo.employees().length} employee(s) (${added.length} added), barcode = employeeId`);
  await api('PUT', '/odoo/config', {
    baseUrl: odooUrl,
    database: ODOO_DB,
    login: ODOO_LOGIN,
    apiKey: DEMO_API_KEY,
    autoSync: true,
    employeeMatchField: 'barcode',
    protocol: 'jsonrpc',
  });
  const { data: test } = await api<{ status: string; serverVersion: string | null; message: string }>('POST', '/odoo/test');
  log(`Odoo configured (${odooUrl}, autoSync on): test ${test.status}, version ${test.serverVersion ?? '-'}: ${test.message}`);

  const summary = renderSummary(rtsp, odooUrl, videos);
  writeFileSync(SUMMARY_FILE, summary);
  writeFileSync(
    READY_FILE,
    JSON.stringify({ pid: process.pid, readyAt: new Date().toISOString(), setupSeconds: (Date.now() - started) / 1000 }),
  );
  log(`set up in ${since()}; watching\n${summary}`);

  setInterval(() => {
    try {
      saveOdoo(odoo);
    } catch {
      /* next time */
    }
  }, 15_000).unref();
  await watch(odoo);
}

/** Logs the milestones (first detection, attendance, unknown-face alert, Odoo push) then a status line a minute. */
async function watch(odoo: OdooEmulator): Promise<void> {
  const watchFrom = Date.now();
  const seen = { detection: false, attendance: false, alert: false, synced: false };
  let syncJob: string | null = null;
  const alertsLogged = new Set<string>();
  let lastStatus = 0;
  for (;;) {
    try {
      const { data: live } = await api<{ name: string | null; cameraId: string; status: string; confidence: number; timestamp: string }[]>(
        'GET',
        '/detections/live?limit=5',
      );
      const fresh = live.filter((d) => Date.parse(d.timestamp) >= watchFrom - 60_000);
      if (!seen.detection && fresh.length > 0) {
        seen.detection = true;
        const d = fresh[0]!;
        log(`first detection after ${since()}: ${d.name ?? 'unknown face'} on ${d.cameraId} (${d.status}, ${d.confidence})`);
      }
      const { data: logs, total } = await api<{ id: string; name: string; timeIn: string | null }[]>('GET', '/attendance/logs?pageSize=5');
      if (!seen.attendance && logs.length > 0) {
        seen.attendance = true;
        log(`attendance: ${total ?? logs.length} log(s) today, newest ${logs[0]!.id} ${logs[0]!.name} (${since()})`);
        const { data: job } = await api<{ jobId: string; deduplicated: boolean }>('POST', '/odoo/sync', {});
        syncJob = job.jobId;
        log(`POST /odoo/sync: job ${job.jobId}${job.deduplicated ? ' (a sync was running already)' : ''}`);
      }
      if (syncJob && !seen.synced) {
        const { data: job } = await api<{ status: string; result: unknown; error: string | null }>(
          'GET',
          `/jobs/${encodeURIComponent(syncJob)}`,
        );
        if (job.status === 'completed' || job.status === 'failed') {
          seen.synced = true;
          log(
            `Odoo sync ${job.status}: ${JSON.stringify(job.result ?? job.error)}; Odoo now holds ${odoo.attendances().length} attendance(s)`,
          );
        }
      }
      const { data: alerts } = await api<{ id: string; title: string; cameraId: string | null; timestamp: string }[]>(
        'GET',
        '/alerts?kind=unknown_face&pageSize=5',
      );
      for (const a of alerts.filter((x) => !alertsLogged.has(x.id) && Date.parse(x.timestamp) >= watchFrom - 60_000).reverse()) {
        seen.alert = true;
        log(`unknown-face alert: "${a.title}" on ${a.cameraId} at ${a.timestamp} (${since()})`);
      }
      alerts.forEach((a) => alertsLogged.add(a.id));
      if (Date.now() - lastStatus > 60_000) {
        lastStatus = Date.now();
        const { total: detections } = await api<unknown[]>('GET', '/detections/events?pageSize=1');
        const { total: alerts } = await api<unknown[]>('GET', '/alerts?pageSize=1');
        const { data: status } = await api<{ pendingCount: number; syncedCount: number; failedCount: number }>('GET', '/odoo/status');
        log(
          `status: ${detections ?? '?'} detection event(s), ${total ?? 0} attendance log(s), ${alerts ?? '?'} alert(s); ` +
            `Odoo synced ${status.syncedCount}, pending ${status.pendingCount}, failed ${status.failedCount}; attendances in the emulator ${odoo.attendances().length}`,
        );
      }
    } catch (err) {
      log(`watch: ${(err as Error).message}`);
    }
    await sleep(seen.detection && seen.attendance && seen.alert && seen.synced ? 10_000 : 3_000);
  }
}

function renderSummary(rtsp: DemoRtspServer, odooUrl: string, videos: Record<string, string>): string {
  const api = `${PUBLIC}/api/v1`;
  const cams = CAMERAS.map((c) => {
    const where = c.streamType === 'RTSP' ? rtsp.urls[c.feed] : `${videos[c.feed]} (Local File)`;
    return `    ${c.id} ${c.name.padEnd(14)} ${where}  -> ${c.shows}`;
  }).join('\n');
  const people = PEOPLE.map((p) => `${p.name} ${p.employeeId}`).join(', ');
  const login =
    `curl -s -X POST ${api}/auth/login -H 'content-type: application/json' ` +
    `-d '{"username":"${ADMIN_EMAIL}","password":"${ADMIN_PASSWORD}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).data.accessToken'`;
  const jqHint = existsSync('/usr/bin/jq') ? '' : ' (install jq for the pretty output: apt-get install jq)';
  return `Demo (scripts/demo.ts, log .local/logs/demo.log)
  API               ${api}
  Swagger UI        ${PUBLIC}/docs
  Admin login       ${ADMIN_EMAIL} / ${ADMIN_PASSWORD}
  Enrolled          ${people}
  Cameras (each sampled every ${SAMPLE_INTERVAL_MS / 1000} s by the worker; play RTSP with: ffplay -rtsp_transport tcp <url>)
${cams}
  Odoo emulator     ${odooUrl}  database ${ODOO_DB}, login ${ODOO_LOGIN}, API key ${DEMO_API_KEY}
                    (employees' barcode = employeeId; synced from /odoo/sync, and every 30 min with autoSync)
  Try${jqHint}:
    TOKEN=$(${login})
    curl -s -H "Authorization: Bearer $TOKEN" '${api}/detections/live?limit=5' | jq '.data[] | {name, cameraId, status, confidence, timestamp}'
    curl -s -H "Authorization: Bearer $TOKEN" '${api}/attendance/logs?pageSize=5' | jq '.data[] | {id, name, timeIn, timeOut, cameraName, status, odooStatus}'
    curl -s -H "Authorization: Bearer $TOKEN" '${api}/alerts?kind=unknown_face' | jq '.data[] | {title, cameraId, timestamp}'
    curl -s -H "Authorization: Bearer $TOKEN" '${api}/odoo/logs' | jq '.data[] | {timestamp, employeeId, result, action, attendanceLogId}'
`;
}

main().catch((err: unknown) => {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
