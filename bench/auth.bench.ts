/**
 * Issue 2 speed: GET /auth/me and GET /users?search= over 1,000 users against the built api process,
 * with autocannon in this process (load generator on the same 2 cores).
 * Target: >= 1,000 req/s with p99 < 20 ms. Run: npm run build && npx tsx bench/auth.bench.ts
 */
import autocannon from 'autocannon';
import { startStack, writeResults } from './support/stack';

async function measure(url: string, token: string, connections: number, seconds: number) {
  const r = await autocannon({ url, connections, duration: seconds, headers: { authorization: `Bearer ${token}` } });
  return {
    requestsPerSecond: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    connections,
    durationSeconds: seconds,
  };
}

async function main(): Promise<void> {
  const stack = await startStack();
  try {
    const hash = stack.psql(`SELECT hashed_password FROM users WHERE email = 'admin@example.com'`).trim();
    stack.psql(
      `INSERT INTO users (email, name, hashed_password, role_id, status)
       SELECT 'user' || g || '@bench.test', 'Bench User ' || g, '${hash}', CASE WHEN g % 3 = 0 THEN 'ROLE-VIEWER' ELSE 'ROLE-OPERATOR' END, 'active'
       FROM generate_series(1, 1000) g`,
    );
    stack.psql('ANALYZE users');
    const token = await stack.login();
    // warm-up
    await measure(`${stack.baseUrl}/api/v1/auth/me`, token, 10, 3);
    const me = await measure(`${stack.baseUrl}/api/v1/auth/me`, token, 10, 15);
    const users = await measure(`${stack.baseUrl}/api/v1/users?search=user5&pageSize=20`, token, 10, 15);
    const result = {
      target: { minRequestsPerSecond: 1000, p99Ms: 20 },
      users: 1001,
      authMe: me,
      usersSearch: users,
      pass: me.requestsPerSecond >= 1000 && me.latencyMs.p99 < 20 && users.requestsPerSecond >= 1000 && users.latencyMs.p99 < 20,
    };
    console.log(JSON.stringify(result, null, 2));
    console.log('written to', writeResults('auth', result));
  } finally {
    await stack.stop();
  }
}

void main();
