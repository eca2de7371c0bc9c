import { HttpStatus, ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiException, ErrorCode } from './api-error';

export interface FieldIssue {
  field: string;
  issue: string;
}

function flatten(errors: ValidationError[], parent = ''): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    for (const msg of Object.values(e.constraints ?? {})) out.push({ field, issue: msg });
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/**
 * The global pipe: DTOs are transformed, unknown fields are rejected, and every problem is reported as
 * 400 VALIDATION_ERROR with `details: [{field, issue}]`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors: ValidationError[]) => {
      const details = flatten(errors);
      const first = details[0];
      return new ApiException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.VALIDATION_ERROR,
        first
          ? `Invalid input: ${first.field} ${first.issue.replace(new RegExp(`^${first.field.split('.').pop()} `), '')}`
          : 'Invalid input',
        details,
      );
    },
  });
}
