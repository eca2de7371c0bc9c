import { redactSecrets } from './stream-url';

export const STREAM_ERROR_CODES = ['TIMEOUT', 'REFUSED', 'NOT_FOUND', 'INVALID_DATA', 'FAILED'] as const;
export type StreamErrorCode = (typeof STREAM_ERROR_CODES)[number];

/** A stream could not be read. `message` is plain and never carries a password. */
export class StreamError extends Error {
  override readonly name = 'StreamError';

  constructor(
    readonly code: StreamErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isStreamError(error: unknown): error is StreamError {
  return error instanceof StreamError;
}

export interface ClassifiedError {
  code: StreamErrorCode;
  message: string;
}

interface Rule {
  test: RegExp;
  code: StreamErrorCode;
  message: string;
}

/**
 * Ordered: "Connection to tcp://h:p?timeout=5000000 failed: Connection refused" mentions a timeout
 * option, so refusals are recognised before timeouts (which match "timed out", not "timeout").
 */
const RULES: Rule[] = [
  { test: /connection refused|ECONNREFUSED/i, code: 'REFUSED', message: 'Connection refused' },
  { test: /No route to host|Network is unreachable|EHOSTUNREACH|ENETUNREACH/i, code: 'REFUSED', message: 'Host unreachable' },
  {
    test: /Name or service not known|Failed to resolve hostname|Temporary failure in name resolution|ENOTFOUND|EAI_AGAIN/i,
    code: 'NOT_FOUND',
    message: 'Host name could not be resolved',
  },
  { test: /No such file or directory|ENOENT/i, code: 'NOT_FOUND', message: 'No such file or device' },
  { test: /\b404\b/, code: 'NOT_FOUND', message: 'Stream not found (404)' },
  { test: /\b401\b|Unauthorized/i, code: 'FAILED', message: 'Authentication failed (401 Unauthorized)' },
  { test: /\b403\b|Forbidden/i, code: 'FAILED', message: 'Access denied (403 Forbidden)' },
  {
    test: /\b(?:400|453|454|461|500|503)\b|Bad Request|Service Unavailable|Session Not Found|Unsupported transport/i,
    code: 'FAILED',
    message: 'The server rejected the stream request',
  },
  { test: /timed out|ETIMEDOUT|Immediate exit requested/i, code: 'TIMEOUT', message: 'No answer from the source (timed out)' },
  { test: /Permission denied|EACCES/i, code: 'FAILED', message: 'Permission denied' },
  { test: /Device or resource busy|EBUSY/i, code: 'FAILED', message: 'Device busy' },
  { test: /Protocol not on whitelist|Protocol not found/i, code: 'FAILED', message: 'Unsupported protocol for this stream type' },
  {
    test: /Invalid data found|moov atom not found|could not find codec parameters|does not contain any stream|End of file|no frame|Could not find tag|error while decoding|unspecified size/i,
    code: 'INVALID_DATA',
    message: 'The source did not deliver decodable video',
  },
];

/** Lines ffmpeg prints that say nothing about the failure. */
const NOISE = /^(?:\s*$|Press \[q\]|Last message repeated|\s*(?:built with|configuration:|lib[a-z]+\s+\d))/;

/**
 * Turns an ffmpeg/ffprobe stderr tail into a typed code and a plain message, with the detail line
 * that caused it, secrets removed.
 */
export function classifyFfmpegError(stderr: string, url?: string): ClassifiedError {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '').trim())
    .filter((line) => !NOISE.test(line));
  // Prefer the most specific cause anywhere in the tail, in rule order.
  for (const rule of RULES) {
    const line = [...lines].reverse().find((candidate) => rule.test.test(candidate));
    if (line) return { code: rule.code, message: withDetail(rule.message, line, url) };
  }
  const last = lines.at(-1);
  return { code: 'FAILED', message: last ? withDetail('ffmpeg failed', last, url) : 'ffmpeg failed' };
}

function withDetail(message: string, line: string, url?: string): string {
  const detail = redactSecrets(line, url).slice(0, 300);
  return `${message}: ${detail}`;
}

/**
 * ffmpeg reports a server that accepts the connection and never replies (RTSP) as "Invalid data
 * found", and a UDP port nobody sends to as "Input/output error", once its socket timeout expires;
 * on a loaded machine an HTTP read may also end with an unclassified error line at that moment.
 * With the elapsed time, those are timeouts.
 */
export function refineTimeout(error: ClassifiedError, elapsedMs: number, socketTimeoutMs: number): ClassifiedError {
  const vague = error.code === 'INVALID_DATA' || error.code === 'FAILED' || /Input\/output error/i.test(error.message);
  if (!vague || error.code === 'TIMEOUT' || elapsedMs < socketTimeoutMs * 0.9) return error;
  return { code: 'TIMEOUT', message: `No answer from the source within ${socketTimeoutMs} ms (nothing was received)` };
}
