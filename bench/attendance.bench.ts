/**
 * Attendance figures (issue 6), against the BUILT system (dist/) run as real processes on a fresh
 * database seeded with 1,000 people x 1,000 days = 1,000,000 attendance logs:
 *
 *  logs        GET /attendance/logs with `search` and a date range (targets: p95 < 50 ms; spec 400 ms):
 *              one client in sequence (latency of one request) and 8 concurrent clients (autocannon),
 *              over several query shapes; the unfiltered first page for comparison; EXPLAIN ANALYZE.
 *  statistics  GET /attendance/statistics over a month of 1,000 people (target < 200 ms).
 *  exports     CSV of 100,000 rows (time, worker peak RSS; 10,000 and 400,000 rows too), the
 *              1,000,000-row cursor -> CSV stream alone (RSS plateau), PDF of 5,000 rows (time,
 *              cold = first Chromium launch, and warm).
 *
 * Run:  npm run build && npx tsx bench/attendance.bench.ts
 * Writes bench/results/attendance.json. Everything shares this 2-core machine (load generator,
 * api, worker, PostgreSQL, Chromium): compare figures measured in the same run.
 */
import autocannon from 'autocannon';
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataSource } from '@app/database/data-source';
import { AttendanceRepository } from '@app/attendance/attendance.repository';
import { CsvFileWriter } from '@app/reports/csv';
import { performance } from 'node:perf_hooks';
import { startStack, writeResults, type Stack } from './support/stack';

const DAYS = 1000;
const PEOPLE = 1000;
const SEQ_N = Number(process.env.SEQ_N ?? 200);
const CANNON_SECONDS = Number(process.env.CANNON_SECONDS ?? 10);

interface Percentiles {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

function percentiles(samples: number[]): Percentiles {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  const r = (v: number): number => Math.round(v * 10) / 10;
  return {
    n: s.length,
    p50: r(q(0.5)),
    p95: r(q(0.95)),
    p99: r(q(0.99)),
    max: r(s[s.length - 1]!),
    mean: r(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const FIRST = [
  'Sophia',
  'Liam',
  'Olivia',
  'Noah',
  'Emma',
  'Oliver',
  'Ava',
  'Elijah',
  'Mia',
  'James',
  'Isabella',
  'William',
  'Amelia',
  'Lucas',
  'Harper',
  'Henry',
  'Evelyn',
  'Theodore',
  'Luna',
  'Jack',
  'Camila',
  'Levi',
  'Gianna',
  'Alexander',
  'Elizabeth',
  'Jackson',
  'Eleanor',
  'Mateo',
  'Ella',
  'Daniel',
  'Abigail',
  'Michael',
  'Sofia',
  'Mason',
  'Avery',
  'Sebastian',
  'Scarlett',
  'Ethan',
  'Emily',
  'Logan',
  'Aria',
  'Owen',
  'Penelope',
  'Samuel',
  'Chloe',
  'Jacob',
  'Layla',
  'Asher',
  'Mila',
  'Aiden',
];
const LAST = [
  'Martinez',
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
];
const sqlArray = (xs: string[]): string => `ARRAY[${xs.map((x) => `'${x}'`).join(',')}]`;

export function seedSql(): string {
  return `
    INSERT INTO cameras (id, name, location, stream_type)
      SELECT 'CAM-' || lpad(c::text, 2, '0'), 'Camera ' || c, 'Site', 'RTSP' FROM generate_series(1, 10) c;
    CREATE TABLE bench_people AS
      SELECT i, 'EMP-' || lpad(i::text, 5, '0') AS eid,
             (${sqlArray(FIRST)})[1 + i % 50] || ' ' || (${sqlArray(LAST)})[1 + (i / 50) % 20] AS name,
             'Dept ' || (i % 10) AS dept
        FROM generate_series(0, ${PEOPLE - 1}) i;
    INSERT INTO face_profiles (employee_id, name, department, status, created_at)
      SELECT eid, name, dept, 'active', now() - interval '5 years' FROM bench_people;
    INSERT INTO attendance_logs (id, employee_id, name, department, date, time_in, time_out, camera_id, camera_name, accuracy,
                                 status, odoo_status, odoo_sync_time, check_in_at, check_out_at, source)
      SELECT 'ATT-' || to_char(x.d, 'YYYYMMDD') || '-' || lpad((x.i + 1)::text, 4, '0'), x.eid, x.name, x.dept, x.d,
             x.tin, CASE WHEN x.tin IS NULL THEN NULL ELSE time '17:00' + x.r * interval '1 minute' END,
             CASE WHEN x.tin IS NULL THEN NULL ELSE 'CAM-' || lpad((1 + (x.i + x.r) % 10)::text, 2, '0') END,
             CASE WHEN x.tin IS NULL THEN NULL ELSE 'Camera ' || (1 + (x.i + x.r) % 10) END,
             CASE WHEN x.tin IS NULL THEN NULL ELSE 90 + (x.r % 10) END,
             x.status,
             CASE WHEN x.d < current_date - 3 THEN 'synced' ELSE 'pending' END,
             CASE WHEN x.d < current_date - 3 THEN (x.d + time '18:00') AT TIME ZONE 'UTC' END,
             CASE WHEN x.tin IS NULL THEN NULL ELSE (x.d + x.tin) AT TIME ZONE 'UTC' END,
             CASE WHEN x.tin IS NULL THEN NULL ELSE (x.d + time '17:00' + x.r * interval '1 minute') AT TIME ZONE 'UTC' END,
             'auto'
        FROM (
          SELECT p.i, p.eid, p.name, p.dept, d::date AS d, h.r,
                 CASE WHEN h.r < 5 THEN 'missed' WHEN h.r < 20 THEN 'late' ELSE 'present' END AS status,
                 CASE WHEN h.r < 5 THEN NULL
                      WHEN h.r < 20 THEN time '09:11' + h.r * interval '1 minute'
                      ELSE time '08:20' + (h.r % 40) * interval '1 minute' END AS tin
            FROM generate_series(current_date - ${DAYS - 1}, current_date, interval '1 day') d
            CROSS JOIN bench_people p
            CROSS JOIN LATERAL (SELECT abs(hashtext(p.eid || d::date::text)) % 100 AS r) h
        ) x;
    DROP TABLE bench_people;
  `;
}

const isoDay = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

async function timedGet(stack: Stack, token: string, path: string): Promise<{ ms: number; status: number; total?: number }> {
  const started = performance.now();
  const res = await fetch(`${stack.baseUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { meta?: { total: number } };
  return { ms: performance.now() - started, status: res.status, total: body.meta?.total };
}

async function sequential(
  stack: Stack,
  token: string,
  paths: string[],
  n: number,
): Promise<{ latencyMs: Percentiles; statuses: Record<string, number>; totals: number[] }> {
  for (const p of paths) await timedGet(stack, token, p); // warm-up
  const samples: number[] = [];
  const statuses: Record<string, number> = {};
  const totals = new Set<number>();
  for (let i = 0; i < n; i++) {
    const r = await timedGet(stack, token, paths[i % paths.length]!);
    samples.push(r.ms);
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.total !== undefined) totals.add(r.total);
  }
  return { latencyMs: percentiles(samples), statuses, totals: [...totals].sort((a, b) => a - b) };
}

async function cannon(stack: Stack, token: string, paths: string[]): Promise<Record<string, unknown>> {
  const r = await autocannon({
    url: stack.baseUrl,
    connections: 8,
    duration: CANNON_SECONDS,
    headers: { authorization: `Bearer ${token}` },
    requests: paths.map((p) => ({ method: 'GET', path: `/api/v1${p}` })),
  });
  return {
    connections: 8,
    seconds: CANNON_SECONDS,
    requestsPerSecond: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p97_5: r.latency.p97_5, p99: r.latency.p99, max: r.latency.max },
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

function rssKiB(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

async function runExport(
  stack: Stack,
  token: string,
  workerPid: number,
  format: 'csv' | 'pdf',
  filters: Record<string, string>,
): Promise<Record<string, unknown>> {
  const before = rssKiB(workerPid).rss;
  let peak = before;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rssKiB(workerPid).rss);
    } catch {
      /* gone */
    }
  }, 25);
  const started = performance.now();
  const res = await fetch(`${stack.baseUrl}/api/v1/attendance/export`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ format, filters }),
  });
  const accepted = (await res.json()) as { data: { exportId: string } };
  if (res.status !== 202) throw new Error(`export request: ${res.status} ${JSON.stringify(accepted)}`);
  let view: { status: string; rowCount: number; downloadUrl: string; errorMessage: string | null } | undefined;
  for (;;) {
    const r = await fetch(`${stack.baseUrl}/api/v1/exports/${accepted.data.exportId}`, { headers: { authorization: `Bearer ${token}` } });
    view = ((await r.json()) as { data: typeof view }).data;
    if (view!.status === 'completed' || view!.status === 'failed') break;
    await sleep(50);
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  if (view!.status !== 'completed') throw new Error(`export failed: ${view!.errorMessage}`);
  const file = await fetch(view!.downloadUrl);
  const bytes = (await file.arrayBuffer()).byteLength;
  return {
    format,
    rows: view!.rowCount,
    seconds: Math.round(seconds * 100) / 100,
    rowsPerSecond: Math.round(view!.rowCount / seconds),
    bytes,
    workerRssMiB: { before: Math.round(before / 1024), peak: Math.round(peak / 1024), growth: Math.round((peak - before) / 1024) },
  };
}

async function streamOnlyCsv(stack: Stack, expected: number): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'att-bench-csv-'));
  const ds = createDataSource({ DATABASE_URL: stack.env.DATABASE_URL!, DATABASE_POOL_SIZE: 2, DATABASE_LOG_QUERIES: false });
  await ds.initialize();
  try {
    const repo = new AttendanceRepository(ds);
    const mib = (): number => Math.round(process.memoryUsage().rss / 1048576);
    const start = mib();
    let peak = start;
    const marks: Record<string, number> = {};
    const sampler = setInterval(() => (peak = Math.max(peak, mib())), 20);
    const writer = new CsvFileWriter(join(dir, 'all.csv'));
    const started = performance.now();
    let done = 0;
    const rows = await repo.streamLogs({}, 1000, async (batch) => {
      await writer.writeRows(batch.map((r) => Object.values(r)));
      done += batch.length;
      if (done % 200_000 === 0) marks[String(done)] = peak - start;
    });
    const bytes = await writer.close();
    clearInterval(sampler);
    if (rows !== expected) throw new Error(`streamed ${rows} rows, expected ${expected}`);
    return {
      rows,
      bytes,
      seconds: Math.round((performance.now() - started) / 10) / 100,
      rssMiB: { start, peak, growth: peak - start },
      peakGrowthMiBAfterRows: marks,
      note: 'cursor -> CSV file in the bench process (same code as the worker), no upload',
    };
  } finally {
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const loadAtStart = loadavg().map((x) => Math.round(x * 100) / 100);
  const stack = await startStack({ SITE_TIMEZONE: 'UTC', EXPORT_PDF_MAX_ROWS: '20000' });
  try {
    console.log('seeding 1,000,000 logs ...');
    const seedStarted = performance.now();
    stack.psql(seedSql());
    stack.psql('VACUUM ANALYZE attendance_logs');
    stack.psql('VACUUM ANALYZE face_profiles');
    const seedSeconds = Math.round((performance.now() - seedStarted) / 1000);
    const count = Number(stack.psql('SELECT count(*) FROM attendance_logs').trim());
    console.log(`seeded ${count} logs in ${seedSeconds} s`);
    const token = await stack.login();

    // ---- GET /attendance/logs ---------------------------------------------------------------
    const month = `dateFrom=${isoDay(-30)}&dateTo=${isoDay(0)}`;
    const week = `dateFrom=${isoDay(-7)}&dateTo=${isoDay(0)}`;
    const quarter = `dateFrom=${isoDay(-90)}&dateTo=${isoDay(0)}`;
    const shapes: Record<string, string[]> = {
      'full name + month': ['Sophia Martinez', 'Liam Smith', 'Olivia Johnson', 'Noah Williams', 'Emma Brown'].map(
        (n) => `/attendance/logs?search=${encodeURIComponent(n)}&${month}`,
      ),
      'surname (50 people) + week': ['Martinez', 'Garcia', 'Taylor', 'Hernandez', 'Anderson'].map(
        (n) => `/attendance/logs?search=${n}&${week}`,
      ),
      'first name (20 people) + quarter': ['Sophia', 'Theodore', 'Elizabeth', 'Alexander', 'Penelope'].map(
        (n) => `/attendance/logs?search=${n}&${quarter}`,
      ),
      'employee id + quarter': ['EMP-00412', 'EMP-00007', 'EMP-00999', 'EMP-00500', 'EMP-00123'].map(
        (n) => `/attendance/logs?search=${n}&${quarter}`,
      ),
      'surname + month + camera + odooStatus': ['Martinez', 'Smith', 'Lopez'].map(
        (n) => `/attendance/logs?search=${n}&${month}&cameraId=CAM-03&odooStatus=synced`,
      ),
      'page 5 of a surname over a year': ['Martinez', 'Garcia'].map(
        (n) => `/attendance/logs?search=${n}&dateFrom=${isoDay(-365)}&dateTo=${isoDay(0)}&page=5&pageSize=50`,
      ),
    };
    const logs: Record<string, unknown> = {};
    for (const [name, paths] of Object.entries(shapes)) {
      console.log(`logs: ${name}`);
      logs[name] = { sequential: await sequential(stack, token, paths, SEQ_N) };
    }
    const main = [...shapes['full name + month']!, ...shapes['surname (50 people) + week']!, ...shapes['employee id + quarter']!];
    console.log('logs: concurrent mix');
    const concurrent = await cannon(stack, token, main);
    const reference = {
      'no filter, first page (counts 1,000,000)': (await sequential(stack, token, ['/attendance/logs'], 50)).latencyMs,
      'month, no search (30,000 rows)': (await sequential(stack, token, [`/attendance/logs?${month}`], 50)).latencyMs,
    };
    const explain = stack.psql(
      `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
       SELECT * FROM attendance_logs l
        WHERE l.employee_id = ANY(ARRAY(SELECT p.employee_id FROM attendance_log_people p WHERE p.name ILIKE '%Martinez%' OR p.employee_id ILIKE '%Martinez%'))
          AND (l.name ILIKE '%Martinez%' OR l.employee_id ILIKE '%Martinez%')
          AND l.date >= '${isoDay(-7)}' AND l.date <= '${isoDay(0)}'
        ORDER BY l.date DESC, l.check_in_at DESC NULLS LAST, l.id DESC LIMIT 20`,
    );

    // ---- GET /attendance/statistics -----------------------------------------------------------
    console.log('statistics');
    const statsMonth = await sequential(stack, token, [`/attendance/statistics?dateFrom=${isoDay(-29)}&dateTo=${isoDay(0)}`], 50);
    const statsYear = await sequential(stack, token, [`/attendance/statistics?dateFrom=${isoDay(-364)}&dateTo=${isoDay(0)}`], 10);
    const statsMonthCamera = await sequential(
      stack,
      token,
      [`/attendance/statistics?dateFrom=${isoDay(-29)}&dateTo=${isoDay(0)}&cameraId=CAM-03`],
      30,
    );

    // ---- exports --------------------------------------------------------------------------------
    console.log('exports');
    const worker = stack.startWorker();
    await sleep(8000); // boot (engines load) before measuring
    const baseline = rssKiB(worker.pid!);
    const exportsResult: Record<string, unknown> = {
      workerRssAtIdleMiB: Math.round(baseline.rss / 1024),
      csv10k: await runExport(stack, token, worker.pid!, 'csv', { dateFrom: isoDay(-9), dateTo: isoDay(0) }),
      csv100k: await runExport(stack, token, worker.pid!, 'csv', { dateFrom: isoDay(-99), dateTo: isoDay(0) }),
      // 400,000 rows (~45 MB): the local S3 server has no multipart upload (MinIO does), so stay under 64 MiB.
      csv400k: await runExport(stack, token, worker.pid!, 'csv', { dateFrom: isoDay(-399), dateTo: isoDay(0) }),
      pdf5kCold: await runExport(stack, token, worker.pid!, 'pdf', { dateFrom: isoDay(-4), dateTo: isoDay(0) }),
      pdf5kWarm: await runExport(stack, token, worker.pid!, 'pdf', { dateFrom: isoDay(-9), dateTo: isoDay(-5) }),
      workerVmHwmMiB: Math.round(rssKiB(worker.pid!).hwm / 1024),
      note: 'seconds = POST /attendance/export to GET /exports/{id} showing completed (50 ms polling), file in S3; RSS of the worker process only (Chromium runs in its own processes)',
    };

    // Rows streamed from the cursor to a CSV file in this process, without upload (the local S3
    // server cannot take the multipart upload of a 1,000,000-row file): memory after a plateau.
    console.log('csv stream only, 1,000,000 rows');
    const streamOnly = await streamOnlyCsv(stack, count);

    const file = writeResults('attendance', {
      loadAverage: {
        atStart: loadAtStart,
        atEnd: loadavg().map((x) => Math.round(x * 100) / 100),
        note: '1/5/15-minute load of this shared 2-core machine (other processes included)',
      },
      dataset: { logs: count, people: PEOPLE, days: DAYS, seedSeconds },
      targets: { logsP95Ms: 50, specLogsMs: 400, statisticsMonthMs: 200 },
      logs: { ...logs, concurrentMix: concurrent, reference, explainSurnameWeek: explain.split('\n') },
      statistics: { month1000People: statsMonth, year1000People: statsYear, monthOneCamera: statsMonthCamera },
      exports: { ...exportsResult, csvStreamOnly1m: streamOnly },
    });
    console.log(`wrote ${file}`);
    console.log(JSON.stringify({ logs, concurrent, reference, statsMonth, exportsResult }, null, 1));
  } finally {
    await stack.stop();
  }
}

if (process.env.ATTENDANCE_BENCH_PRINT_SEED === '1') {
  process.stdout.write(seedSql());
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
