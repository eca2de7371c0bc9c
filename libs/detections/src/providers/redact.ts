/**
 * Secret scrubbing for anything a provider client stores or reports: the `raw` answer kept in
 * detection_event_logs.payload and the text of the errors it throws.
 */

/** Placeholder written where a secret value was found inside a string. */
export const REDACTED = '***';

/**
 * Key names (compared lower-cased, without '-' and '_') whose values are dropped wherever they
 * appear: apiKey, api_key, x-api-key, token, accessToken, password, secret, authorization, cookie...
 */
const SECRET_KEY_PARTS = ['apikey', 'token', 'password', 'passwd', 'secret', 'authorization', 'cookie', 'credential'];

const MAX_DEPTH = 32;

export function isSecretKey(key: string): boolean {
  const normalised = key.toLowerCase().replace(/[-_\s]/g, '');
  return SECRET_KEY_PARTS.some((part) => normalised.includes(part));
}

/** Replaces every occurrence of the given secret values (e.g. the configured API key) in a text. */
export function redactText(text: string, secretValues: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secretValues) {
    // Very short values would blank out ordinary words; keys are never that short.
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * Deep copy of a JSON-like value with secret-named keys removed (recursively, through arrays and
 * nested objects) and known secret values masked inside strings. Cycles become '[Circular]';
 * functions, symbols and undefined values are dropped; Buffers and typed arrays are summarised,
 * never copied.
 */
export function redactSecrets(value: unknown, secretValues: readonly (string | undefined)[] = []): unknown {
  return redactValue(value, secretValues, new WeakSet<object>(), 0);
}

function redactValue(value: unknown, secrets: readonly (string | undefined)[], seen: WeakSet<object>, depth: number): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
      return redactText(value, secrets);
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  const obj = value as object;
  if (depth >= MAX_DEPTH) return '[Truncated]';
  if (seen.has(obj)) return '[Circular]';
  if (ArrayBuffer.isView(obj)) return `[binary ${obj.byteLength} bytes]`;
  if (obj instanceof Date) return obj.toISOString();
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      return obj.map((item: unknown) => {
        const copy = redactValue(item, secrets, seen, depth + 1);
        return copy === undefined ? null : copy;
      });
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(obj)) {
      if (isSecretKey(key)) continue;
      const copy = redactValue(item, secrets, seen, depth + 1);
      if (copy !== undefined) out[key] = copy;
    }
    return out;
  } finally {
    seen.delete(obj);
  }
}
