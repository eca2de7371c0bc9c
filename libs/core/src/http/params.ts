import { ParseUUIDPipe } from '@nestjs/common';
import { badRequest } from './api-error';

/** `@Param('id', UuidParam)`: a malformed id is a 400 VALIDATION_ERROR naming the field. */
export const UuidParam = new ParseUUIDPipe({
  exceptionFactory: () => badRequest('id must be a UUID', [{ field: 'id', issue: 'must be a UUID' }]),
});
