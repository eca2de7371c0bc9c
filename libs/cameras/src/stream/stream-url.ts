import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Camera stream types, spelled exactly as in the spec (`cameras.stream_type`). */
export const STREAM_TYPES = ['RTSP', 'HTTP', 'USB', 'Socket', 'Local File'] as const;
export type StreamType = (typeof STREAM_TYPES)[number];

export type RtspTransport = 'tcp' | 'udp';

/** Where a camera's video comes from. */
export interface StreamSource {
  type: StreamType;
  url: string;
  /** RTSP lower transport; TCP (interleaved) unless asked otherwise. */
  rtspTransport?: RtspTransport;
}

export function isStreamType(value: unknown): value is StreamType {
  return typeof value === 'string' && (STREAM_TYPES as readonly string[]).includes(value);
}

const MAX_URL_LENGTH = 2048;
const MASK = '***';

/**
 * Checks a stream URL against its type. Returns a plain error message, or null when valid.
 * The message never repeats the URL (it may carry a password).
 */
export function validateStreamUrl(type: StreamType | string, url: string | null | undefined): string | null {
  if (!isStreamType(type)) return `Unknown stream type; expected one of ${STREAM_TYPES.join(', ')}`;
  if (typeof url !== 'string' || url.trim() === '') return `A ${type} stream needs a URL`;
  if (url.length > MAX_URL_LENGTH) return `The stream URL is longer than ${MAX_URL_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(url)) return 'The stream URL must not contain spaces or control characters';

  switch (type) {
    case 'RTSP':
      return validateNetworkUrl(url, ['rtsp:', 'rtsps:'], 'An RTSP URL must look like rtsp://host[:port]/path (or rtsps://)');
    case 'HTTP':
      return validateNetworkUrl(
        url,
        ['http:', 'https:'],
        'An HTTP stream URL must look like http(s)://host[:port]/path (MJPEG or HLS .m3u8)',
      );
    case 'Socket': {
      const error = validateNetworkUrl(url, ['tcp:', 'udp:'], 'A socket URL must look like tcp://host:port or udp://host:port');
      if (error) return error;
      const port = parseUrl(url)?.port ?? '';
      return port === '' ? 'A socket URL needs a port (tcp://host:port or udp://host:port)' : null;
    }
    case 'USB':
      return /^\/dev\/video\d{1,3}$/.test(url) ? null : 'A USB camera must be a V4L2 device path such as /dev/video0';
    case 'Local File':
      return validateLocalPath(url);
  }
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function validateNetworkUrl(url: string, protocols: string[], hint: string): string | null {
  const parsed = parseUrl(url);
  if (!parsed || !protocols.includes(parsed.protocol.toLowerCase()) || !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    return hint;
  }
  if (parsed.hostname === '') return `${hint}: the host is missing`;
  return null;
}

function validateLocalPath(url: string): string | null {
  let path = url;
  if (/^file:/i.test(url)) {
    try {
      path = fileURLToPath(url);
    } catch {
      return 'A local file must be an absolute path or a file:/// URL';
    }
  }
  if (!isAbsolute(path)) return 'A local file must be an absolute path (or a file:/// URL)';
  if (path.split(/[/\\]/).includes('..')) return 'A local file path must not contain ".." segments';
  return null;
}

/** The path a 'Local File' source points to (file:// URLs decoded). */
export function localFilePath(url: string): string {
  return /^file:/i.test(url) ? fileURLToPath(url) : url;
}

interface UrlParts {
  /** `scheme://` including the separator. */
  prefix: string;
  /** Text between `scheme://` and the `@` ending it, or null when the URL has no credentials. */
  userinfo: string | null;
  /** Everything after the userinfo (host, port, path, query). */
  rest: string;
}

/**
 * Splits a URL leniently, without URL parsing, so that odd camera URLs (a password with `@`, `/` or
 * `#` left unencoded) still have their credentials found. When in doubt it treats more as userinfo,
 * as masking too much is better than leaking a password.
 */
function splitUrl(url: string): UrlParts {
  const scheme = /^([a-z][a-z0-9+.-]*:\/\/)/i.exec(url);
  if (!scheme) return { prefix: '', userinfo: null, rest: url };
  const prefix = scheme[1];
  const afterScheme = url.slice(prefix.length);
  const at = afterScheme.lastIndexOf('@');
  if (at < 0) return { prefix, userinfo: null, rest: afterScheme };
  const candidate = afterScheme.slice(0, at);
  // `rtsp://host/path?x=a@b` has an `@` in its path, not credentials; with a `:` it may be a password.
  if (/[/?#]/.test(candidate) && !candidate.includes(':')) return { prefix, userinfo: null, rest: afterScheme };
  return { prefix, userinfo: candidate, rest: afterScheme.slice(at + 1) };
}

const SECRET_QUERY_KEYS = /([?&;])((?:pass(?:word|wd)?|pwd|secret|token|access_token|api_?key|key|auth|sig(?:nature)?)=)([^&#;]*)/gi;

export interface MaskOptions {
  /** Also replace the user name (default: keep it, as it helps to diagnose a login failure). */
  maskUser?: boolean;
}

/**
 * Replaces the password in a stream URL with `***` (rtsp://admin:***@10.0.0.5/stream), as well as
 * secret-looking query parameters (`?pwd=`, `?password=`, `?token=`...). A lone user part with no
 * password may be a token, so it is masked too.
 */
export function maskStreamUrl(url: string, options: MaskOptions = {}): string {
  if (typeof url !== 'string' || url === '') return '';
  const { prefix, userinfo, rest } = splitUrl(url);
  let masked: string;
  if (userinfo === null) {
    masked = prefix + rest;
  } else {
    const colon = userinfo.indexOf(':');
    const user = colon < 0 ? null : userinfo.slice(0, colon);
    const shownUser = user === null || options.maskUser || user === '' ? MASK : user;
    masked = `${prefix}${colon < 0 ? MASK : `${shownUser}:${MASK}`}@${rest}`;
  }
  return masked.replace(SECRET_QUERY_KEYS, (_m, sep: string, key: string) => `${sep}${key}${MASK}`);
}

/** The secrets a URL carries (password, lone user token, secret query values), raw and decoded. */
export function urlSecrets(url: string): string[] {
  if (typeof url !== 'string' || url === '') return [];
  const { userinfo, rest } = splitUrl(url);
  const found: string[] = [];
  if (userinfo !== null) {
    const colon = userinfo.indexOf(':');
    found.push(colon < 0 ? userinfo : userinfo.slice(colon + 1));
  }
  for (const match of rest.matchAll(SECRET_QUERY_KEYS)) found.push(match[3]);
  const variants = new Set<string>();
  for (const secret of found) {
    if (secret === '') continue;
    variants.add(secret);
    try {
      variants.add(decodeURIComponent(secret));
    } catch {
      // not percent-encoded
    }
    variants.add(encodeURIComponent(secret));
  }
  // Longest first, so that a secret containing another is replaced whole.
  return [...variants].sort((a, b) => b.length - a.length);
}

/**
 * Removes a URL's secrets from free text (an ffmpeg error line, an exception message): the URL
 * itself becomes its masked form, any other `scheme://user:pass@` is masked, and remaining
 * occurrences of the password are replaced.
 */
export function redactSecrets(text: string, url?: string): string {
  let out = text;
  if (url) {
    out = out.split(url).join(maskStreamUrl(url));
    // A one- or two-character "secret" would garble the text while protecting nothing.
    for (const secret of urlSecrets(url)) if (secret.length >= 3) out = out.split(secret).join(MASK);
  }
  // Any other URL with credentials that the text may contain.
  out = out.replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s/@:'"]*):([^\s'"]*)@/gi, (_m, scheme: string, user: string) => {
    return `${scheme}${user}:${MASK}@`;
  });
  return out;
}

/**
 * The host of a stream URL (for `cameras.ip_address`), without brackets for IPv6, or null when the
 * source has none (USB, local file) or it cannot be found.
 */
export function extractHost(url: string): string | null {
  if (typeof url !== 'string' || url === '') return null;
  const { prefix, rest } = splitUrl(url);
  if (prefix === '' || /^file:/i.test(prefix)) return null;
  let host: string;
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0) return null;
    host = rest.slice(1, end);
  } else {
    host = rest.split(/[:/?#]/, 1)[0];
  }
  host = host.trim();
  return host === '' ? null : host.toLowerCase();
}
