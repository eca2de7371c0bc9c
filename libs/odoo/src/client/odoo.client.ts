import { fromOdooDatetime, toOdooDatetime } from './odoo-datetime';
import {
  OdooAuthError,
  OdooError,
  OdooTransportError,
  httpStatusError,
  parseJson2Error,
  parseJsonRpcError,
  redactSecret,
} from './odoo.errors';
import type {
  OdooAttendance,
  OdooAttendanceInput,
  OdooAttendanceUpdate,
  OdooCallEvent,
  OdooClientOptions,
  OdooEmployeeMatch,
  OdooEmployeeMatchField,
  OdooOpenAttendance,
  OdooProtocol,
  OdooVersionInfo,
} from './odoo.types';

/**
 * Positional signatures of the ORM methods we may call through `executeKw`, used to turn
 * JSON-RPC positional arguments into JSON-2 named arguments. `ids` marks record methods whose
 * first positional argument is the record ids.
 */
const ORM_SIGNATURES: Record<string, { ids: boolean; names: string[] }> = {
  search_read: { ids: false, names: ['domain', 'fields', 'offset', 'limit', 'order'] },
  search: { ids: false, names: ['domain', 'offset', 'limit', 'order'] },
  search_count: { ids: false, names: ['domain', 'limit'] },
  create: { ids: false, names: ['vals_list'] },
  read: { ids: true, names: ['fields', 'load'] },
  write: { ids: true, names: ['vals'] },
  unlink: { ids: true, names: [] },
  fields_get: { ids: false, names: ['allfields', 'attributes'] },
  context_get: { ids: false, names: [] },
};

const ATTENDANCE = 'hr.attendance';
const EMPLOYEE = 'hr.employee';
const ATTENDANCE_FIELDS = ['id', 'employee_id', 'check_in', 'check_out', 'worked_hours'];

interface HttpAnswer {
  status: number;
  text: string;
}

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Client for Odoo's external API over either transport:
 * - 'jsonrpc': `POST /jsonrpc` (common.version, common.authenticate, object.execute_kw), Odoo 8..21;
 * - 'json2':   `POST /json/2/<model>/<method>` with a bearer API key, Odoo 19+.
 *
 * Every call is bounded by `timeoutMs`; failures are typed (`OdooTransportError`, `OdooAuthError`,
 * `OdooValidationError`, `OdooError`) and carry `retryable`. The API key is never put in an error.
 */
export class OdooClient {
  readonly protocol: OdooProtocol;
  private readonly baseUrl: string;
  private readonly displayOrigin: string;
  private readonly fetchImpl: typeof fetch;
  private readonly userAgent: string;
  private uid: number | null = null;
  private pendingAuth: Promise<number> | null = null;
  private nextId = 1;

  constructor(private readonly options: OdooClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new OdooError('Odoo baseUrl is not a valid URL', { retryable: false });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new OdooError(`Odoo baseUrl must be http(s), got ${url.protocol}`, { retryable: false });
    }
    if (options.protocol !== 'jsonrpc' && options.protocol !== 'json2') {
      throw new OdooError(`Unknown Odoo protocol '${String(options.protocol)}'`, { retryable: false });
    }
    if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
      throw new OdooError('Odoo timeoutMs must be a positive number', { retryable: false });
    }
    this.protocol = options.protocol;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.displayOrigin = url.origin;
    this.fetchImpl = options.fetch ?? fetch;
    this.userAgent = options.userAgent ?? 'cctv-attendance-odoo-client/1';
  }

  /** uid obtained by the last successful authenticate(), or null. */
  get authenticatedUid(): number | null {
    return this.uid;
  }

  // ---------------------------------------------------------------- generic API

  /** Server version: JSON-RPC common.version, or JSON-2 GET /web/version. No credentials needed. */
  async version(): Promise<OdooVersionInfo> {
    if (this.protocol === 'jsonrpc') {
      const result = await this.jsonRpc('common', 'version', []);
      const body = this.expectRecord(result, 'common.version');
      return this.versionInfo(body['server_version'], body['server_version_info'], 'common.version');
    }
    const result = await this.tracked('web.version', async () => {
      const answer = await this.http('web.version', 'GET', '/web/version', undefined, false);
      return this.parseOkBody(answer, 'web.version');
    });
    const body = this.expectRecord(result, 'web.version');
    return this.versionInfo(body['version'], body['version_info'], 'web.version');
  }

  /**
   * Checks the credentials and returns the uid, cached for later calls.
   * JSON-RPC: common.authenticate(db, login, apiKey, {}), `false` -> OdooAuthError.
   * JSON-2: the bearer key is checked by reading the login's user id (401 -> OdooAuthError).
   */
  async authenticate(): Promise<number> {
    const uid = this.protocol === 'jsonrpc' ? await this.authenticateJsonRpc() : await this.authenticateJson2();
    this.uid = uid;
    return uid;
  }

  /**
   * Calls a model method with JSON-RPC positional `args` and named `kwargs` (object.execute_kw).
   * Over JSON-2 the positional arguments of the usual ORM methods are mapped to their names;
   * pass kwargs for any other method. Authenticates lazily over JSON-RPC and caches the uid.
   */
  async executeKw(model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<unknown> {
    if (this.protocol === 'jsonrpc') {
      return this.executeKwJsonRpc(model, method, args, kwargs);
    }
    const signature = ORM_SIGNATURES[method];
    const named: Record<string, unknown> = {};
    let rest = args;
    let ids: unknown;
    if (signature?.ids && rest.length > 0) {
      ids = rest[0];
      rest = rest.slice(1);
    }
    if (rest.length > 0) {
      if (!signature || rest.length > signature.names.length) {
        throw new OdooError(`${model}.${method}: positional arguments cannot be sent over JSON-2; pass them in kwargs`, {
          retryable: false,
          operation: `${model}.${method}`,
        });
      }
      rest.forEach((value, index) => {
        named[signature.names[index] as string] = value;
      });
    }
    return this.json2(model, method, { ...named, ...kwargs }, ids);
  }

  /**
   * Calls a model method with named parameters (the JSON-2 style), `ids` for record methods.
   * Over JSON-RPC, ids become the first positional argument and the rest go as kwargs
   * (except create's vals_list, which Odoo only accepts positionally).
   */
  async callMethod(model: string, method: string, params: Record<string, unknown> = {}, ids?: number[]): Promise<unknown> {
    if (this.protocol === 'json2') {
      return this.json2(model, method, params, ids);
    }
    const args: unknown[] = ids ? [ids] : [];
    const kwargs = { ...params };
    if (method === 'create' && 'vals_list' in kwargs) {
      args.push(kwargs['vals_list']);
      delete kwargs['vals_list'];
    }
    return this.executeKwJsonRpc(model, method, args, kwargs);
  }

  // ---------------------------------------------------------------- sync engine helpers

  /** Active employees whose barcode / identification_id is one of `values`. */
  async searchReadEmployees(field: OdooEmployeeMatchField, values: string[]): Promise<OdooEmployeeMatch[]> {
    if (field !== 'barcode' && field !== 'identification_id') {
      throw new OdooError(`Unsupported employee match field '${String(field)}'`, { retryable: false });
    }
    const wanted = [...new Set(values.filter((v) => typeof v === 'string' && v.length > 0))];
    if (wanted.length === 0) {
      return [];
    }
    const op = `${EMPLOYEE}.search_read`;
    const result = await this.callMethod(EMPLOYEE, 'search_read', {
      domain: [[field, 'in', wanted]],
      fields: ['id', 'name', field],
    });
    return this.expectRecordArray(result, op).map((row) => ({
      id: this.expectId(row['id'], op),
      name: typeof row['name'] === 'string' ? row['name'] : '',
      value: typeof row[field] === 'string' ? row[field] : '',
    }));
  }

  /** Creates one hr.attendance and returns its id. */
  async createAttendance(input: OdooAttendanceInput): Promise<number> {
    const op = `${ATTENDANCE}.create`;
    const vals: Record<string, unknown> = {
      employee_id: input.employeeId,
      check_in: toOdooDatetime(input.checkIn),
    };
    if (input.checkOut) {
      vals['check_out'] = toOdooDatetime(input.checkOut);
    }
    const result = await this.callMethod(ATTENDANCE, 'create', { vals_list: [vals] });
    const ids = Array.isArray(result) ? result : [result];
    return this.expectId(ids[0], op);
  }

  /**
   * Creates several hr.attendance records in one call (`create` takes a list of vals) and returns
   * their ids in input order. Odoo runs it as one transaction: one invalid record fails them all.
   */
  async createAttendances(inputs: OdooAttendanceInput[]): Promise<number[]> {
    if (inputs.length === 0) {
      return [];
    }
    const op = `${ATTENDANCE}.create`;
    const valsList = inputs.map((input) => {
      const vals: Record<string, unknown> = {
        employee_id: input.employeeId,
        check_in: toOdooDatetime(input.checkIn),
      };
      if (input.checkOut) {
        vals['check_out'] = toOdooDatetime(input.checkOut);
      }
      return vals;
    });
    const result = await this.callMethod(ATTENDANCE, 'create', { vals_list: valsList });
    const ids = Array.isArray(result) ? result : [result];
    if (ids.length !== inputs.length) {
      throw this.badShape(op, `${inputs.length} record ids`);
    }
    return ids.map((id) => this.expectId(id, op));
  }

  /**
   * Attendances of these employees that are still open or whose check_in is exactly one of
   * `checkIns` (to the second), in one search_read: what a sync must adopt rather than create again
   * (records an interrupted earlier run created before it could remember their ids, check-ins made
   * in Odoo itself).
   */
  async findAttendancesAtOrOpen(employeeIds: number[], checkIns: Date[]): Promise<OdooAttendance[]> {
    const employees = [...new Set(employeeIds)];
    const instants = [...new Set(checkIns.map((d) => toOdooDatetime(d)))];
    if (employees.length === 0 || instants.length === 0) {
      return [];
    }
    const op = `${ATTENDANCE}.search_read`;
    const result = await this.callMethod(ATTENDANCE, 'search_read', {
      domain: ['&', ['employee_id', 'in', employees], '|', ['check_in', 'in', instants], ['check_out', '=', false]],
      fields: ATTENDANCE_FIELDS,
      order: 'check_in asc, id asc',
    });
    return this.expectRecordArray(result, op).map((row) => this.attendanceRow(row, op));
  }

  /** Updates check_in / check_out of an hr.attendance (checkOut null re-opens it). */
  async writeAttendance(id: number, update: OdooAttendanceUpdate): Promise<void> {
    const vals: Record<string, unknown> = {};
    if (update.checkIn !== undefined) {
      vals['check_in'] = toOdooDatetime(update.checkIn);
    }
    if (update.checkOut !== undefined) {
      vals['check_out'] = update.checkOut === null ? false : toOdooDatetime(update.checkOut);
    }
    if (Object.keys(vals).length === 0) {
      return;
    }
    const result = await this.callMethod(ATTENDANCE, 'write', { vals }, [id]);
    if (result !== true) {
      throw new OdooError(`${ATTENDANCE}.write returned ${JSON.stringify(result)} instead of true`, {
        retryable: false,
        operation: `${ATTENDANCE}.write`,
      });
    }
  }

  /** The employee's open attendance (check_out unset), latest first, or null. */
  async findOpenAttendance(employeeId: number): Promise<OdooOpenAttendance | null> {
    const op = `${ATTENDANCE}.search_read`;
    const result = await this.callMethod(ATTENDANCE, 'search_read', {
      domain: [
        ['employee_id', '=', employeeId],
        ['check_out', '=', false],
      ],
      fields: ['id', 'check_in'],
      order: 'check_in desc',
      limit: 1,
    });
    const rows = this.expectRecordArray(result, op);
    const row = rows[0];
    if (!row) {
      return null;
    }
    return { id: this.expectId(row['id'], op), checkIn: this.expectDatetime(row['check_in'], op) };
  }

  /** Reads attendances by id (ids that do not exist make Odoo raise MissingError). */
  async readAttendances(ids: number[]): Promise<OdooAttendance[]> {
    if (ids.length === 0) {
      return [];
    }
    const op = `${ATTENDANCE}.read`;
    const result = await this.callMethod(ATTENDANCE, 'read', { fields: ATTENDANCE_FIELDS }, ids);
    return this.expectRecordArray(result, op).map((row) => this.attendanceRow(row, op));
  }

  private attendanceRow(row: JsonRecord, op: string): OdooAttendance {
    const employee = row['employee_id'];
    let employeeId: number;
    let employeeName: string | null = null;
    if (Array.isArray(employee)) {
      employeeId = this.expectId(employee[0], op);
      employeeName = typeof employee[1] === 'string' ? employee[1] : null;
    } else {
      employeeId = this.expectId(employee, op);
    }
    const checkOut = row['check_out'];
    return {
      id: this.expectId(row['id'], op),
      employeeId,
      employeeName,
      checkIn: this.expectDatetime(row['check_in'], op),
      checkOut: checkOut === false || checkOut === null || checkOut === undefined ? null : this.expectDatetime(checkOut, op),
      workedHours: typeof row['worked_hours'] === 'number' ? row['worked_hours'] : null,
    };
  }

  // ---------------------------------------------------------------- JSON-RPC transport

  private async authenticateJsonRpc(): Promise<number> {
    const { database, login, apiKey } = this.options;
    const result = await this.jsonRpc('common', 'authenticate', [database, login, apiKey, {}]);
    if (typeof result === 'number' && Number.isInteger(result) && result > 0) {
      return result;
    }
    if (result === false || result === null) {
      throw new OdooAuthError(`Odoo refused login '${login}' on database '${database}' (wrong login, API key or database)`, {
        operation: 'common.authenticate',
      });
    }
    throw this.badShape('common.authenticate', 'a uid');
  }

  private async ensureUid(): Promise<number> {
    if (this.uid !== null) {
      return this.uid;
    }
    // Concurrent first calls share one authenticate round-trip.
    this.pendingAuth ??= this.authenticate().finally(() => {
      this.pendingAuth = null;
    });
    return this.pendingAuth;
  }

  private async executeKwJsonRpc(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>): Promise<unknown> {
    const uid = await this.ensureUid();
    try {
      return await this.jsonRpc(
        'object',
        'execute_kw',
        [this.options.database, uid, this.options.apiKey, model, method, args, kwargs],
        `${model}.${method}`,
      );
    } catch (error) {
      if (error instanceof OdooAuthError) {
        // The key may have been revoked or the user changed: authenticate again next time.
        this.uid = null;
      }
      throw error;
    }
  }

  private jsonRpc(service: string, method: string, args: unknown[], operation = `${service}.${method}`): Promise<unknown> {
    return this.tracked(operation, () => this.jsonRpcOnce(service, method, args, operation));
  }

  private async jsonRpcOnce(service: string, method: string, args: unknown[], operation: string): Promise<unknown> {
    const id = this.nextId++;
    const payload = { jsonrpc: '2.0', method: 'call', params: { service, method, args }, id };
    const answer = await this.http(operation, 'POST', '/jsonrpc', payload, false);
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      if (answer.status < 200 || answer.status >= 300) {
        throw httpStatusError(answer.status, { operation });
      }
      throw this.notJson(operation, answer.status);
    }
    if (isRecord(body) && 'error' in body && body['error'] !== null && body['error'] !== undefined) {
      throw parseJsonRpcError(body['error'], { secret: this.options.apiKey, operation });
    }
    if (answer.status < 200 || answer.status >= 300) {
      throw httpStatusError(answer.status, { operation });
    }
    if (!isRecord(body)) {
      throw this.badShape(operation, 'a JSON-RPC response object');
    }
    // Odoo omits "result" when the method returned None.
    return body['result'] ?? null;
  }

  // ---------------------------------------------------------------- JSON-2 transport

  private async authenticateJson2(): Promise<number> {
    const op = 'res.users.search_read';
    const result = await this.json2('res.users', 'search_read', {
      domain: [['login', '=', this.options.login]],
      fields: ['id'],
      limit: 1,
    });
    const rows = this.expectRecordArray(result, op);
    const row = rows[0];
    if (!row) {
      throw new OdooAuthError(`The API key is valid but no user has login '${this.options.login}' on database '${this.options.database}'`, {
        operation: op,
      });
    }
    return this.expectId(row['id'], op);
  }

  private async json2(model: string, method: string, params: Record<string, unknown>, ids?: unknown): Promise<unknown> {
    const operation = `${model}.${method}`;
    const body = ids === undefined ? params : { ids, ...params };
    const path = `/json/2/${encodeURIComponent(model)}/${encodeURIComponent(method)}`;
    return this.tracked(operation, async () => this.parseOkBody(await this.http(operation, 'POST', path, body, true), operation));
  }

  /** Body of a JSON-2 / GET answer: JSON on 2xx, a typed error otherwise. */
  private parseOkBody(answer: HttpAnswer, operation: string): unknown {
    if (answer.status < 200 || answer.status >= 300) {
      throw parseJson2Error(answer.status, answer.text, { secret: this.options.apiKey, operation });
    }
    if (answer.text.trim() === '') {
      return null;
    }
    try {
      return JSON.parse(answer.text) as unknown;
    } catch {
      throw this.notJson(operation, answer.status);
    }
  }

  // ---------------------------------------------------------------- HTTP

  private async http(operation: string, method: 'GET' | 'POST', path: string, body: unknown, bearer: boolean): Promise<HttpAnswer> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': this.userAgent,
    };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json; charset=utf-8';
    }
    if (this.protocol === 'json2') {
      headers['X-Odoo-Database'] = this.options.database;
    }
    if (bearer) {
      headers['Authorization'] = `bearer ${this.options.apiKey}`;
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    try {
      const response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
        redirect: 'error',
      });
      const text = await response.text();
      return { status: response.status, text };
    } catch (error) {
      throw this.transportFailure(error, timedOut, operation);
    } finally {
      clearTimeout(timer);
    }
  }

  private transportFailure(error: unknown, timedOut: boolean, operation: string): OdooError {
    if (timedOut) {
      return new OdooTransportError(`Odoo did not answer ${operation} within ${this.options.timeoutMs} ms (${this.displayOrigin})`, {
        kind: 'timeout',
        operation,
      });
    }
    const cause = error instanceof Error && isRecord(error.cause) ? error.cause : null;
    const code = cause && typeof cause['code'] === 'string' ? cause['code'] : null;
    const detail = code ?? (error instanceof Error ? error.message : 'unknown error');
    return new OdooTransportError(
      redactSecret(`Odoo unreachable at ${this.displayOrigin} during ${operation}: ${detail}`, this.options.apiKey),
      {
        kind: 'network',
        operation,
      },
    );
  }

  /** Runs one HTTP round-trip and its parsing, then reports it to onCall with its outcome. */
  private async tracked<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let failure: unknown = null;
    try {
      return await run();
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      this.report(operation, performance.now() - started, failure);
    }
  }

  private report(operation: string, durationMs: number, failure: unknown): void {
    if (!this.options.onCall) {
      return;
    }
    const event: OdooCallEvent = {
      protocol: this.protocol,
      operation,
      durationMs: Math.round(durationMs * 100) / 100,
      ok: failure === null,
    };
    if (failure !== null) {
      event.errorClass = failure instanceof Error ? failure.name : 'Error';
      event.odooName = failure instanceof OdooError ? failure.odooName : null;
      event.status = failure instanceof OdooError ? failure.status : null;
    }
    try {
      this.options.onCall(event);
    } catch {
      // A metrics hook must never break a call.
    }
  }

  // ---------------------------------------------------------------- response shape checks

  private versionInfo(version: unknown, info: unknown, operation: string): OdooVersionInfo {
    if (typeof version !== 'string') {
      throw this.badShape(operation, 'a version string');
    }
    const versionInfo = Array.isArray(info) ? info.filter((v): v is number | string => typeof v === 'number' || typeof v === 'string') : [];
    const first = versionInfo[0];
    let major: number | null = typeof first === 'number' ? first : null;
    if (major === null) {
      const match = /(\d+)\.\d+/.exec(version);
      major = match ? Number(match[1]) : null;
    }
    return { serverVersion: version, versionInfo, major };
  }

  private expectRecord(value: unknown, operation: string): JsonRecord {
    if (!isRecord(value)) {
      throw this.badShape(operation, 'an object');
    }
    return value;
  }

  private expectRecordArray(value: unknown, operation: string): JsonRecord[] {
    if (!Array.isArray(value) || !value.every(isRecord)) {
      throw this.badShape(operation, 'a list of records');
    }
    return value;
  }

  private expectId(value: unknown, operation: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw this.badShape(operation, 'a record id');
    }
    return value;
  }

  private expectDatetime(value: unknown, operation: string): Date {
    if (typeof value !== 'string') {
      throw this.badShape(operation, 'a datetime');
    }
    try {
      return fromOdooDatetime(value);
    } catch {
      throw this.badShape(operation, "a 'YYYY-MM-DD HH:MM:SS' datetime");
    }
  }

  private badShape(operation: string, expected: string): OdooError {
    return new OdooError(`Unexpected Odoo answer to ${operation}: expected ${expected}`, { retryable: false, operation });
  }

  private notJson(operation: string, status: number): OdooError {
    return new OdooError(`Odoo answered ${operation} with a non-JSON body (HTTP ${status}); check baseUrl ${this.displayOrigin}`, {
      retryable: false,
      status,
      operation,
    });
  }
}
