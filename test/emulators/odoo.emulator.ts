/**
 * OdooEmulator: a real HTTP server that answers like Odoo 19 does for what our sync needs.
 *
 * Endpoints (from Odoo's documented behaviour):
 * - POST /jsonrpc                  JSON-RPC 2.0: common.version, common.authenticate, common.login,
 *                                  object.execute_kw, object.execute, db.list. Errors answer HTTP 200
 *                                  with {"error": {"code": 200, "message": "Odoo Server Error", "data": {...}}}.
 * - POST /json/2/<model>/<method>  JSON-2 (Odoo 19+): `Authorization: bearer <key>`, optional
 *                                  `X-Odoo-Database`, named arguments in the body (`ids`, `context`, ...).
 *                                  Errors answer 4xx/5xx with {name, message, arguments, context, debug}.
 * - GET  /web/version, /json/version  {"version": "19.0", "version_info": [19, 0, 0, "final", 0, ""]}.
 *
 * Models: hr.employee, hr.attendance, res.users, with Odoo's hr.attendance constraints
 * (check_out >= check_in, at most one open attendance, no overlap) and naive UTC datetimes
 * 'YYYY-MM-DD HH:MM:SS'. Every create/write runs as one transaction: rolled back on any error.
 *
 * Test controls: addEmployee, addAttendance, attendances(), employees(), calls, latencyMs,
 * failNext(n, status), hangNext(n), onMutation, reset(), start(port), stop().
 *
 * Standalone (demo):  node --import tsx test/emulators/odoo.emulator.ts --port 8069
 *   options: --host 127.0.0.1 --db odoo --login admin --api-key <key> --latency <ms>
 *   env: ODOO_EMULATOR_API_KEY. The default key is DEMO_API_KEY below (demo data only).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const DEMO_API_KEY = 'odoo-emulator-demo-key-0000000000000000';

export interface OdooEmulatorOptions {
  database?: string;
  login?: string;
  /** Defaults to a random 160-bit hex key, like Odoo's generated keys. */
  apiKey?: string;
  uid?: number;
  userName?: string;
  /** Reported by common.version and /web/version. */
  serverVersion?: string;
  latencyMs?: number;
}

export interface EmulatedEmployee {
  id: number;
  name: string;
  barcode: string | false;
  identification_id: string | false;
  active: boolean;
}

export interface EmulatedAttendance {
  id: number;
  employee_id: number;
  /** Naive UTC 'YYYY-MM-DD HH:MM:SS'. */
  check_in: string;
  check_out: string | false;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Row = Record<string, Json>;

/** An exception as Odoo would raise it: Python name, message, and the JSON-2 HTTP status. */
class OdooFault extends Error {
  constructor(
    readonly odooName: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const validationError = (message: string) => new OdooFault('odoo.exceptions.ValidationError', message, 422);
const missingError = (message: string) => new OdooFault('odoo.exceptions.MissingError', message, 404);
const accessDenied = () => new OdooFault('odoo.exceptions.AccessDenied', 'Access Denied', 403);
const valueError = (message: string) => new OdooFault('builtins.ValueError', message, 500);
const typeError = (message: string) => new OdooFault('builtins.TypeError', message, 500);
const notFound = (message: string) => new OdooFault('werkzeug.exceptions.NotFound', message, 404);
const unprocessable = (message: string) => new OdooFault('werkzeug.exceptions.UnprocessableEntity', message, 422);
const badRequest = (message: string) => new OdooFault('werkzeug.exceptions.BadRequest', message, 400);
const unauthorized = (message: string) => new OdooFault('werkzeug.exceptions.Unauthorized', message, 401);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function nowOdoo(): string {
  const d = new Date();
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/**
 * Odoo's Datetime.to_datetime for strings: 'YYYY-MM-DD HH:MM:SS' or a bare date 'YYYY-MM-DD'
 * (midnight). Anything else (ISO 'T', zones, fractions) is refused.
 */
function parseOdooDatetime(value: Json | undefined, field: string): string {
  if (typeof value !== 'string') {
    throw validationError(
      `Invalid value for field '${field}': expected a datetime string 'YYYY-MM-DD HH:MM:SS', got ${JSON.stringify(value)}`,
    );
  }
  const full = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(value);
  if (!full) {
    throw validationError(`time data '${value}' does not match format '%Y-%m-%d %H:%M:%S' (field '${field}')`);
  }
  const [y, mo, d, h = 0, mi = 0, s = 0] = full.slice(1).map((p) => (p === undefined ? undefined : Number(p))) as number[];
  const date = new Date(Date.UTC(y as number, (mo as number) - 1, d as number, h, mi, s));
  if (
    (y as number) < 1 ||
    date.getUTCMonth() !== (mo as number) - 1 ||
    date.getUTCDate() !== d ||
    date.getUTCHours() !== h ||
    date.getUTCMinutes() !== mi ||
    date.getUTCSeconds() !== s
  ) {
    throw validationError(`time data '${value}' is not a valid date and time (field '${field}')`);
  }
  return value.length === 10 ? `${value} 00:00:00` : value;
}

/** babel's medium datetime for en_US in the user's timezone (UTC here), as Odoo's format_datetime prints it. */
export function formatOdooUserDatetime(odooDatetime: string): string {
  const [datePart = '', timePart = ''] = odooDatetime.split(' ');
  const [y, m, d] = datePart.split('-').map(Number) as [number, number, number];
  const [hh, mm, ss] = timePart.split(':').map(Number) as [number, number, number];
  const h12 = hh % 12 === 0 ? 12 : hh % 12;
  return `${MONTHS[m - 1]} ${d}, ${y}, ${h12}:${pad(mm)}:${pad(ss)} ${hh < 12 ? 'AM' : 'PM'}`;
}

function hoursBetween(checkIn: string, checkOut: string | false): number {
  if (!checkOut) {
    return 0;
  }
  const a = Date.parse(`${checkIn.replace(' ', 'T')}Z`);
  const b = Date.parse(`${checkOut.replace(' ', 'T')}Z`);
  return Math.round(((b - a) / 3_600_000) * 1e6) / 1e6;
}

interface ModelDef {
  /** Fields readable through read / search_read, in Odoo's default order. */
  fields: string[];
  defaultOrder: string;
  hasActive: boolean;
}

const MODELS: Record<string, ModelDef> = {
  'hr.employee': {
    fields: ['id', 'name', 'barcode', 'identification_id', 'active', 'display_name'],
    defaultOrder: 'name',
    hasActive: true,
  },
  'hr.attendance': {
    fields: ['id', 'employee_id', 'check_in', 'check_out', 'worked_hours', 'display_name'],
    defaultOrder: 'check_in desc',
    hasActive: false,
  },
  'res.users': {
    fields: ['id', 'name', 'login', 'active', 'display_name'],
    defaultOrder: 'name',
    hasActive: true,
  },
};

/** Positional parameter names of the methods we implement (for execute_kw). `ids`: record method. */
const SIGNATURES: Record<string, { ids: boolean; names: string[]; strict: boolean }> = {
  search_read: { ids: false, names: ['domain', 'fields', 'offset', 'limit', 'order'], strict: false },
  search: { ids: false, names: ['domain', 'offset', 'limit', 'order'], strict: true },
  search_count: { ids: false, names: ['domain', 'limit'], strict: true },
  read: { ids: true, names: ['fields', 'load'], strict: true },
  create: { ids: false, names: ['vals_list'], strict: true },
  write: { ids: true, names: ['vals'], strict: true },
  unlink: { ids: true, names: [], strict: true },
  context_get: { ids: false, names: [], strict: true },
};

const MODEL_METHODS: Record<string, string[]> = {
  'hr.employee': ['search_read', 'search', 'search_count', 'read'],
  'hr.attendance': ['search_read', 'search', 'search_count', 'read', 'create', 'write', 'unlink'],
  'res.users': ['search_read', 'search', 'search_count', 'read', 'context_get'],
};

interface UserRow {
  id: number;
  name: string;
  login: string;
  active: boolean;
}

export class OdooEmulator {
  readonly database: string;
  readonly login: string;
  readonly apiKey: string;
  readonly uid: number;
  readonly serverVersion: string;
  /** Added delay before each answer. */
  latencyMs: number;
  /** Calls that reached the emulated Odoo, by operation ('common.authenticate', 'hr.attendance.create', 'web.version'...). */
  calls: Record<string, number> = {};
  /** Every HTTP request received, injected failures and hangs included. */
  totalRequests = 0;
  /**
   * Called synchronously once a create / write made through the API is applied, before its answer
   * is sent: crash tests kill the client here to lose the answer of a committed write.
   */
  onMutation: ((event: { operation: 'create' | 'write'; ids: number[] }) => void) | null = null;

  private readonly userName: string;
  private employeeRows = new Map<number, EmulatedEmployee>();
  private attendanceRows = new Map<number, EmulatedAttendance>();
  /** Rows written in the running transaction, as they were before (for the rollback). */
  private journal: Map<number, EmulatedAttendance> | null = null;
  private nextEmployeeId = 1;
  private nextAttendanceId = 1;
  private failures: number[] = [];
  private hangs = 0;
  private readonly hung = new Set<ServerResponse>();
  private server: Server | null = null;
  private url: string | null = null;

  constructor(options: OdooEmulatorOptions = {}) {
    this.database = options.database ?? 'odoo';
    this.login = options.login ?? 'admin';
    this.apiKey = options.apiKey ?? randomBytes(20).toString('hex');
    this.uid = options.uid ?? 2;
    this.userName = options.userName ?? 'Mitchell Admin';
    this.serverVersion = options.serverVersion ?? '19.0';
    this.latencyMs = options.latencyMs ?? 0;
  }

  // ------------------------------------------------------------------ test controls

  get baseUrl(): string {
    if (!this.url) {
      throw new Error('OdooEmulator is not started');
    }
    return this.url;
  }

  addEmployee(input: { name: string; barcode?: string; identification_id?: string; active?: boolean }): number {
    const id = this.nextEmployeeId++;
    this.employeeRows.set(id, {
      id,
      name: input.name,
      barcode: input.barcode ?? false,
      identification_id: input.identification_id ?? false,
      active: input.active ?? true,
    });
    return id;
  }

  /** Creates an attendance through the same validation as the API (throws Error with Odoo's message). */
  addAttendance(input: { employee_id: number; check_in: string; check_out?: string | false }): number {
    try {
      const ids = this.createAttendances([
        { employee_id: input.employee_id, check_in: input.check_in, check_out: input.check_out ?? false },
      ]);
      return ids[0] as number;
    } catch (error) {
      if (error instanceof OdooFault) {
        throw new Error(`${error.odooName}: ${error.message}`);
      }
      throw error;
    }
  }

  employees(): EmulatedEmployee[] {
    return [...this.employeeRows.values()].map((e) => ({ ...e }));
  }

  attendances(): EmulatedAttendance[] {
    return [...this.attendanceRows.values()].sort((a, b) => a.id - b.id).map((a) => ({ ...a }));
  }

  callCount(operation: string): number {
    return this.calls[operation] ?? 0;
  }

  /** The next n requests get a reverse-proxy style HTML error page with this status. */
  failNext(n: number, status = 502): void {
    for (let i = 0; i < n; i += 1) {
      this.failures.push(status);
    }
  }

  /** The next n requests are never answered (until the client gives up or stop() is called). */
  hangNext(n: number): void {
    this.hangs += n;
  }

  /** Back to an empty database: no employees, no attendances, counters and injected faults cleared. */
  reset(): void {
    this.employeeRows.clear();
    this.attendanceRows.clear();
    this.nextEmployeeId = 1;
    this.nextAttendanceId = 1;
    this.calls = {};
    this.totalRequests = 0;
    this.failures = [];
    this.hangs = 0;
    this.latencyMs = 0;
    this.onMutation = null;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) {
      return this.baseUrl;
    }
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    const shownHost = host.includes(':') ? `[${host}]` : host;
    this.url = `http://${shownHost}:${address.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) {
      return;
    }
    this.server = null;
    this.url = null;
    for (const res of this.hung) {
      res.destroy();
    }
    this.hung.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // ------------------------------------------------------------------ HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.totalRequests += 1;
    let raw: string;
    try {
      raw = await this.readBody(req);
    } catch {
      res.destroy();
      return;
    }
    if (this.hangs > 0) {
      this.hangs -= 1;
      this.hung.add(res);
      res.on('close', () => this.hung.delete(res));
      return;
    }
    if (this.latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    }
    const failure = this.failures.shift();
    if (failure !== undefined) {
      this.sendHtmlError(res, failure);
      return;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    try {
      if (path === '/jsonrpc') {
        if (req.method !== 'POST') {
          this.sendHtmlError(res, 405);
          return;
        }
        this.handleJsonRpc(raw, res);
        return;
      }
      if (path === '/web/version' || path === '/json/version') {
        this.count('web.version');
        const [major, minor] = this.serverVersion.split('.').map((p) => Number(p) || 0);
        this.sendJson(res, 200, { version: this.serverVersion, version_info: [major ?? 0, minor ?? 0, 0, 'final', 0, ''] });
        return;
      }
      if (path === '/json/2' || path.startsWith('/json/2/')) {
        this.handleJson2(req, path, raw, res);
        return;
      }
      this.sendHtmlError(res, 404);
    } catch (error) {
      if (!res.headersSent) {
        this.sendJson(
          res,
          500,
          this.serializeFault(error instanceof OdooFault ? error : new OdooFault('builtins.Exception', String(error), 500)),
        );
      }
    }
  }

  private readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > 10 * 1024 * 1024) {
          reject(new Error('body too large'));
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  private count(operation: string): void {
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
  }

  private sendJson(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private sendHtmlError(res: ServerResponse, status: number): void {
    const titles: Record<number, string> = {
      404: 'Not Found',
      405: 'Method Not Allowed',
      500: 'Internal Server Error',
      502: 'Bad Gateway',
      503: 'Service Temporarily Unavailable',
      504: 'Gateway Time-out',
    };
    const title = `${status} ${titles[status] ?? 'Error'}`;
    const html = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
    res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(html) });
    res.end(html);
  }

  private serializeFault(fault: OdooFault): JsonObject {
    return {
      name: fault.odooName,
      message: fault.message,
      arguments: [fault.message],
      context: {},
      debug: `Traceback (most recent call last):\n  File "odoo-emulator", line 1, in <module>\n${fault.odooName}: ${fault.message}\n`,
    };
  }

  // ------------------------------------------------------------------ JSON-RPC

  private handleJsonRpc(raw: string, res: ServerResponse): void {
    let request: unknown;
    try {
      request = JSON.parse(raw);
    } catch {
      this.sendJson(res, 400, { jsonrpc: '2.0', id: null, error: { code: 400, message: 'Invalid JSON data', data: {} } });
      return;
    }
    const id: Json = isObject(request) && request['id'] !== undefined ? (request['id'] as Json) : null;
    try {
      if (!isObject(request) || !isObject(request['params'])) {
        throw badRequest('Invalid JSON-RPC request: params missing');
      }
      const params = request['params'];
      const service = params['service'];
      const method = params['method'];
      const args = Array.isArray(params['args']) ? params['args'] : [];
      if (typeof service !== 'string' || typeof method !== 'string') {
        throw badRequest('Invalid JSON-RPC request: service and method are required');
      }
      const result = this.dispatchRpc(service, method, args);
      this.sendJson(res, 200, { jsonrpc: '2.0', id, result });
    } catch (error) {
      const fault = error instanceof OdooFault ? error : new OdooFault('builtins.Exception', String(error), 500);
      this.sendJson(res, 200, {
        jsonrpc: '2.0',
        id,
        error: { code: 200, message: 'Odoo Server Error', data: this.serializeFault(fault) },
      });
    }
  }

  private dispatchRpc(service: string, method: string, args: Json[]): Json {
    if (service === 'common') {
      if (method === 'version') {
        this.count('common.version');
        const [major, minor] = this.serverVersion.split('.').map((p) => Number(p) || 0);
        return {
          server_version: this.serverVersion,
          server_version_info: [major ?? 0, minor ?? 0, 0, 'final', 0, ''],
          server_serie: this.serverVersion,
          protocol_version: 1,
        };
      }
      if (method === 'authenticate' || method === 'login') {
        this.count(`common.${method}`);
        const [db, login, password] = args;
        return db === this.database && login === this.login && password === this.apiKey ? this.uid : false;
      }
      throw new OdooFault('builtins.NameError', `Method not available ${method}`, 500);
    }
    if (service === 'object') {
      if (method !== 'execute_kw' && method !== 'execute') {
        throw new OdooFault('builtins.NameError', `Method not available ${method}`, 500);
      }
      const [db, uid, password, model, modelMethod] = args;
      if (typeof model !== 'string' || typeof modelMethod !== 'string') {
        throw typeError('execute_kw() missing required positional arguments: model and method');
      }
      this.count(`${model}.${modelMethod}`);
      if (db !== this.database || uid !== this.uid || password !== this.apiKey) {
        throw accessDenied();
      }
      const positional = method === 'execute_kw' ? (Array.isArray(args[5]) ? args[5] : []) : args.slice(5);
      const kwargs = method === 'execute_kw' && isObject(args[6]) ? args[6] : {};
      return this.executeKw(model, modelMethod, positional, kwargs);
    }
    if (service === 'db' && method === 'list') {
      this.count('db.list');
      return [this.database];
    }
    throw new OdooFault('builtins.NameError', `Service ${service} not found`, 500);
  }

  /** Maps execute_kw positional args + kwargs onto the named-argument call used by both transports. */
  private executeKw(model: string, method: string, args: Json[], kwargs: JsonObject): Json {
    this.assertMethod(model, method, 'rpc');
    const signature = SIGNATURES[method] as { ids: boolean; names: string[]; strict: boolean };
    let rest = args;
    let ids: Json | undefined;
    if (signature.ids) {
      ids = rest[0] ?? [];
      rest = rest.slice(1);
    }
    if (rest.length > signature.names.length && signature.strict) {
      throw typeError(`${method}() takes ${signature.names.length + 1} positional arguments but ${rest.length + 1} were given`);
    }
    const named: JsonObject = {};
    rest.forEach((value, index) => {
      const name = signature.names[index];
      if (name) {
        named[name] = value;
      }
    });
    for (const [key, value] of Object.entries(kwargs)) {
      if (key === 'context') {
        continue;
      }
      if (key in named) {
        throw typeError(`${method}() got multiple values for argument '${key}'`);
      }
      named[key] = value;
    }
    const createdFromMapping = method === 'create' && isObject(named['vals_list']);
    const result = this.callModel(model, method, ids, named);
    // JSON-RPC create returns an id when given one dict, a list of ids when given a list.
    if (createdFromMapping && Array.isArray(result)) {
      return result[0] ?? false;
    }
    return result;
  }

  // ------------------------------------------------------------------ JSON-2

  private handleJson2(req: IncomingMessage, path: string, raw: string, res: ServerResponse): void {
    const match = /^\/json\/2\/([^/]+)\/([^/]+)$/.exec(path);
    try {
      if (!match || req.method !== 'POST') {
        throw notFound('Did you mean POST /json/2/<model>/<method>?');
      }
      const model = decodeURIComponent(match[1] as string);
      const method = decodeURIComponent(match[2] as string);
      const auth = req.headers['authorization'] ?? '';
      const bearer = /^bearer\s+(.+)$/i.exec(auth);
      const dbHeader = req.headers['x-odoo-database'];
      if (typeof dbHeader === 'string' && dbHeader !== '' && dbHeader !== this.database) {
        throw notFound(`database '${dbHeader}' not found`);
      }
      if (!bearer || bearer[1]?.trim() !== this.apiKey) {
        this.count(`${model}.${method}`);
        throw unauthorized('Invalid apikey');
      }
      let body: unknown = {};
      if (raw.trim() !== '') {
        try {
          body = JSON.parse(raw);
        } catch (error) {
          throw badRequest(`could not parse the body as json: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      if (!isObject(body)) {
        throw badRequest('the body must be a JSON object');
      }
      this.count(`${model}.${method}`);
      if (!MODELS[model]) {
        throw notFound(`the model '${model}' does not exist`);
      }
      this.assertMethod(model, method, 'json2');
      const signature = SIGNATURES[method] as { ids: boolean; names: string[]; strict: boolean };
      const { ids, context: _context, ...params } = body;
      if (!signature.ids && ids !== undefined && Array.isArray(ids) && ids.length > 0) {
        throw unprocessable(`cannot call ${model}.${method} with ids`);
      }
      if (signature.strict) {
        for (const key of Object.keys(params)) {
          if (!signature.names.includes(key)) {
            throw unprocessable(`got an unexpected keyword argument '${key}'`);
          }
        }
      }
      const result = this.callModel(model, method, signature.ids ? (ids ?? []) : undefined, params);
      this.sendJson(res, 200, result);
    } catch (error) {
      const fault = error instanceof OdooFault ? error : new OdooFault('builtins.Exception', String(error), 500);
      this.sendJson(res, fault.status, this.serializeFault(fault));
    }
  }

  private assertMethod(model: string, method: string, transport: 'rpc' | 'json2'): void {
    if (!MODELS[model]) {
      throw transport === 'rpc' ? new OdooFault('builtins.KeyError', `'${model}'`, 500) : notFound(`the model '${model}' does not exist`);
    }
    if (!MODEL_METHODS[model]?.includes(method)) {
      const message = `The method '${model}.${method}' does not exist`;
      throw transport === 'rpc' ? new OdooFault('builtins.AttributeError', message, 500) : notFound(message);
    }
  }

  // ------------------------------------------------------------------ ORM

  private callModel(model: string, method: string, ids: Json | undefined, params: JsonObject): Json {
    switch (method) {
      case 'search_read': {
        const rows = this.search(model, params['domain'], params['offset'], params['limit'], params['order']);
        return rows.map((row) => this.project(model, row, params['fields']));
      }
      case 'search':
        return this.search(model, params['domain'], params['offset'], params['limit'], params['order']).map((row) => row['id'] as number);
      case 'search_count': {
        const count = this.search(model, params['domain'], undefined, undefined, undefined).length;
        const limit = params['limit'];
        return typeof limit === 'number' && limit > 0 ? Math.min(count, limit) : count;
      }
      case 'read': {
        const idList = this.idList(ids);
        const rows = this.rows(model);
        return idList.map((id) => {
          const row = rows.find((r) => r['id'] === id);
          if (!row) {
            throw this.missing(model, [id]);
          }
          return this.project(model, row, params['fields']);
        });
      }
      case 'create': {
        if (!('vals_list' in params)) {
          throw unprocessable("missing a required argument: 'vals_list'");
        }
        const valsList = params['vals_list'];
        const list = Array.isArray(valsList) ? valsList : [valsList];
        if (!list.every(isObject)) {
          throw valueError('create() expects a dict or a list of dicts');
        }
        const created = this.createAttendances(list);
        this.onMutation?.({ operation: 'create', ids: [...created] });
        return created;
      }
      case 'write': {
        if (!isObject(params['vals'])) {
          throw unprocessable("missing a required argument: 'vals'");
        }
        const written = this.idList(ids);
        this.writeAttendances(written, params['vals']);
        this.onMutation?.({ operation: 'write', ids: written });
        return true;
      }
      case 'unlink': {
        const idList = this.idList(ids);
        const absent = idList.filter((id) => !this.attendanceRows.has(id));
        if (absent.length > 0) {
          throw this.missing(model, absent);
        }
        idList.forEach((id) => this.attendanceRows.delete(id));
        return true;
      }
      case 'context_get':
        return { lang: 'en_US', tz: 'UTC' };
      default:
        throw notFound(`The method '${model}.${method}' does not exist`);
    }
  }

  private idList(ids: Json | undefined): number[] {
    const list = Array.isArray(ids) ? ids : ids === undefined || ids === null ? [] : [ids];
    if (!list.every((id) => typeof id === 'number' && Number.isInteger(id))) {
      throw valueError(`Invalid ids ${JSON.stringify(ids)}`);
    }
    return list as number[];
  }

  private missing(model: string, ids: number[]): OdooFault {
    return missingError(`Record does not exist or has been deleted.\n(Record: ${model}(${ids.join(', ')},), User: ${this.uid})`);
  }

  private users(): UserRow[] {
    return [{ id: this.uid, name: this.userName, login: this.login, active: true }];
  }

  /**
   * Stored rows of a model, with raw field values (many2one as id, empty as false). The computed
   * fields of hr.attendance (worked_hours, display_name) are added only when asked for: they are
   * filled in by project() otherwise, so a search over many attendances stays cheap.
   */
  private rows(model: string, computed = true): Row[] {
    if (model === 'hr.employee') {
      return [...this.employeeRows.values()].map((e) => ({ ...e, display_name: e.name }));
    }
    if (model === 'hr.attendance') {
      return [...this.attendanceRows.values()].map((a) => (computed ? this.withComputed(a) : { ...a }));
    }
    return this.users().map((u) => ({ ...u, display_name: u.name }));
  }

  private withComputed(a: EmulatedAttendance): Row {
    return {
      ...a,
      worked_hours: hoursBetween(a.check_in, a.check_out),
      display_name: `${this.employeeRows.get(a.employee_id)?.name ?? ''} from ${a.check_in}`,
    };
  }

  private project(model: string, raw: Row, fields: Json | undefined): Row {
    const def = MODELS[model] as ModelDef;
    const wanted = Array.isArray(fields) && fields.length > 0 ? fields : def.fields;
    const row = model === 'hr.attendance' && !('worked_hours' in raw) ? this.withComputed(raw as unknown as EmulatedAttendance) : raw;
    const out: Row = { id: row['id'] as number };
    for (const field of wanted) {
      if (typeof field !== 'string' || !def.fields.includes(field)) {
        throw valueError(`Invalid field ${JSON.stringify(field)} on model '${model}'`);
      }
      if (model === 'hr.attendance' && field === 'employee_id') {
        const id = row['employee_id'] as number;
        out[field] = [id, this.employeeRows.get(id)?.name ?? ''];
      } else {
        out[field] = row[field] ?? false;
      }
    }
    return out;
  }

  private search(
    model: string,
    domain: Json | undefined,
    offset: Json | undefined,
    limit: Json | undefined,
    order: Json | undefined,
  ): Row[] {
    const def = MODELS[model] as ModelDef;
    const terms = domain === undefined || domain === null || domain === false ? [] : domain;
    if (!Array.isArray(terms)) {
      throw valueError(`Invalid domain ${JSON.stringify(domain)}`);
    }
    const predicate = this.compileDomain(model, terms);
    // Odoo's active_test: archived records are hidden unless the domain filters on 'active'.
    const mentionsActive = terms.some((term) => Array.isArray(term) && term[0] === 'active');
    const orderBy = typeof order === 'string' ? order : '';
    const computed = /worked_hours|display_name/.test(`${JSON.stringify(terms)} ${orderBy} ${def.defaultOrder}`);
    let rows = this.rows(model, computed).filter((row) => predicate(row) && (!def.hasActive || mentionsActive || row['active'] === true));
    rows = this.sort(model, rows, typeof order === 'string' && order.trim() !== '' ? order : def.defaultOrder);
    const start = typeof offset === 'number' && offset > 0 ? offset : 0;
    const end = typeof limit === 'number' && limit > 0 ? start + limit : undefined;
    return rows.slice(start, end);
  }

  private sort(model: string, rows: Row[], order: string): Row[] {
    const def = MODELS[model] as ModelDef;
    const keys = order.split(',').map((part) => {
      const [field = '', direction = 'asc'] = part.trim().split(/\s+/);
      if (!def.fields.includes(field)) {
        throw valueError(`Invalid field '${field}' in order '${order}'`);
      }
      return { field, desc: direction.toLowerCase() === 'desc' };
    });
    keys.push({ field: 'id', desc: keys[0]?.desc ?? false });
    const rank = (v: Json | undefined): string | number =>
      v === false || v === null || v === undefined ? '' : typeof v === 'number' ? v : String(v);
    return [...rows].sort((a, b) => {
      for (const key of keys) {
        const x = rank(a[key.field]);
        const y = rank(b[key.field]);
        if (x === y) {
          continue;
        }
        const cmp = x < y ? -1 : 1;
        return key.desc ? -cmp : cmp;
      }
      return 0;
    });
  }

  /** Compiles an Odoo domain (Polish notation, implicit '&') into a predicate. */
  private compileDomain(model: string, terms: Json[]): (row: Row) => boolean {
    const def = MODELS[model] as ModelDef;
    let position = 0;
    const parse = (): ((row: Row) => boolean) => {
      const term = terms[position++];
      if (term === '&' || term === '|') {
        const left = parse();
        const right = parse();
        return term === '&' ? (row) => left(row) && right(row) : (row) => left(row) || right(row);
      }
      if (term === '!') {
        const inner = parse();
        return (row) => !inner(row);
      }
      if (!Array.isArray(term) || term.length !== 3 || typeof term[0] !== 'string' || typeof term[1] !== 'string') {
        throw valueError(`Invalid leaf ${JSON.stringify(term)}`);
      }
      const [field, operator, value] = term as [string, string, Json];
      if (!def.fields.includes(field)) {
        throw valueError(`Invalid field ${model}.${field} in leaf ${JSON.stringify(term)}`);
      }
      return this.compileLeaf(field, operator.toLowerCase(), value);
    };
    const predicates: Array<(row: Row) => boolean> = [];
    while (position < terms.length) {
      predicates.push(parse());
    }
    return (row) => predicates.every((p) => p(row));
  }

  private compileLeaf(field: string, operator: string, value: Json): (row: Row) => boolean {
    const norm = (v: Json | undefined): Json => (v === null || v === undefined || v === '' ? false : v);
    const equals = (a: Json | undefined, b: Json): boolean => norm(a) === norm(b);
    switch (operator) {
      case '=':
        return (row) => equals(row[field], value);
      case '!=':
        return (row) => !equals(row[field], value);
      case 'in':
      case 'not in': {
        const list = Array.isArray(value) ? value : [value];
        const hit = (row: Row) => list.some((v) => equals(row[field], v));
        return operator === 'in' ? hit : (row) => !hit(row);
      }
      case '<':
      case '<=':
      case '>':
      case '>=':
        return (row) => {
          const a = row[field];
          if (a === false || a === null || a === undefined || value === false || value === null) {
            return false;
          }
          if (operator === '<') return a < value;
          if (operator === '<=') return a <= value;
          if (operator === '>') return a > value;
          return a >= value;
        };
      case 'ilike':
      case 'not ilike': {
        const needle = String(value).toLowerCase();
        const hit = (row: Row) => typeof row[field] === 'string' && (row[field] as string).toLowerCase().includes(needle);
        return operator === 'ilike' ? hit : (row) => !hit(row);
      }
      default:
        throw valueError(`Invalid leaf operator '${operator}'`);
    }
  }

  // ------------------------------------------------------------------ hr.attendance rules

  private createAttendances(valsList: JsonObject[]): number[] {
    return this.transaction(() => {
      const created: number[] = [];
      for (const vals of valsList) {
        this.assertWritableFields(vals);
        const employeeId = vals['employee_id'];
        if (employeeId === undefined || employeeId === false || employeeId === null) {
          throw validationError("Missing required value for the field 'Employee' (employee_id)");
        }
        const id = this.nextAttendanceId++;
        const row: EmulatedAttendance = {
          id,
          employee_id: this.employeeRef(employeeId),
          check_in: vals['check_in'] === undefined ? nowOdoo() : this.requiredDatetime(vals['check_in'], 'check_in'),
          check_out:
            vals['check_out'] === undefined || vals['check_out'] === false || vals['check_out'] === null
              ? false
              : parseOdooDatetime(vals['check_out'], 'check_out'),
        };
        this.attendanceRows.set(id, row);
        created.push(id);
      }
      this.checkConstraints(created);
      return created;
    });
  }

  private writeAttendances(ids: number[], vals: JsonObject): void {
    this.transaction(() => {
      this.assertWritableFields(vals);
      const absent = ids.filter((id) => !this.attendanceRows.has(id));
      if (absent.length > 0) {
        throw this.missing('hr.attendance', absent);
      }
      for (const id of ids) {
        const row = this.attendanceRows.get(id) as EmulatedAttendance;
        if (this.journal && !this.journal.has(id)) {
          this.journal.set(id, { ...row });
        }
        if ('employee_id' in vals) {
          row.employee_id = this.employeeRef(vals['employee_id']);
        }
        if ('check_in' in vals) {
          row.check_in = this.requiredDatetime(vals['check_in'], 'check_in');
        }
        if ('check_out' in vals) {
          const value = vals['check_out'];
          row.check_out = value === false || value === null ? false : parseOdooDatetime(value, 'check_out');
        }
      }
      this.checkConstraints(ids);
    });
  }

  private assertWritableFields(vals: JsonObject): void {
    for (const key of Object.keys(vals)) {
      if (!['employee_id', 'check_in', 'check_out'].includes(key)) {
        throw valueError(`Invalid field '${key}' on model 'hr.attendance'`);
      }
    }
  }

  private employeeRef(value: Json | undefined): number {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw validationError(`Invalid value for field 'employee_id': ${JSON.stringify(value)}`);
    }
    if (!this.employeeRows.has(value)) {
      throw this.missing('hr.employee', [value]);
    }
    return value;
  }

  private requiredDatetime(value: Json | undefined, field: string): string {
    if (value === false || value === null || value === undefined) {
      throw validationError(`Missing required value for the field 'Check In' (${field})`);
    }
    return parseOdooDatetime(value, field);
  }

  /** Odoo's hr.attendance constraints (_check_validity_check_in_check_out, _check_validity) on the given rows. */
  private checkConstraints(ids: number[]): void {
    for (const id of ids) {
      const att = this.attendanceRows.get(id) as EmulatedAttendance;
      if (att.check_out && att.check_out < att.check_in) {
        throw validationError('"Check Out" time cannot be earlier than "Check In" time.');
      }
    }
    // One pass over the table for every employee concerned (not one per checked row).
    const concerned = new Set(ids.map((id) => (this.attendanceRows.get(id) as EmulatedAttendance).employee_id));
    const byEmployee = new Map<number, EmulatedAttendance[]>();
    for (const a of this.attendanceRows.values()) {
      if (concerned.has(a.employee_id)) {
        byEmployee.set(a.employee_id, [...(byEmployee.get(a.employee_id) ?? []), a]);
      }
    }
    for (const id of ids) {
      const att = this.attendanceRows.get(id) as EmulatedAttendance;
      const name = this.employeeRows.get(att.employee_id)?.name ?? '';
      const others = (byEmployee.get(att.employee_id) ?? []).filter((a) => a.id !== att.id);
      const latest = (rows: EmulatedAttendance[]): EmulatedAttendance | undefined =>
        [...rows].sort((a, b) => (a.check_in === b.check_in ? b.id - a.id : a.check_in < b.check_in ? 1 : -1))[0];
      const lastBeforeCheckIn = latest(others.filter((a) => a.check_in <= att.check_in));
      if (lastBeforeCheckIn && lastBeforeCheckIn.check_out && lastBeforeCheckIn.check_out > att.check_in) {
        throw validationError(
          `Cannot create new attendance record for ${name}, the employee was already checked in on ${formatOdooUserDatetime(att.check_in)}`,
        );
      }
      if (!att.check_out) {
        const open = latest(others.filter((a) => a.check_out === false));
        if (open) {
          throw validationError(
            `Cannot create new attendance record for ${name}, the employee hasn't checked out since ${formatOdooUserDatetime(open.check_in)}`,
          );
        }
      } else {
        const checkOut = att.check_out;
        const lastBeforeCheckOut = latest(others.filter((a) => a.check_in < checkOut));
        if (lastBeforeCheckOut && lastBeforeCheckOut !== lastBeforeCheckIn) {
          throw validationError(
            `Cannot create new attendance record for ${name}, the employee was already checked in on ${formatOdooUserDatetime(lastBeforeCheckOut.check_in)}`,
          );
        }
      }
    }
  }

  /**
   * Runs a mutation as one transaction: any error restores the previous state (rows created in it
   * are dropped, rows written get back the copy the journal took before their first change).
   */
  private transaction<T>(fn: () => T): T {
    const nextId = this.nextAttendanceId;
    const journal = new Map<number, EmulatedAttendance>();
    this.journal = journal;
    try {
      return fn();
    } catch (error) {
      for (let id = nextId; id < this.nextAttendanceId; id += 1) {
        this.attendanceRows.delete(id);
      }
      for (const [id, row] of journal) {
        this.attendanceRows.set(id, row);
      }
      this.nextAttendanceId = nextId;
      throw error;
    } finally {
      this.journal = null;
    }
  }
}

// ---------------------------------------------------------------------- CLI

function argValue(argv: string[], name: string): string | undefined {
  const index = argv.indexOf(name);
  if (index >= 0) {
    return argv[index + 1];
  }
  const prefixed = argv.find((a) => a.startsWith(`${name}=`));
  return prefixed ? prefixed.slice(name.length + 1) : undefined;
}

async function main(argv: string[]): Promise<void> {
  const port = Number(argValue(argv, '--port') ?? process.env['ODOO_EMULATOR_PORT'] ?? 8069);
  const host = argValue(argv, '--host') ?? '127.0.0.1';
  const keyFromArgs = argValue(argv, '--api-key') ?? process.env['ODOO_EMULATOR_API_KEY'];
  const emulator = new OdooEmulator({
    database: argValue(argv, '--db') ?? 'odoo',
    login: argValue(argv, '--login') ?? 'admin',
    apiKey: keyFromArgs ?? DEMO_API_KEY,
    latencyMs: Number(argValue(argv, '--latency') ?? 0),
  });
  const demo = [
    { name: 'Alice Martin', barcode: 'EMP001', identification_id: 'ID-1001' },
    { name: 'Bilal Haddad', barcode: 'EMP002', identification_id: 'ID-1002' },
    { name: 'Chen Wei', barcode: 'EMP003', identification_id: 'ID-1003' },
    { name: 'Diana Lopez', barcode: 'EMP004', identification_id: 'ID-1004' },
    { name: 'Emeka Obi', barcode: 'EMP005', identification_id: 'ID-1005' },
  ];
  demo.forEach((e) => emulator.addEmployee(e));
  const url = await emulator.start(port, host);
  process.stdout.write(
    `Odoo emulator ${emulator.serverVersion} listening on ${url}\n` +
      `  database: ${emulator.database}  login: ${emulator.login}  uid: ${emulator.uid}\n` +
      `  api key: ${keyFromArgs ? 'from --api-key / ODOO_EMULATOR_API_KEY' : 'DEMO_API_KEY (see test/emulators/odoo.emulator.ts)'}\n` +
      `  employees: ${demo.map((e) => `${e.name} [${e.barcode}/${e.identification_id}]`).join(', ')}\n`,
  );
  const shutdown = (): void => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (/odoo\.emulator\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`odoo emulator failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
