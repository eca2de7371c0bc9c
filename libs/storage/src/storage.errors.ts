import { HttpStatus } from '@nestjs/common';
import { ApiException, ErrorCode } from '@app/core';

/** The object store could not be reached (refused, timed out, 5xx after retries). Answered as 503. */
export class StorageUnavailableError extends ApiException {
  constructor(
    readonly operation: string,
    readonly reason: string,
  ) {
    super(HttpStatus.SERVICE_UNAVAILABLE, ErrorCode.SERVICE_UNAVAILABLE, 'Object storage is unavailable', {
      operation,
    });
    this.name = 'StorageUnavailableError';
  }
}

/** The requested object does not exist. Answered as 404. */
export class StorageObjectNotFoundError extends ApiException {
  constructor(readonly key: string) {
    super(HttpStatus.NOT_FOUND, ErrorCode.NOT_FOUND, 'Stored file not found');
    this.name = 'StorageObjectNotFoundError';
  }
}

/** Raised by the transport when no response headers arrive in time. */
export class StorageTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(timeoutMs: number) {
    super(`no response from object storage within ${timeoutMs} ms`);
    this.name = 'StorageTimeoutError';
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

const NOT_FOUND_CODES = new Set(['NotFound', 'NoSuchKey']);

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && NOT_FOUND_CODES.has(code);
}

/** True when the error means "the server is not there / not answering", not "the request was wrong". */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof StorageTimeoutError) return true;
  const code = errorCode(err);
  if (code !== undefined && NETWORK_CODES.has(code)) return true;
  if (code === 'SlowDown' || code === 'ServiceUnavailable' || code === 'InternalError') return true;
  // minio's retry wrapper gives up on 5xx with a plain Error
  return err instanceof Error && /Request failed after \d+ retries|socket hang up/.test(err.message);
}

/** Map a client error: unreachable server -> StorageUnavailableError, missing object -> NotFound, else as is. */
export function mapStorageError(err: unknown, operation: string, key?: string): Error {
  if (err instanceof StorageUnavailableError || err instanceof StorageObjectNotFoundError) return err;
  if (key !== undefined && isNotFound(err)) return new StorageObjectNotFoundError(key);
  if (isUnavailable(err)) {
    return new StorageUnavailableError(operation, err instanceof Error ? err.message : String(err));
  }
  return err instanceof Error ? err : new Error(String(err));
}
