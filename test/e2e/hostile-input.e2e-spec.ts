import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import request from 'supertest';
import { createTestApp, TestContext } from '../support/test-app';

type Schema = {
  type?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  format?: string;
  required?: string[];
};
interface Operation {
  operationId: string;
  parameters?: Array<{ name: string; in: 'path' | 'query'; schema?: Schema }>;
  requestBody?: { content: Record<string, { schema?: Schema }> };
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const HOSTILE_STRINGS = [
  "' OR '1'='1' --",
  '1; DROP TABLE users; --',
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '\u0000\u0001\u0002\u001f',
  '😀👩‍👩‍👧‍👦 Ω ﷽ \u202e',
  '<script>alert(1)</script>',
  'x'.repeat(100_000),
];
const HOSTILE_IDS = [
  'not-a-valid-id',
  "1' OR '1'='1",
  '..%2F..%2Fsecrets',
  '%00',
  'x'.repeat(2000),
  '%F0%9F%98%80',
  '-1',
  '9999999999999999999999',
];
const LEAKS = /QueryFailedError|node_modules|at [A-Za-z.]+ \(|\bSELECT\b.*\bFROM\b|\/work\/|stack|TypeError|ReferenceError/;

function resolve(doc: Doc, s: Schema | undefined): Schema | undefined {
  if (s?.$ref) return doc.components.schemas[s.$ref.split('/').pop() as string];
  return s;
}

/** Body variants that violate the schema: wrong types, unknown fields, huge strings and arrays, null. */
function badBodies(doc: Doc, schema: Schema | undefined): Array<{ label: string; body: unknown }> {
  const s = resolve(doc, schema);
  const out: Array<{ label: string; body: unknown }> = [
    { label: 'null', body: null },
    { label: 'array', body: [1, 2, 3] },
    { label: 'number', body: 42 },
    { label: 'unknown field', body: { __proto__x: 1, surprise: 'field' } },
  ];
  const props = s?.properties ?? {};
  const wrong: Record<string, unknown> = {};
  const huge: Record<string, unknown> = {};
  for (const [name, p0] of Object.entries(props)) {
    const p = resolve(doc, p0) ?? {};
    wrong[name] = p.type === 'string' ? { nested: true } : p.type === 'array' ? 'not-an-array' : 'not-a-number';
    huge[name] = p.type === 'array' ? Array.from({ length: 5000 }, () => 'x'.repeat(50)) : 'x'.repeat(200_000);
  }
  if (Object.keys(props).length) {
    out.push({ label: 'wrong types', body: wrong });
    out.push({ label: 'huge values', body: huge });
    for (const str of HOSTILE_STRINGS.slice(0, 7)) {
      out.push({
        label: `hostile strings ${JSON.stringify(str.slice(0, 12))}`,
        body: Object.fromEntries(Object.keys(props).map((k) => [k, str])),
      });
    }
  }
  return out;
}

describe('hostile input over every operation of openapi.json', () => {
  let t: TestContext;
  let token: string;
  const outcomes: Record<string, number> = {};
  const failures: string[] = [];
  let sent = 0;

  beforeAll(async () => {
    t = await createTestApp({ BODY_LIMIT_BYTES: '1048576' });
    token = (await t.login()).accessToken;
  });
  afterAll(async () => {
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(
      'bench/results/hostile-input.json',
      `${JSON.stringify({ measuredAt: new Date().toISOString(), requestsSent: sent, outcomes, failures }, null, 2)}\n`,
    );
    await t.close();
  });

  async function check(label: string, req: request.Test): Promise<void> {
    sent++;
    const res = await req;
    outcomes[String(res.status)] = (outcomes[String(res.status)] ?? 0) + 1;
    const text = res.text ?? '';
    if (res.status >= 500) failures.push(`${label} -> ${res.status} ${text.slice(0, 200)}`);
    else if (res.status >= 400) {
      const b = res.body as { success?: boolean; error?: { code?: string }; requestId?: string };
      if (b?.success !== false || !b.error?.code || !b.requestId)
        failures.push(`${label} -> ${res.status} not an error envelope: ${text.slice(0, 200)}`);
    }
    if (LEAKS.test(text.slice(0, 20_000))) failures.push(`${label} -> ${res.status} leaks internals: ${text.slice(0, 200)}`);
  }

  it('answers every malformed request with a 4xx envelope: no 5xx, no leak', async () => {
    const doc = JSON.parse(readFileSync('openapi.json', 'utf8')) as Doc;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const verb = method as 'get' | 'post' | 'put' | 'patch' | 'delete';
        const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
        const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query');
        const concrete = (id: string): string =>
          path.replace(/\{[^}]+\}/g, encodeURIComponent(decodeURIComponent(id.includes('%') ? id : encodeURIComponent(id))));
        const okPath = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
        const call = (url: string) => t.http()[verb](url).set('Authorization', `Bearer ${token}`);

        // malformed ids
        if (pathParams.length) for (const id of HOSTILE_IDS) await check(`${method} ${path} id=${id.slice(0, 20)}`, call(concrete(id)));
        // query: wrong types, absurd pagination, huge values, repeated keys, unknown keys
        for (const q of queryParams) {
          for (const v of ['-1', '0', '1e309', 'NaN', 'abc', '9999999999999', 'x'.repeat(5000), "' OR 1=1 --"]) {
            await check(`${method} ${path} ${q.name}=${v.slice(0, 12)}`, call(`${okPath}?${q.name}=${encodeURIComponent(v)}`));
          }
          await check(`${method} ${path} ${q.name} repeated`, call(`${okPath}?${q.name}=1&${q.name}=2`));
        }
        if (verb === 'get') await check(`${method} ${path} unknown query`, call(`${okPath}?page=-5&pageSize=100000&unknownParam=1`));
        // bodies
        if (['post', 'put', 'patch'].includes(verb)) {
          const content = op.requestBody?.content ?? {};
          if (content['multipart/form-data']) {
            await check(
              `${method} ${path} truncated multipart`,
              call(okPath)
                .set('Content-Type', 'multipart/form-data; boundary=XYZ')
                .send(
                  '--XYZ\r\nContent-Disposition: form-data; name="name"\r\n\r\nabc\r\n--XYZ\r\nContent-Disposition: form-data; name="images"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff',
                ),
            );
            await check(
              `${method} ${path} multipart without boundary`,
              call(okPath).set('Content-Type', 'multipart/form-data').send('garbage'),
            );
          }
          const schema = content['application/json']?.schema;
          for (const { label, body } of badBodies(doc, schema)) {
            await check(`${method} ${path} body ${label}`, call(okPath).set('Content-Type', 'application/json').send(JSON.stringify(body)));
          }
          await check(`${method} ${path} malformed JSON`, call(okPath).set('Content-Type', 'application/json').send('{"a": [1, 2,'));
          await check(`${method} ${path} text/plain`, call(okPath).set('Content-Type', 'text/plain').send('hello'));
          await check(`${method} ${path} xml`, call(okPath).set('Content-Type', 'application/xml').send('<a>1</a>'));
        }
      }
    }
    // the process survived all of it
    const live = await t.http().get('/health/live');
    expect(live.status).toBe(200);
    expect(sent).toBeGreaterThan(100);
    expect(failures).toEqual([]);
  }, 600_000);
});
