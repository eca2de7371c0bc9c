import autocannon from 'autocannon';
import http from 'node:http';
import { startStack } from './support/stack';
async function main() {
  const stack = await startStack();
  const bare = http.createServer((_q, s) => { s.setHeader('content-type','application/json'); s.end('{"success":true,"data":[]}'); });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
  const bareUrl = `http://127.0.0.1:${(bare.address() as {port:number}).port}/`;
  try {
    const token = await stack.login();
    for (const [name, url] of [['bare', bareUrl], ['health', `${stack.baseUrl}/health/live`], ['me', `${stack.baseUrl}/api/v1/auth/me`]]) {
      await autocannon({ url, connections: 10, duration: 2, headers: { authorization: `Bearer ${token}` } });
      const r2 = await autocannon({ url, connections: 10, duration: 6, headers: { authorization: `Bearer ${token}` } });
      console.log(name, JSON.stringify({ maxrps: r2.requests.average, p50: r2.latency.p50, p99: r2.latency.p99 }));
    }
  } finally { bare.close(); await stack.stop(); }
}
void main();
