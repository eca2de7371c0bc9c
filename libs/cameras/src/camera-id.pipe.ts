import { Injectable, type PipeTransform } from '@nestjs/common';
import { badRequest } from '@app/core';
import { CAMERA_ID_PATTERN } from './camera-id';

/** `@Param('id', CameraIdParam)`: a malformed camera id is a 400 VALIDATION_ERROR naming the field. */
@Injectable()
export class CameraIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !CAMERA_ID_PATTERN.test(value)) {
      throw badRequest('id must be a camera id (1-50 letters, digits, - or _)', [{ field: 'id', issue: 'malformed camera id' }]);
    }
    return value;
  }
}

export const CameraIdParam = new CameraIdPipe();
