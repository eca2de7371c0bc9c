import { describe, expect, it } from '@jest/globals';
import { OdooClient } from './odoo.client';
import { OdooAuthError, OdooError, OdooTransportError } from './odoo.errors';
import type { OdooCallEvent, OdooClientOptions } from './odoo.types';

const KEY = '0123456789abcdef0123456789abcdef01234567';

interface Recorded {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch double answering from a queue of handlers and recording each request. */
function fakeFetch(answer: (req: Recorded) => Response | Promise<Response>): { fetch: typeof fetch; requests: Recorded[] } {
  const requests: Recorded[] = [];
  const impl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const req: Recorded = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers,
      body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
    };
    requests.push(req);
    return answer(req);
  };
  return { fetch: impl as typeof fetch, requests };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

function client(protocol: OdooClientOptions['protocol'], f: typeof fetch, extra: Partial<OdooClientOptions> = {}): OdooClient {
  return new OdooClient({
    baseUrl: 'http://odoo.test/',
    database: 'prod',
    login: 'bot',
    apiKey: KEY,
    protocol,
    timeoutMs: 1000,
    fetch: f,
    ...extra,
  });
}

describe('OdooClient (JSON-RPC, fake fetch)', () => {
  it('sends execute_kw with db, cached uid and key, authenticating once for concurrent calls', async () => {
    const { fetch: f, requests } = fakeFetch((req) => {
      const params = (req.body as { params: { service: string; method: string } }).params;
      if (params.method === 'authenticate') return json({ jsonrpc: '2.0', id: 1, result: 7 });
      return json({ jsonrpc: '2.0', id: 2, result: 3 });
    });
    const c = client('jsonrpc', f);
    const [a, b] = await Promise.all([
      c.executeKw('hr.attendance', 'search_count', [[]]),
      c.executeKw('hr.attendance', 'search_count', [[]]),
    ]);
    expect([a, b]).toEqual([3, 3]);
    const auths = requests.filter((r) => JSON.stringify(r.body).includes('"authenticate"'));
    expect(auths).toHaveLength(1);
    expect(auths[0]?.url).toBe('http://odoo.test/jsonrpc');
    expect((auths[0]?.body as { params: { args: unknown[] } }).params.args).toEqual(['prod', 'bot', KEY, {}]);
    const call = requests.find((r) => JSON.stringify(r.body).includes('execute_kw'));
    expect(call?.body).toMatchObject({
      jsonrpc: '2.0',
      method: 'call',
      params: { service: 'object', method: 'execute_kw', args: ['prod', 7, KEY, 'hr.attendance', 'search_count', [[]], {}] },
    });
    expect(call?.headers['authorization']).toBeUndefined();
  });

  it('forgets the uid after an AccessDenied so the next call authenticates again', async () => {
    let denied = true;
    const { fetch: f, requests } = fakeFetch((req) => {
      const params = (req.body as { params: { method: string } }).params;
      if (params.method === 'authenticate') return json({ jsonrpc: '2.0', id: 1, result: 7 });
      if (denied) {
        denied = false;
        return json({
          jsonrpc: '2.0',
          id: 2,
          error: {
            code: 200,
            message: 'Odoo Server Error',
            data: { name: 'odoo.exceptions.AccessDenied', message: 'Access Denied', arguments: ['Access Denied'] },
          },
        });
      }
      return json({ jsonrpc: '2.0', id: 3, result: 0 });
    });
    const c = client('jsonrpc', f);
    await expect(c.executeKw('hr.employee', 'search_count', [[]])).rejects.toBeInstanceOf(OdooAuthError);
    expect(c.authenticatedUid).toBeNull();
    await expect(c.executeKw('hr.employee', 'search_count', [[]])).resolves.toBe(0);
    expect(requests.filter((r) => JSON.stringify(r.body).includes('"authenticate"'))).toHaveLength(2);
  });

  it('turns a non-JSON 200 into a non-retryable error naming the origin, not the key', async () => {
    const { fetch: f } = fakeFetch(() => new Response('<html>login</html>', { status: 200, headers: { 'Content-Type': 'text/html' } }));
    const error = await client('jsonrpc', f)
      .version()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OdooError);
    expect((error as OdooError).retryable).toBe(false);
    expect((error as OdooError).message).toContain('http://odoo.test');
  });
});

describe('OdooClient (JSON-2, fake fetch)', () => {
  it('maps execute_kw positional arguments to named JSON-2 arguments and sends bearer + database headers', async () => {
    const { fetch: f, requests } = fakeFetch(() => json(true));
    const c = client('json2', f);
    await c.executeKw('hr.attendance', 'write', [[5], { check_out: '2024-01-15 17:00:00' }]);
    await c.executeKw('hr.employee', 'search_read', [[['barcode', '=', 'X']], ['name']], { limit: 1 });
    expect(requests[0]?.url).toBe('http://odoo.test/json/2/hr.attendance/write');
    expect(requests[0]?.body).toEqual({ ids: [5], vals: { check_out: '2024-01-15 17:00:00' } });
    expect(requests[0]?.headers['authorization']).toBe(`bearer ${KEY}`);
    expect(requests[0]?.headers['x-odoo-database']).toBe('prod');
    expect(requests[1]?.body).toEqual({ domain: [['barcode', '=', 'X']], fields: ['name'], limit: 1 });
  });

  it('refuses positional arguments it cannot name, before any request', async () => {
    const { fetch: f, requests } = fakeFetch(() => json(null));
    await expect(client('json2', f).executeKw('hr.attendance', 'action_custom', [1, 2])).rejects.toBeInstanceOf(OdooError);
    expect(requests).toHaveLength(0);
  });

  it('reports every call to onCall, failures included', async () => {
    const events: OdooCallEvent[] = [];
    let first = true;
    const { fetch: f } = fakeFetch(() => {
      if (first) {
        first = false;
        return new Response('<html>502</html>', { status: 502 });
      }
      return json([]);
    });
    const c = client('json2', f, { onCall: (e) => events.push(e) });
    await expect(c.findOpenAttendance(1)).rejects.toBeInstanceOf(OdooTransportError);
    await expect(c.findOpenAttendance(1)).resolves.toBeNull();
    expect(events.map((e) => [e.operation, e.ok, e.errorClass, e.status])).toEqual([
      ['hr.attendance.search_read', false, 'OdooTransportError', 502],
      ['hr.attendance.search_read', true, undefined, undefined],
    ]);
    expect(events.every((e) => e.protocol === 'json2' && e.durationMs >= 0)).toBe(true);
  });

  it('turns a network failure into a retryable OdooTransportError without the key', async () => {
    const f = (async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    }) as unknown as typeof fetch;
    const error = await client('json2', f)
      .searchReadEmployees('barcode', ['A'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OdooTransportError);
    expect((error as OdooTransportError).kind).toBe('network');
    expect((error as OdooTransportError).message).toContain('ECONNREFUSED');
    expect((error as OdooTransportError).message).not.toContain(KEY);
  });

  it('creates several attendances in one call and finds same-second or open ones in one search (both protocols)', async () => {
    for (const protocol of ['jsonrpc', 'json2'] as const) {
      const { fetch: f, requests } = fakeFetch((req) => {
        const text = JSON.stringify(req.body);
        if (text.includes('"authenticate"')) return json({ jsonrpc: '2.0', id: 1, result: 7 });
        const result =
          text.includes('vals_list') || text.includes('"create"')
            ? [41, 42]
            : [{ id: 41, employee_id: [3, 'Ann'], check_in: '2024-01-15 08:00:00', check_out: false, worked_hours: 0 }];
        return protocol === 'json2' ? json(result) : json({ jsonrpc: '2.0', id: 2, result });
      });
      const c = client(protocol, f);
      const ids = await c.createAttendances([
        { employeeId: 3, checkIn: new Date('2024-01-15T08:00:00.250Z') },
        { employeeId: 4, checkIn: new Date('2024-01-15T09:00:00Z'), checkOut: new Date('2024-01-15T17:00:00Z') },
      ]);
      expect(ids).toEqual([41, 42]);
      const found = await c.findAttendancesAtOrOpen([3, 4, 3], [new Date('2024-01-15T08:00:00Z'), new Date('2024-01-15T08:00:00.900Z')]);
      expect(found).toEqual([
        { id: 41, employeeId: 3, employeeName: 'Ann', checkIn: new Date('2024-01-15T08:00:00Z'), checkOut: null, workedHours: 0 },
      ]);
      const calls = requests.filter((r) => !JSON.stringify(r.body).includes('"authenticate"'));
      const vals = [
        { employee_id: 3, check_in: '2024-01-15 08:00:00' },
        { employee_id: 4, check_in: '2024-01-15 09:00:00', check_out: '2024-01-15 17:00:00' },
      ];
      const domain = ['&', ['employee_id', 'in', [3, 4]], '|', ['check_in', 'in', ['2024-01-15 08:00:00']], ['check_out', '=', false]];
      if (protocol === 'json2') {
        expect(calls[0]?.url).toBe('http://odoo.test/json/2/hr.attendance/create');
        expect(calls[0]?.body).toEqual({ vals_list: vals });
        expect(calls[1]?.body).toMatchObject({ domain });
      } else {
        expect((calls[0]?.body as { params: { args: unknown[] } }).params.args.slice(3)).toEqual(['hr.attendance', 'create', [vals], {}]);
        expect((calls[1]?.body as { params: { args: unknown[] } }).params.args[6]).toMatchObject({ domain });
      }
    }
  });

  it('refuses a create answer that does not carry one id per record', async () => {
    const { fetch: f } = fakeFetch(() => json([41]));
    const c = client('json2', f);
    await expect(
      c.createAttendances([
        { employeeId: 1, checkIn: new Date() },
        { employeeId: 2, checkIn: new Date() },
      ]),
    ).rejects.toBeInstanceOf(OdooError);
    await expect(c.createAttendances([])).resolves.toEqual([]);
  });

  it('validates its options', () => {
    const { fetch: f } = fakeFetch(() => json(null));
    expect(() => client('json2', f, { baseUrl: 'ftp://x' })).toThrow(OdooError);
    expect(() => client('json2', f, { timeoutMs: 0 })).toThrow(OdooError);
  });
});
