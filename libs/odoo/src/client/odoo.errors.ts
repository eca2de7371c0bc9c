/**
 * Typed errors for every way an Odoo call can fail, and the parsers that turn Odoo's two error
 * formats into them:
 * - JSON-RPC (`/jsonrpc`): always HTTP 200, `{"error": {"code", "message", "data": {"name", "message",
 *   "arguments", "debug", "context"}}}`;
 * - JSON-2 (`/json/2/...`): a 4xx/5xx status with `{"name", "message", "arguments", "context", "debug"}`.
 *
 * The caller decides what to do from two facts: the class (auth / validation / transport) and
 * `retryable`. Messages never contain the API key: every text that came from the wire goes
 * through `redactSecret`, and the Odoo traceback (`debug`) is never copied.
 */

export type OdooTransportKind = 'network' | 'timeout' | 'http';

export interface OdooErrorOptions {
  retryable: boolean;
  /** Fully-qualified Python exception name reported by Odoo, e.g. 'odoo.exceptions.ValidationError'. */
  odooName?: string | null;
  /** HTTP status of the response, when there was one. */
  status?: number | null;
  /** What was being called, e.g. 'hr.attendance.create' or 'common.authenticate'. */
  operation?: string | null;
  /** Odoo's exception arguments (redacted strings). */
  odooArguments?: readonly unknown[];
}

export class OdooError extends Error {
  override name = 'OdooError';
  readonly retryable: boolean;
  readonly odooName: string | null;
  readonly status: number | null;
  readonly operation: string | null;
  readonly odooArguments: readonly unknown[];

  constructor(message: string, options: OdooErrorOptions) {
    super(message);
    this.retryable = options.retryable;
    this.odooName = options.odooName ?? null;
    this.status = options.status ?? null;
    this.operation = options.operation ?? null;
    this.odooArguments = options.odooArguments ?? [];
  }
}

/** Network failure, timeout, or a 5xx/429 that did not come from Odoo's own error handler. */
export class OdooTransportError extends OdooError {
  override name = 'OdooTransportError';
  readonly kind: OdooTransportKind;

  constructor(message: string, options: Omit<OdooErrorOptions, 'retryable'> & { kind: OdooTransportKind; retryable?: boolean }) {
    super(message, { ...options, retryable: options.retryable ?? true });
    this.kind = options.kind;
  }

  get timedOut(): boolean {
    return this.kind === 'timeout';
  }
}

/** Bad login / API key / database, or the user lacks the rights for the operation. Never retryable. */
export class OdooAuthError extends OdooError {
  override name = 'OdooAuthError';

  constructor(message: string, options: Omit<OdooErrorOptions, 'retryable'> = {}) {
    super(message, { ...options, retryable: false });
  }
}

/** Odoo refused the data (ValidationError, UserError, MissingError). Never retryable as is. */
export class OdooValidationError extends OdooError {
  override name = 'OdooValidationError';

  constructor(message: string, options: Omit<OdooErrorOptions, 'retryable'> = {}) {
    super(message, { ...options, retryable: false });
  }
}

const AUTH_NAMES = new Set([
  'odoo.exceptions.AccessDenied',
  'odoo.exceptions.AccessError',
  'odoo.http.SessionExpiredException',
  'werkzeug.exceptions.Unauthorized',
  'werkzeug.exceptions.Forbidden',
]);

const VALIDATION_NAMES = new Set([
  'odoo.exceptions.ValidationError',
  'odoo.exceptions.UserError',
  'odoo.exceptions.MissingError',
  'odoo.exceptions.RedirectWarning',
  'odoo.exceptions.except_orm',
  'odoo.exceptions.Warning',
]);

/** Server-side transient conditions: the same call can succeed a moment later. */
const RETRYABLE_NAMES = new Set([
  'odoo.exceptions.ConcurrencyError',
  'psycopg2.OperationalError',
  'psycopg2.errors.SerializationFailure',
  'psycopg2.errors.DeadlockDetected',
  'psycopg2.errors.LockNotAvailable',
  'psycopg2.extensions.TransactionRollbackError',
  'werkzeug.exceptions.ServiceUnavailable',
  'werkzeug.exceptions.TooManyRequests',
  'werkzeug.exceptions.BadGateway',
  'werkzeug.exceptions.GatewayTimeout',
]);

const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Replaces every occurrence of the secret in a text. Empty or very short secrets are left alone. */
export function redactSecret(text: string, secret: string | null | undefined): string {
  if (!secret || secret.length < 4) {
    return text;
  }
  return text.split(secret).join('***');
}

export interface OdooExceptionPayload {
  name: string;
  message: string;
  arguments: readonly unknown[];
}

export interface ParseContext {
  /** The secret to scrub from any text copied into the error. */
  secret?: string | null;
  operation?: string | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function redactArguments(args: readonly unknown[], secret: string | null | undefined): unknown[] {
  return args.map((arg) =>
    typeof arg === 'string'
      ? redactSecret(arg, secret)
      : typeof arg === 'number' || typeof arg === 'boolean' || arg === null
        ? arg
        : '[object]',
  );
}

/** Builds the right error class for an exception Odoo reported (either protocol). */
export function classifyOdooException(payload: OdooExceptionPayload, status: number | null, ctx: ParseContext = {}): OdooError {
  const message = redactSecret(payload.message || payload.name || 'Odoo error', ctx.secret);
  const options = {
    odooName: payload.name || null,
    status,
    operation: ctx.operation ?? null,
    odooArguments: redactArguments(payload.arguments, ctx.secret),
  };
  if (AUTH_NAMES.has(payload.name)) {
    return new OdooAuthError(message, options);
  }
  if (VALIDATION_NAMES.has(payload.name)) {
    return new OdooValidationError(message, options);
  }
  if (RETRYABLE_NAMES.has(payload.name)) {
    return new OdooError(message, { ...options, retryable: true });
  }
  if (!payload.name && status !== null && RETRYABLE_STATUSES.has(status)) {
    return new OdooTransportError(message, { ...options, kind: 'http' });
  }
  // A named Python exception (ValueError, KeyError, NotFound...) is deterministic: the same call fails again.
  return new OdooError(message, { ...options, retryable: false });
}

function readPayload(value: unknown): OdooExceptionPayload | null {
  if (!isRecord(value)) {
    return null;
  }
  const name = typeof value['name'] === 'string' ? value['name'] : '';
  const message = typeof value['message'] === 'string' ? value['message'] : '';
  if (!name && !message) {
    return null;
  }
  const args = Array.isArray(value['arguments']) ? (value['arguments'] as unknown[]) : message ? [message] : [];
  return { name, message, arguments: args };
}

/**
 * Parses the `error` member of a JSON-RPC response (`{"code": 200, "message": "Odoo Server Error", "data": {...}}`).
 */
export function parseJsonRpcError(error: unknown, ctx: ParseContext = {}): OdooError {
  if (!isRecord(error)) {
    return new OdooError('Odoo JSON-RPC error without details', { retryable: false, operation: ctx.operation ?? null });
  }
  const code = typeof error['code'] === 'number' ? error['code'] : null;
  const topMessage = typeof error['message'] === 'string' ? error['message'] : 'Odoo Server Error';
  const payload = readPayload(error['data']);
  if (code === 100) {
    // "Odoo Session Expired": credentials no longer accepted.
    return new OdooAuthError(redactSecret(payload?.message || topMessage, ctx.secret), {
      odooName: payload?.name || 'odoo.http.SessionExpiredException',
      operation: ctx.operation ?? null,
    });
  }
  if (payload) {
    return classifyOdooException(payload, 200, ctx);
  }
  return new OdooError(redactSecret(topMessage, ctx.secret), { retryable: false, status: 200, operation: ctx.operation ?? null });
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Error for a non-2xx HTTP answer whose body is not one of Odoo's JSON errors (proxy pages, HTML). */
export function httpStatusError(status: number, ctx: ParseContext = {}): OdooError {
  const label = `HTTP ${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ''}`;
  const where = ctx.operation ? ` during ${ctx.operation}` : '';
  if (status === 401 || status === 403) {
    return new OdooAuthError(`Odoo refused the credentials (${label})${where}`, { status, operation: ctx.operation ?? null });
  }
  if (RETRYABLE_STATUSES.has(status) || status >= 500) {
    return new OdooTransportError(`Odoo unavailable (${label})${where}`, { kind: 'http', status, operation: ctx.operation ?? null });
  }
  return new OdooError(`Odoo answered ${label}${where}`, { retryable: false, status, operation: ctx.operation ?? null });
}

/**
 * Parses a non-2xx JSON-2 answer. Odoo's own handler sends `{name, message, arguments, context, debug}`;
 * anything else (a reverse proxy's HTML page) is judged by the status alone.
 */
export function parseJson2Error(status: number, bodyText: string, ctx: ParseContext = {}): OdooError {
  let body: unknown = null;
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = null;
  }
  const payload = readPayload(body);
  if (!payload) {
    return httpStatusError(status, ctx);
  }
  if (!payload.name && (status === 401 || status === 403)) {
    return new OdooAuthError(redactSecret(payload.message, ctx.secret), { status, operation: ctx.operation ?? null });
  }
  return classifyOdooException(payload, status, ctx);
}
