import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  OdooAuthError,
  OdooClient,
  OdooError,
  OdooTransportError,
  OdooValidationError,
  type OdooCallEvent,
  type OdooClientOptions,
  type OdooProtocol,
} from '@app/odoo/client';
import { OdooEmulator } from '../emulators/odoo.emulator';

const API_KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const WRONG_KEY = 'ffffeeeeddddccccbbbbaaaa9999888877776666';

/** Everything an error could leak through: message, string form, enumerable properties, stack. */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  return [error.message, String(error), JSON.stringify(error), error.stack ?? ''].join('\n');
}

async function caught(promise: Promise<unknown>): Promise<OdooError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OdooError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('Odoo emulator: wire format', () => {
  const emulator = new OdooEmulator({ apiKey: API_KEY, database: 'acme' });
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await emulator.start();
  });

  afterAll(async () => {
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.reset();
  });

  const rpc = async (service: string, method: string, args: unknown[]) => {
    const res = await fetch(`${baseUrl}/jsonrpc`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: 42 }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('answers JSON-RPC errors with HTTP 200 and Odoo error data', async () => {
    const { status, body } = await rpc('object', 'execute_kw', ['acme', 99, API_KEY, 'hr.employee', 'search_count', [[]], {}]);
    expect(status).toBe(200);
    expect(body['id']).toBe(42);
    expect(body['error']).toMatchObject({
      code: 200,
      message: 'Odoo Server Error',
      data: { name: 'odoo.exceptions.AccessDenied', message: 'Access Denied' },
    });
  });

  it('returns false from common.authenticate on a bad key, login or database', async () => {
    expect((await rpc('common', 'authenticate', ['acme', 'admin', API_KEY, {}])).body['result']).toBe(emulator.uid);
    expect((await rpc('common', 'authenticate', ['acme', 'admin', WRONG_KEY, {}])).body['result']).toBe(false);
    expect((await rpc('common', 'authenticate', ['acme', 'nobody', API_KEY, {}])).body['result']).toBe(false);
    expect((await rpc('common', 'authenticate', ['other', 'admin', API_KEY, {}])).body['result']).toBe(false);
  });

  it('JSON-RPC create returns an id for a dict and ids for a list; JSON-2 always ids', async () => {
    const employee = emulator.addEmployee({ name: 'Ann' });
    const one = await rpc('object', 'execute_kw', [
      'acme',
      emulator.uid,
      API_KEY,
      'hr.attendance',
      'create',
      [{ employee_id: employee, check_in: '2024-01-01 08:00:00', check_out: '2024-01-01 12:00:00' }],
      {},
    ]);
    expect(typeof one.body['result']).toBe('number');
    const many = await rpc('object', 'execute_kw', [
      'acme',
      emulator.uid,
      API_KEY,
      'hr.attendance',
      'create',
      [[{ employee_id: employee, check_in: '2024-01-02 08:00:00', check_out: '2024-01-02 12:00:00' }]],
      {},
    ]);
    expect(Array.isArray(many.body['result'])).toBe(true);
    const res = await fetch(`${baseUrl}/json/2/hr.attendance/create`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `bearer ${API_KEY}`, 'X-Odoo-Database': 'acme' },
      body: JSON.stringify({ vals_list: [{ employee_id: employee, check_in: '2024-01-03 08:00:00' }] }),
    });
    expect(res.status).toBe(200);
    const ids = (await res.json()) as unknown;
    expect(Array.isArray(ids) && ids.length === 1 && typeof ids[0] === 'number').toBe(true);
    expect(emulator.attendances()).toHaveLength(3);
  });

  it('answers JSON-2 errors with a status and {name, message, arguments, context, debug}', async () => {
    const unauthorized = await fetch(`${baseUrl}/json/2/hr.employee/search_read`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `bearer ${WRONG_KEY}` },
      body: '{}',
    });
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toMatchObject({
      name: 'werkzeug.exceptions.Unauthorized',
      message: 'Invalid apikey',
      arguments: ['Invalid apikey'],
    });

    const employee = emulator.addEmployee({ name: 'Ann' });
    const isoDate = await fetch(`${baseUrl}/json/2/hr.attendance/create`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `bearer ${API_KEY}` },
      body: JSON.stringify({ vals_list: [{ employee_id: employee, check_in: '2024-01-03T08:00:00Z' }] }),
    });
    expect(isoDate.status).toBe(422);
    const body = (await isoDate.json()) as Record<string, unknown>;
    expect(body['name']).toBe('odoo.exceptions.ValidationError');
    expect(Object.keys(body).sort()).toEqual(['arguments', 'context', 'debug', 'message', 'name']);
    expect(emulator.attendances()).toHaveLength(0);
  });

  it('serves GET /web/version', async () => {
    const res = await fetch(`${baseUrl}/web/version`);
    expect(await res.json()).toEqual({ version: '19.0', version_info: [19, 0, 0, 'final', 0, ''] });
  });
});

describe.each<OdooProtocol>(['jsonrpc', 'json2'])('OdooClient over %s against the emulator', (protocol) => {
  const emulator = new OdooEmulator({ apiKey: API_KEY, database: 'acme', login: 'sync-bot', uid: 7 });
  let baseUrl: string;
  let alice: number;
  let bob: number;

  const makeClient = (overrides: Partial<OdooClientOptions> = {}): OdooClient =>
    new OdooClient({ baseUrl, database: 'acme', login: 'sync-bot', apiKey: API_KEY, protocol, timeoutMs: 2000, ...overrides });

  /** Runs a call expected to fail and checks that neither the good nor the wrong key leaked into the error. */
  const failure = async (promise: Promise<unknown>): Promise<OdooError> => {
    const error = await caught(promise);
    const text = errorText(error);
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(WRONG_KEY);
    return error;
  };

  beforeAll(async () => {
    baseUrl = await emulator.start();
  });

  afterAll(async () => {
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.reset();
    alice = emulator.addEmployee({ name: 'Alice Martin', barcode: 'EMP001', identification_id: 'ID-1001' });
    bob = emulator.addEmployee({ name: 'Bob Stone', barcode: 'EMP002', identification_id: 'ID-1002' });
    emulator.addEmployee({ name: 'Carl Gone', barcode: 'EMP003', active: false });
  });

  it('reads the server version', async () => {
    const version = await makeClient().version();
    expect(version.serverVersion).toBe('19.0');
    expect(version.major).toBe(19);
    expect(emulator.callCount(protocol === 'jsonrpc' ? 'common.version' : 'web.version')).toBe(1);
  });

  it('authenticates with good credentials and caches the uid', async () => {
    const client = makeClient();
    expect(await client.authenticate()).toBe(7);
    expect(client.authenticatedUid).toBe(7);
    await client.findOpenAttendance(alice);
    await client.findOpenAttendance(bob);
    if (protocol === 'jsonrpc') {
      expect(emulator.callCount('common.authenticate')).toBe(1);
    }
    expect(emulator.callCount('hr.attendance.search_read')).toBe(2);
  });

  it('refuses a bad API key with OdooAuthError, also on a lazy first call', async () => {
    const bad = makeClient({ apiKey: WRONG_KEY });
    const error = await failure(bad.authenticate());
    expect(error).toBeInstanceOf(OdooAuthError);
    expect(error.retryable).toBe(false);
    expect(errorText(error)).not.toContain(WRONG_KEY);
    const lazy = await failure(makeClient({ apiKey: WRONG_KEY }).createAttendance({ employeeId: alice, checkIn: new Date() }));
    expect(lazy).toBeInstanceOf(OdooAuthError);
    expect(emulator.attendances()).toHaveLength(0);
  });

  it('refuses an unknown login', async () => {
    const error = await failure(makeClient({ login: 'intruder' }).authenticate());
    expect(error).toBeInstanceOf(OdooAuthError);
  });

  it('finds active employees by barcode and by identification_id', async () => {
    const client = makeClient();
    const byBarcode = await client.searchReadEmployees('barcode', ['EMP002', 'EMP001', 'EMP003', 'NOPE']);
    expect(byBarcode.sort((a, b) => a.id - b.id)).toEqual([
      { id: alice, name: 'Alice Martin', value: 'EMP001' },
      { id: bob, name: 'Bob Stone', value: 'EMP002' },
    ]);
    const byId = await client.searchReadEmployees('identification_id', ['ID-1002']);
    expect(byId).toEqual([{ id: bob, name: 'Bob Stone', value: 'ID-1002' }]);
    expect(await client.searchReadEmployees('barcode', [])).toEqual([]);
    expect(emulator.callCount('hr.employee.search_read')).toBe(2);
  });

  it('creates an attendance with check_in as naive UTC and writes the check_out', async () => {
    const client = makeClient();
    // 09:30 in UTC+02:00 is 07:30 UTC.
    const id = await client.createAttendance({ employeeId: alice, checkIn: new Date('2024-01-15T09:30:15.600+02:00') });
    expect(emulator.attendances()).toEqual([{ id, employee_id: alice, check_in: '2024-01-15 07:30:15', check_out: false }]);

    await client.writeAttendance(id, { checkOut: new Date('2024-01-15T16:00:00Z') });
    expect(emulator.attendances()[0]?.check_out).toBe('2024-01-15 16:00:00');

    const [read] = await client.readAttendances([id]);
    expect(read).toEqual({
      id,
      employeeId: alice,
      employeeName: 'Alice Martin',
      checkIn: new Date('2024-01-15T07:30:15Z'),
      checkOut: new Date('2024-01-15T16:00:00Z'),
      workedHours: expect.closeTo(8.495833, 5),
    });
  });

  it('finds the open attendance, and none once it is closed', async () => {
    const client = makeClient();
    expect(await client.findOpenAttendance(alice)).toBeNull();
    await client.createAttendance({
      employeeId: alice,
      checkIn: new Date('2024-01-14T08:00:00Z'),
      checkOut: new Date('2024-01-14T12:00:00Z'),
    });
    const openId = await client.createAttendance({ employeeId: alice, checkIn: new Date('2024-01-15T08:00:00Z') });
    await client.createAttendance({ employeeId: bob, checkIn: new Date('2024-01-15T09:00:00Z') });
    expect(await client.findOpenAttendance(alice)).toEqual({ id: openId, checkIn: new Date('2024-01-15T08:00:00Z') });
    await client.writeAttendance(openId, { checkOut: new Date('2024-01-15T17:00:00Z') });
    expect(await client.findOpenAttendance(alice)).toBeNull();
  });

  it('refuses a second open attendance with a non-retryable OdooValidationError and changes nothing', async () => {
    const client = makeClient();
    await client.createAttendance({ employeeId: alice, checkIn: new Date('2024-01-15T08:00:00Z') });
    const error = await failure(client.createAttendance({ employeeId: alice, checkIn: new Date('2024-01-15T10:00:00Z') }));
    expect(error).toBeInstanceOf(OdooValidationError);
    expect(error.retryable).toBe(false);
    expect(error.odooName).toBe('odoo.exceptions.ValidationError');
    expect(error.message).toBe(
      "Cannot create new attendance record for Alice Martin, the employee hasn't checked out since Jan 15, 2024, 8:00:00 AM",
    );
    expect(error.operation).toBe('hr.attendance.create');
    expect(emulator.attendances()).toHaveLength(1);
  });

  it('refuses overlapping attendances and a check_out before the check_in', async () => {
    const client = makeClient();
    const id = await client.createAttendance({
      employeeId: bob,
      checkIn: new Date('2024-01-15T08:00:00Z'),
      checkOut: new Date('2024-01-15T12:00:00Z'),
    });
    const overlap = await failure(
      client.createAttendance({ employeeId: bob, checkIn: new Date('2024-01-15T11:00:00Z'), checkOut: new Date('2024-01-15T13:00:00Z') }),
    );
    expect(overlap).toBeInstanceOf(OdooValidationError);
    expect(overlap.message).toMatch(/^Cannot create new attendance record for Bob Stone, the employee was already checked in on /);

    const reversed = await failure(client.writeAttendance(id, { checkOut: new Date('2024-01-15T07:00:00Z') }));
    expect(reversed).toBeInstanceOf(OdooValidationError);
    expect(reversed.message).toBe('"Check Out" time cannot be earlier than "Check In" time.');
    expect(emulator.attendances()).toEqual([{ id, employee_id: bob, check_in: '2024-01-15 08:00:00', check_out: '2024-01-15 12:00:00' }]);
  });

  it('reports a missing record as OdooValidationError (MissingError)', async () => {
    const error = await failure(makeClient().readAttendances([999]));
    expect(error).toBeInstanceOf(OdooValidationError);
    expect(error.odooName).toBe('odoo.exceptions.MissingError');
  });

  it('maps an HTML 502 / 503 from a proxy to a retryable OdooTransportError, then recovers', async () => {
    const client = makeClient();
    await client.authenticate();
    emulator.failNext(1);
    const badGateway = await failure(client.findOpenAttendance(alice));
    expect(badGateway).toBeInstanceOf(OdooTransportError);
    expect(badGateway.retryable).toBe(true);
    expect(badGateway.status).toBe(502);
    emulator.failNext(1, 503);
    const unavailable = await failure(client.searchReadEmployees('barcode', ['EMP001']));
    expect(unavailable).toBeInstanceOf(OdooTransportError);
    expect(unavailable.status).toBe(503);
    expect(await client.findOpenAttendance(alice)).toBeNull();
  });

  it('gives up on a hung call within the timeout bound with a retryable timeout error', async () => {
    const client = makeClient({ timeoutMs: 300 });
    await client.authenticate();
    emulator.hangNext(1);
    const started = Date.now();
    const error = await failure(client.findOpenAttendance(alice));
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(OdooTransportError);
    expect((error as OdooTransportError).kind).toBe('timeout');
    expect(error.retryable).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(1500);
    // The next call is answered normally.
    expect(await client.findOpenAttendance(alice)).toBeNull();
  });

  it('applies the emulated latency and reports each call to onCall', async () => {
    const events: OdooCallEvent[] = [];
    const client = makeClient({ onCall: (event) => events.push(event) });
    emulator.latencyMs = 60;
    await client.searchReadEmployees('barcode', ['EMP001']);
    const operations = events.map((e) => e.operation);
    expect(operations).toEqual(protocol === 'jsonrpc' ? ['common.authenticate', 'hr.employee.search_read'] : ['hr.employee.search_read']);
    expect(events.every((e) => e.ok && e.protocol === protocol && e.durationMs >= 55)).toBe(true);
  });

  it('refuses a connection to a closed port as a retryable network error', async () => {
    const probe = new OdooEmulator();
    const deadUrl = await probe.start();
    await probe.stop();
    const error = await failure(makeClient({ baseUrl: deadUrl }).version());
    expect(error).toBeInstanceOf(OdooTransportError);
    expect((error as OdooTransportError).kind).toBe('network');
    expect(error.retryable).toBe(true);
  });

  it('never puts the API key in an error, whatever the failure', async () => {
    const client = makeClient({ timeoutMs: 300 });
    const errors: OdooError[] = [];
    errors.push(await caught(makeClient({ apiKey: WRONG_KEY }).authenticate()));
    emulator.failNext(1);
    errors.push(await caught(client.version()));
    emulator.hangNext(1);
    errors.push(await caught(client.findOpenAttendance(alice)));
    await client.createAttendance({ employeeId: alice, checkIn: new Date('2024-01-15T08:00:00Z') });
    errors.push(await caught(client.createAttendance({ employeeId: alice, checkIn: new Date('2024-01-15T09:00:00Z') })));
    errors.push(await caught(client.executeKw('hr.employee', 'search_read', [[[API_KEY, '=', 1]]])));
    expect(errors.map((e) => e.constructor)).toEqual([
      OdooAuthError,
      OdooTransportError,
      OdooTransportError,
      OdooValidationError,
      OdooError,
    ]);
    for (const error of errors) {
      expect(errorText(error)).not.toContain(API_KEY);
      expect(errorText(error)).not.toContain(WRONG_KEY);
    }
  });
});
