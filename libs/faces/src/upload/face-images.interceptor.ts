import { CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import multer, { MulterError } from 'multer';
import { finalize, type Observable } from 'rxjs';
import { ApiException, EnvDto, ErrorCode } from '@app/core';
import { MAX_IMAGES_PER_PROFILE } from '../dto/face.dto';

/**
 * Uploads one process parses and checks at once. Each holds up to 5 x FACE_IMAGE_MAX_BYTES in
 * memory and queues on the one engine, so beyond this a request is answered 503 + Retry-After at
 * once instead of piling up memory (enrolment is an operator action, not a bulk path).
 */
export const MAX_CONCURRENT_UPLOADS = 4;
let activeUploads = 0;

/** File fields accepted for enrolment images (`images[]` is what many form libraries send). */
export const FACE_IMAGE_FIELDS = ['images', 'images[]'] as const;

/**
 * Parses a multipart/form-data enrolment upload into memory (req.files, req.body) with tight
 * limits, and turns every parser failure into a clear 4xx:
 * - a file over FACE_IMAGE_MAX_BYTES: 413 (the upload stops at the limit, nothing is buffered further);
 * - more than 5 files, a file in another field, too many fields/parts: 400 naming the problem;
 * - a truncated or malformed body: 400 "Malformed multipart body";
 * - another content type: 415;
 * - more than MAX_CONCURRENT_UPLOADS uploads in progress in this process: 503 with Retry-After.
 * Runs after the guards, so anonymous or unauthorised uploads are refused before any parsing.
 */
@Injectable()
export class FaceImagesInterceptor implements NestInterceptor {
  private readonly parse: RequestHandler;
  private readonly maxBytes: number;

  constructor(env: EnvDto) {
    this.maxBytes = env.FACE_IMAGE_MAX_BYTES;
    this.parse = multer({
      storage: multer.memoryStorage(),
      limits: {
        fileSize: this.maxBytes,
        files: MAX_IMAGES_PER_PROFILE,
        fields: 20,
        fieldSize: 16 * 1024,
        fieldNameSize: 100,
        parts: MAX_IMAGES_PER_PROFILE + 20,
        headerPairs: 200,
      },
      fileFilter: (_req, file, cb) => {
        if ((FACE_IMAGE_FIELDS as readonly string[]).includes(file.fieldname)) cb(null, true);
        else cb(new MulterError('LIMIT_UNEXPECTED_FILE', file.fieldname));
      },
    }).any();
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    if (!req.is('multipart/form-data')) {
      throw new ApiException(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        'Send multipart/form-data: text fields plus the images in the file field "images"',
      );
    }
    if (activeUploads >= MAX_CONCURRENT_UPLOADS) {
      const busy = new ApiException(
        HttpStatus.SERVICE_UNAVAILABLE,
        ErrorCode.SERVICE_UNAVAILABLE,
        `${MAX_CONCURRENT_UPLOADS} face enrolments are already in progress on this server; retry shortly`,
      );
      (busy as ApiException & { headers?: Record<string, string> }).headers = { 'Retry-After': '2' };
      throw busy;
    }
    activeUploads++;
    let released = false;
    const release = (): void => {
      if (!released) {
        released = true;
        activeUploads--;
      }
    };
    try {
      await new Promise<void>((resolve, reject) => {
        this.parse(req, res, (err?: unknown) => (err ? reject(this.toApiError(err)) : resolve()));
      });
    } catch (err) {
      release();
      throw err;
    }
    return next.handle().pipe(finalize(release));
  }

  private toApiError(err: unknown): unknown {
    if (err instanceof ApiException) return err;
    if (err instanceof MulterError) {
      switch (err.code) {
        case 'LIMIT_FILE_SIZE':
          return new ApiException(
            HttpStatus.PAYLOAD_TOO_LARGE,
            ErrorCode.PAYLOAD_TOO_LARGE,
            `An image is larger than ${formatBytes(this.maxBytes)}, the limit per image. Nothing was stored.`,
            { field: err.field ?? 'images', maxBytes: this.maxBytes },
          );
        case 'LIMIT_FILE_COUNT':
          return badUpload(`At most ${MAX_IMAGES_PER_PROFILE} images per request`, 'images', `more than ${MAX_IMAGES_PER_PROFILE} files`);
        case 'LIMIT_UNEXPECTED_FILE':
          return badUpload(
            `Unexpected file field "${err.field ?? '?'}": send the images in the file field "images"`,
            err.field ?? 'file',
            'unexpected file field',
          );
        default:
          return badUpload(`Upload rejected: ${err.message}`, err.field ?? 'body', err.code);
      }
    }
    const message = (err as { message?: unknown })?.message;
    if (typeof message === 'string' && /Unexpected end of (form|file)|Malformed part header|Boundary not found|Multipart/i.test(message)) {
      return new ApiException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.VALIDATION_ERROR,
        'Malformed multipart body (truncated or not multipart/form-data)',
      );
    }
    return err;
  }
}

function badUpload(message: string, field: string, issue: string): ApiException {
  return new ApiException(HttpStatus.BAD_REQUEST, ErrorCode.VALIDATION_ERROR, message, [{ field, issue }]);
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MB` : `${n} bytes`;
}

/** What the interceptor leaves in req.files. */
export type UploadedFaceFile = Express.Multer.File;
