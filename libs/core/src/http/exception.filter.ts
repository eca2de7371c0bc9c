import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError, EntityNotFoundError } from 'typeorm';
import { ApiErrorBody, ErrorCode } from './api-error';
import { requestContext, resolveRequestId } from './request-context';
import { rootLogger } from '../logging/logger';

const STATUS_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.VALIDATION_ERROR,
  401: ErrorCode.UNAUTHORIZED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.NOT_FOUND,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  422: ErrorCode.UNPROCESSABLE,
  429: ErrorCode.RATE_LIMITED,
  503: ErrorCode.SERVICE_UNAVAILABLE,
};

interface Mapped {
  status: number;
  body: ApiErrorBody;
  headers?: Record<string, string>;
}

const DB_DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08003',
  '08006',
]);

function pgCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e.driverError?.code ?? e.code;
  return typeof code === 'string' ? code : undefined;
}

/** Body-parser, multer and similar middleware errors carry a status and a type/code. */
function middlewareError(err: unknown): Mapped | undefined {
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown; code?: unknown; message?: unknown };
  if (e.type === 'entity.too.large' || e.code === 'LIMIT_FILE_SIZE' || e.code === 'LIMIT_FIELD_VALUE') {
    return { status: 413, body: { code: ErrorCode.PAYLOAD_TOO_LARGE, message: 'Request body is too large' } };
  }
  if (e.type === 'entity.parse.failed') {
    return { status: 400, body: { code: ErrorCode.VALIDATION_ERROR, message: 'Malformed JSON body' } };
  }
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
    return { status: 415, body: { code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, message: 'Unsupported body encoding' } };
  }
  if (typeof e.code === 'string' && e.code.startsWith('LIMIT_')) {
    return { status: 400, body: { code: ErrorCode.VALIDATION_ERROR, message: `Upload rejected: ${String(e.message)}` } };
  }
  if (e.message === 'Unexpected end of form' || e.message === 'Multipart: Boundary not found' || e.message === 'Malformed part header') {
    return { status: 400, body: { code: ErrorCode.VALIDATION_ERROR, message: 'Malformed multipart body' } };
  }
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status && status >= 400 && status < 500) {
    return { status, body: { code: STATUS_CODES[status] ?? ErrorCode.BAD_REQUEST, message: 'Bad request' } };
  }
  return undefined;
}

export function mapError(err: unknown): Mapped {
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const res = err.getResponse();
    const code = STATUS_CODES[status] ?? (status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.BAD_REQUEST);
    const headers = (err as HttpException & { headers?: Record<string, string> }).headers;
    if (typeof res === 'object' && res !== null && 'code' in res && 'message' in res) {
      return { status, body: res as ApiErrorBody, headers };
    }
    if (status === 404) {
      return {
        status,
        body: {
          code,
          message:
            typeof res === 'object' && res && 'message' in res && /^Cannot /.test(String(res.message)) ? 'Route not found' : err.message,
        },
      };
    }
    const message = typeof res === 'string' ? res : typeof res === 'object' && res && 'message' in res ? res.message : err.message;
    return {
      status,
      body: { code, message: Array.isArray(message) ? message.join('; ') : String(message) },
      headers,
    };
  }
  if (err instanceof EntityNotFoundError) {
    return { status: 404, body: { code: ErrorCode.NOT_FOUND, message: 'Resource not found' } };
  }
  const code = pgCode(err);
  if (err instanceof QueryFailedError) {
    if (code === '23505')
      return { status: 409, body: { code: ErrorCode.CONFLICT, message: 'A resource with the same unique value already exists' } };
    if (code === '23503')
      return { status: 409, body: { code: ErrorCode.CONFLICT, message: 'The resource is referenced by, or references, another resource' } };
    if (code === '22P02' || code === '22007' || code === '22008' || code === '22003' || code === '22001' || code === '22021') {
      return { status: 400, body: { code: ErrorCode.VALIDATION_ERROR, message: 'Invalid value for a field' } };
    }
  }
  if (code && DB_DOWN_CODES.has(code)) {
    return {
      status: 503,
      body: { code: ErrorCode.SERVICE_UNAVAILABLE, message: 'A backing service is unavailable; retry shortly' },
      headers: { 'Retry-After': '5' },
    };
  }
  const msg = (err as { message?: unknown })?.message;
  if (
    typeof msg === 'string' &&
    /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Connection is closed/i.test(msg)
  ) {
    return {
      status: 503,
      body: { code: ErrorCode.SERVICE_UNAVAILABLE, message: 'A backing service is unavailable; retry shortly' },
      headers: { 'Retry-After': '5' },
    };
  }
  const mw = middlewareError(err);
  if (mw) return mw;
  return { status: 500, body: { code: ErrorCode.INTERNAL_ERROR, message: 'An unexpected error occurred' } };
}

/** The one filter: every error leaves as `{success:false, error:{code,message,details?}, requestId}`. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const mapped = mapError(exception);
    const requestId =
      requestContext.get()?.requestId ??
      (res.getHeader('x-request-id') as string | undefined) ??
      resolveRequestId(req.headers['x-request-id']);
    if (mapped.status >= 500) {
      rootLogger().error({ err: exception, requestId, method: req.method, url: req.originalUrl?.split('?')[0] }, 'request failed');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.setHeader('X-Request-Id', requestId);
    for (const [k, v] of Object.entries(mapped.headers ?? {})) res.setHeader(k, v);
    res.status(mapped.status).json({ success: false, error: mapped.body, requestId });
  }
}
