import { Type, applyDecorators } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';

/** Documents a route returning `Paginated<T>`: the envelope's `data` is T[] and `meta` the page meta. */
export const ApiPaginatedResponse = <T>(dto: Type<T>): MethodDecorator =>
  applyDecorators(
    ApiOkResponse({ type: dto, isArray: true, description: 'One page of results; `meta` holds page, pageSize, total, totalPages' }),
  );
