import { Injectable, PipeTransform } from '@nestjs/common';
import { badRequest } from '@app/core';
import { ALERT_ID_PATTERN } from './dto/alert.dto';

/** `@Param('id', AlertIdParam)`: a malformed alert id is a 400 VALIDATION_ERROR, never a query. */
@Injectable()
export class AlertIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !ALERT_ID_PATTERN.test(value)) {
      throw badRequest('id must be an alert id like ALERT-MJ2K1X0Q-3FA9C1', [{ field: 'id', issue: 'must be an alert id (ALERT-...)' }]);
    }
    return value;
  }
}

export const AlertIdParam = new AlertIdPipe();
