/**
 * Transport shared by the third-party provider clients: one bounded HTTP call (AbortController
 * timeout covering headers and body), error classification into the two provider errors, JSON
 * helpers for narrowing `unknown`, and the health-report rules.
 */
import { ProviderRejectedError, ProviderUnavailableError, type ProviderHealth } from '@app/faces/engine/face-provider';
import { redactText } from './redact';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_DEGRADED_AFTER_MS = 1_500;
const MAX_MESSAGE_CHARS = 200;

export interface ProviderRequest {
  url: string;
  method: 'GET' | 'POST' | 'DELETE';
  headers?: Record<string, string>;
  body?: FormData;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Values to mask in anything this call reports (the API key). */
  secrets: readonly (string | undefined)[];
  /** What the call does, for error messages, e.g. 'CompreFace recognize'. */
  label: string;
}

export interface ProviderResponse {
  status: number;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown;
  text: string;
  latencyMs: number;
}

/** Thrown by the timer inside sendProviderRequest; never escapes it. */
class ProviderTimeout extends Error {}

/**
 * Performs one HTTP call. Transport failures and timeouts become ProviderUnavailableError;
 * an abort through the caller's signal rethrows the signal's reason. HTTP statuses are returned
 * as they are: classification is up to the caller (see errorForStatus).
 */
export async function sendProviderRequest(req: ProviderRequest): Promise<ProviderResponse> {
  if (req.signal?.aborted) throw req.signal.reason;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new ProviderTimeout()), req.timeoutMs);
  const onCallerAbort = (): void => controller.abort(req.signal?.reason);
  req.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const started = performance.now();
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: controller.signal,
      // A redirect could carry the key elsewhere; a provider endpoint must be configured exactly.
      redirect: 'error',
    });
    const text = await res.text();
    return { status: res.status, json: parseJson(text), text, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    if (controller.signal.reason instanceof ProviderTimeout) {
      throw new ProviderUnavailableError(`${req.label}: no answer within ${req.timeoutMs} ms`);
    }
    if (req.signal?.aborted) throw req.signal.reason;
    throw new ProviderUnavailableError(`${req.label}: provider unreachable (${redactText(describeError(err), req.secrets)})`, err);
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onCallerAbort);
  }
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause: unknown = err.cause;
  if (cause instanceof Error) {
    const code = isRecord(cause) && typeof cause.code === 'string' ? cause.code : undefined;
    return code ? `${err.message}: ${code}` : `${err.message}: ${cause.message}`;
  }
  return err.message;
}

/** The provider's own words for a failed call ("message" or "error" field, else the text), secrets masked. */
export function providerMessage(res: ProviderResponse, secrets: readonly (string | undefined)[]): string {
  let message = '';
  if (isRecord(res.json)) {
    message = asString(res.json.message) ?? asString(res.json.error) ?? asString(res.json.detail) ?? '';
  } else if (res.text && !res.text.trimStart().startsWith('<')) {
    message = res.text;
  }
  message = redactText(message.replace(/\s+/g, ' ').trim(), secrets);
  return message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}...` : message;
}

/**
 * The error for a non-success HTTP status: 408, 429 and 5xx are worth retrying
 * (ProviderUnavailableError); any other status is a rejection that a retry will not fix.
 */
export function errorForStatus(label: string, res: ProviderResponse, secrets: readonly (string | undefined)[]): Error {
  const detail = providerMessage(res, secrets);
  const text = `${label}: HTTP ${res.status}${detail ? ` (${detail})` : ''}`;
  if (res.status === 408 || res.status === 429 || res.status >= 500) {
    return new ProviderUnavailableError(text, { status: res.status });
  }
  if (res.status === 401 || res.status === 403) {
    return new ProviderRejectedError(`${text}: the API key was refused`, res.status);
  }
  return new ProviderRejectedError(text, res.status);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

export function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/** Base URL without trailing slashes (for APIs whose paths we append); see validateEndpoint. */
export function normaliseBaseUrl(raw: string, label: string): string {
  const url = validateEndpoint(raw, label);
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

/** Parses an endpoint URL; rejects anything but http(s) and URLs carrying credentials. */
export function validateEndpoint(raw: string, label: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ProviderRejectedError(`${label}: endpoint is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProviderRejectedError(`${label}: endpoint must be http or https`);
  }
  if (url.username || url.password) {
    throw new ProviderRejectedError(`${label}: credentials in the endpoint URL are not allowed; use the API key`);
  }
  return url;
}

export function validTimeout(timeoutMs: number | undefined): number {
  return timeoutMs !== undefined && Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : DEFAULT_TIMEOUT_MS;
}

/**
 * Remembers how the last real calls (analyze/enrol/forget) ended, so that a provider that
 * answers the health probe but fails real work now and then is reported as degraded.
 */
export class CallHistory {
  private readonly outcomes: { ok: boolean; at: number }[] = [];

  constructor(
    private readonly size = 20,
    private readonly windowMs = 10 * 60_000,
  ) {}

  record(ok: boolean): void {
    this.outcomes.push({ ok, at: Date.now() });
    if (this.outcomes.length > this.size) this.outcomes.shift();
  }

  /** Failures among the recent calls still inside the window. */
  recentFailures(): { failed: number; total: number } {
    const since = Date.now() - this.windowMs;
    const recent = this.outcomes.filter((o) => o.at >= since);
    return { failed: recent.filter((o) => !o.ok).length, total: recent.length };
  }
}

/**
 * Runs `call`, recording in `history` whether the provider was available: only
 * ProviderUnavailableError counts as a failure (a rejection is our request's fault).
 */
export async function tracked<T>(history: CallHistory, call: () => Promise<T>): Promise<T> {
  try {
    const result = await call();
    history.record(true);
    return result;
  } catch (err) {
    if (err instanceof ProviderUnavailableError) history.record(false);
    throw err;
  }
}

/**
 * Health from one probe call:
 * - transport error / timeout / refused key / wrong endpoint (404) -> offline;
 * - 5xx or 429, or an answer slower than degradedAfterMs, or recent real calls failing -> degraded;
 * - otherwise connected.
 * `accepted` says whether the probe's HTTP answer counts as healthy for this provider.
 */
export async function probeHealth(
  probe: () => Promise<ProviderResponse>,
  opts: {
    label: string;
    degradedAfterMs: number;
    history: CallHistory;
    secrets: readonly (string | undefined)[];
    accepted: (res: ProviderResponse) => boolean;
    /** Recognises an answer that means "bad API key" even when its status is not 401/403. */
    keyRefused?: (res: ProviderResponse) => boolean;
  },
): Promise<ProviderHealth> {
  const started = performance.now();
  let res: ProviderResponse;
  try {
    res = await probe();
  } catch (err) {
    const message = err instanceof Error ? redactText(err.message, opts.secrets) : 'provider unreachable';
    return { status: 'offline', latencyMs: Math.round(performance.now() - started), message };
  }
  const latencyMs = res.latencyMs;
  if (res.status === 401 || res.status === 403 || opts.keyRefused?.(res)) {
    return { status: 'offline', latencyMs, message: `${opts.label} refused the API key (HTTP ${res.status})` };
  }
  if (res.status === 404) {
    return { status: 'offline', latencyMs, message: `${opts.label} endpoint not found (HTTP 404); check the URL` };
  }
  if (res.status >= 500 || res.status === 429 || res.status === 408) {
    const detail = providerMessage(res, opts.secrets);
    return { status: 'degraded', latencyMs, message: `${opts.label} answered HTTP ${res.status}${detail ? `: ${detail}` : ''}` };
  }
  if (!opts.accepted(res)) {
    const detail = providerMessage(res, opts.secrets);
    return {
      status: 'degraded',
      latencyMs,
      message: `${opts.label} gave an unexpected answer (HTTP ${res.status}${detail ? `: ${detail}` : ''})`,
    };
  }
  if (latencyMs >= opts.degradedAfterMs) {
    return { status: 'degraded', latencyMs, message: `${opts.label} is slow: ${latencyMs} ms (limit ${opts.degradedAfterMs} ms)` };
  }
  const { failed, total } = opts.history.recentFailures();
  if (failed > 0) {
    return { status: 'degraded', latencyMs, message: `${opts.label} reachable, but ${failed} of the last ${total} requests failed` };
  }
  return { status: 'connected', latencyMs, message: 'Provider healthy' };
}
