/** Public shapes of the Odoo client. Dates are JS Dates on our side, naive UTC strings on the wire. */

export type OdooProtocol = 'jsonrpc' | 'json2';

/** Employee fields we can match our employee code against. */
export type OdooEmployeeMatchField = 'barcode' | 'identification_id';

/** A JSON value as sent to or received from Odoo. */
export type OdooJson = string | number | boolean | null | OdooJson[] | { [key: string]: OdooJson };

/** Odoo domain: a list of [field, operator, value] terms and '&' / '|' / '!' operators (Polish notation). */
export type OdooDomainTerm = [string, string, OdooJson] | '&' | '|' | '!';
export type OdooDomain = OdooDomainTerm[];

export interface OdooCallEvent {
  protocol: OdooProtocol;
  /** 'common.version', 'common.authenticate', 'web.version', or '<model>.<method>'. */
  operation: string;
  durationMs: number;
  ok: boolean;
  /** Class name of the error when ok is false ('OdooValidationError', ...). */
  errorClass?: string;
  /** Odoo exception name when Odoo reported one. */
  odooName?: string | null;
  /** HTTP status when the failure came with one. */
  status?: number | null;
}

export interface OdooClientOptions {
  /** e.g. 'https://odoo.example.com' (a trailing slash is ignored). */
  baseUrl: string;
  database: string;
  /** Login of the integration user; used by JSON-RPC authenticate only. */
  login: string;
  /** Odoo API key (Preferences > Account Security > New API Key). Never logged nor put in errors. */
  apiKey: string;
  protocol: OdooProtocol;
  /** Bound for each HTTP call, connection + response body included. */
  timeoutMs: number;
  /** Called once per HTTP call with its outcome, successful or not (metrics, call counting). Must not throw. */
  onCall?: (event: OdooCallEvent) => void;
  /** Injected fetch (tests); defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Sent as User-Agent; defaults to 'cctv-attendance-odoo-client/1'. */
  userAgent?: string;
}

export interface OdooVersionInfo {
  /** '19.0', 'saas~18.3', ... */
  serverVersion: string;
  /** [19, 0, 0, 'final', 0, ''] */
  versionInfo: Array<number | string>;
  /** Major version number when it can be read from versionInfo / serverVersion, else null. */
  major: number | null;
}

export interface OdooEmployeeMatch {
  id: number;
  name: string;
  /** Value of the matched field (barcode or identification_id). */
  value: string;
}

export interface OdooAttendanceInput {
  employeeId: number;
  checkIn: Date;
  checkOut?: Date | null;
}

export interface OdooAttendanceUpdate {
  checkIn?: Date;
  /** null re-opens the attendance (check_out = false). */
  checkOut?: Date | null;
}

export interface OdooOpenAttendance {
  id: number;
  checkIn: Date;
}

export interface OdooAttendance {
  id: number;
  employeeId: number;
  employeeName: string | null;
  checkIn: Date;
  checkOut: Date | null;
  /** Hours, as computed by Odoo (0 while open). */
  workedHours: number | null;
}
