import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { freePort } from '../support/services';
import { createTestApp, type TestContext } from '../support/test-app';
import { assertFreshBuild } from '../support/built-process';

jest.setTimeout(90_000);

const ROOT = process.cwd();
const API_MAIN = join(ROOT, 'dist/apps/api/src/main.js');

/** What this test exercises in the built api: dist/ must be newer than each. */
const API_SOURCES = [
  'apps/api/src/main.ts',
  'apps/api/src/bootstrap.ts',
  'apps/api/src/cluster.ts',
  'libs/system/src/prometheus/cluster-metrics.ts',
];

/** Pids of the live direct children of `parent` (from /proc). */
function childrenOf(parent: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === parent && fields[0] !== 'Z') out.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return out.sort((a, b) => a - b);
}

/** GET on a fresh connection (Connection: close), so that the cluster hands each request to a process. */
function getOnce(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { ...headers, connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('API_WORKERS=2: two api processes behind one port', () => {
  let t: TestContext;
  let primary: ChildProcess;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let output = '';
  let base: string;
  let token: string;
  let liveRequests = 0;

  /** GET /health/live; the 200s are what the metrics must count. */
  const live = async (): Promise<number> => {
    const { status } = await getOnce(`${base}/health/live`);
    if (status === 200) liveRequests++;
    return status;
  };
  const scrapeLiveCount = async (): Promise<number> => {
    const res = await getOnce(`${base}/api/v1/metrics`, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    const m = /^http_requests_total\{method="GET",route="\/health\/live",status_code="200"\} (\d+)$/m.exec(res.body);
    return m ? Number(m[1]) : 0;
  };

  beforeAll(async () => {
    assertFreshBuild(API_SOURCES);
    t = await createTestApp();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    primary = spawn(process.execPath, [API_MAIN], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...t.env,
        API_WORKERS: '2',
        API_PORT: String(port),
        API_HOST: '127.0.0.1',
        PUBLIC_URL: base,
        LOG_LEVEL: 'warn',
        METRICS_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    primary.stdout?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
    primary.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
    exited = new Promise((resolve) => primary.once('exit', (code, signal) => resolve({ code, signal })));
    await until('both api processes to answer', async () => {
      try {
        return childrenOf(primary.pid as number).length === 2 && (await live()) === 200 ? true : undefined;
      } catch {
        return undefined;
      }
    });
    token = (await t.login()).accessToken;
  });

  afterAll(async () => {
    if (primary && primary.exitCode === null && primary.signalCode === null) {
      const kids = childrenOf(primary.pid as number);
      primary.kill('SIGKILL');
      for (const pid of kids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    await t?.close();
  });

  it('forks two processes; any of them answers GET /metrics with the requests of both, counted once each', async () => {
    expect(childrenOf(primary.pid as number)).toHaveLength(2);
    for (let i = 0; i < 30; i++) expect(await live()).toBe(200);
    // whichever process answers the scrape, it reports every process's requests (30 fresh connections
    // were spread over both; one process alone would report about half)
    expect(await scrapeLiveCount()).toBe(liveRequests);
    expect(await scrapeLiveCount()).toBe(liveRequests);
    expect(await scrapeLiveCount()).toBe(liveRequests);
  });

  it('replaces a process killed with SIGKILL and keeps answering', async () => {
    const before = childrenOf(primary.pid as number);
    process.kill(before[0], 'SIGKILL');
    const after = await until('a replacement process', () => {
      const now = childrenOf(primary.pid as number);
      return now.length === 2 && !now.includes(before[0]) ? now : undefined;
    });
    expect(after).toContain(before[1]);
    await until('the replacement to answer', async () => {
      for (let i = 0; i < 6; i++) if ((await live()) !== 200) return undefined;
      return true;
    });
    expect(output).toMatch(/api process exited; starting a new one/);
  });

  it('SIGTERM to the primary stops every process gracefully, exit code 0', async () => {
    const kids = childrenOf(primary.pid as number);
    expect(kids).toHaveLength(2);
    primary.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    for (const pid of kids) expect(() => process.kill(pid, 0)).toThrow();
  });
});
