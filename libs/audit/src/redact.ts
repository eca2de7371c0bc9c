const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authorization|cookie|stream[-_]?url|credential|private/i;

/** Deep copy with every secret-looking key replaced by '***' and long strings cut, for audit context. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[…]';
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redactSecrets(v, depth + 1));
  if (value && typeof value === 'object') {
    if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>).slice(0, 100)) {
      out[k] = SECRET_KEY.test(k) ? '***' : redactSecrets(v, depth + 1);
    }
    return out;
  }
  if (typeof value === 'string') {
    const masked = value.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)([^:/@\s]+):([^@/\s]+)@/gi, '$1$2:***@');
    return masked.length > 500 ? `${masked.slice(0, 500)}…` : masked;
  }
  return value;
}
