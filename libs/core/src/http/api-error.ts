import { HttpException, HttpStatus } from '@nestjs/common';

/** Stable machine-readable error codes of the envelope. */
export const ErrorCode = {
  VALIDATION_ERROR: 'VALIDATION_ERROR',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  UNPROCESSABLE: 'UNPROCESSABLE_ENTITY',
  RATE_LIMITED: 'RATE_LIMITED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  BAD_REQUEST: 'BAD_REQUEST',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ApiErrorBody {
  code: ErrorCode | string;
  message: string;
  details?: unknown;
}

/** An HttpException carrying an explicit envelope code and details. */
export class ApiException extends HttpException {
  constructor(status: HttpStatus, code: ErrorCode | string, message: string, details?: unknown) {
    super({ code, message, details } satisfies ApiErrorBody, status);
  }
}

export const notFound = (what: string, id?: string | number): ApiException =>
  new ApiException(HttpStatus.NOT_FOUND, ErrorCode.NOT_FOUND, id === undefined ? `${what} not found` : `${what} '${String(id)}' not found`);

export const conflict = (message: string, details?: unknown): ApiException =>
  new ApiException(HttpStatus.CONFLICT, ErrorCode.CONFLICT, message, details);

export const badRequest = (message: string, details?: unknown): ApiException =>
  new ApiException(HttpStatus.BAD_REQUEST, ErrorCode.VALIDATION_ERROR, message, details);

export const unprocessable = (message: string, details?: unknown): ApiException =>
  new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, ErrorCode.UNPROCESSABLE, message, details);

export const forbidden = (message = 'You do not have permission to do this'): ApiException =>
  new ApiException(HttpStatus.FORBIDDEN, ErrorCode.FORBIDDEN, message);

export const unauthorized = (message = 'Authentication required'): ApiException =>
  new ApiException(HttpStatus.UNAUTHORIZED, ErrorCode.UNAUTHORIZED, message);

export const serviceUnavailable = (message: string, details?: unknown): ApiException =>
  new ApiException(HttpStatus.SERVICE_UNAVAILABLE, ErrorCode.SERVICE_UNAVAILABLE, message, details);
