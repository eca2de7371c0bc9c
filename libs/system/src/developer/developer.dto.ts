import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional } from 'class-validator';

export class DeveloperEndpointDto {
  /** Stable id: DEV-<operationId>. */
  id: string;
  /** The route's tag (Cameras, Alerts, ...). */
  label: string;
  /** The route's summary. */
  description: string;
  method: string;
  /** e.g. /api/v1/alerts/{id}/acknowledge */
  path: string;
  /** Names to give in `pathParams` when invoking. */
  pathParams: string[];
  /** Query parameters the route reads. */
  queryParams: string[];
  @ApiProperty({ enum: ['public', 'authenticated', 'permission'] })
  access: string;
  /** The permission the route needs (the invoke runs with the caller's own rights). */
  permission: string | null;
  /** Whether `payload` is sent as the JSON body. */
  acceptsBody: boolean;
}

export class InvokeEndpointDto {
  /** JSON body for POST/PUT/PATCH/DELETE routes. */
  @ApiPropertyOptional({ description: 'Any JSON value: the request body of the invoked route' })
  @IsOptional()
  payload?: unknown;

  /** Values of the route's `{param}` segments, e.g. {"id": "ALERT-..."}. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }] } })
  @IsOptional()
  @IsObject()
  pathParams?: Record<string, string | number>;

  /** Query parameters, e.g. {"page": 1, "level": "high"}. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  query?: Record<string, string | number | boolean | Array<string | number | boolean>>;
}

export class InvocationRequestDto {
  method: string;
  /** Path and query that were requested (on this application only). */
  url: string;
}

export class InvocationResultDto {
  /** HTTP status the route answered with. */
  status: number;
  /** A safe subset of the response headers (content type, request id, rate limit, ...). */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  headers: Record<string, string>;
  /** Parsed JSON, text, or null (empty or binary bodies; see bodyEncoding). */
  @ApiProperty({ description: 'The response body: parsed JSON, text, or null' })
  body: unknown;
  @ApiProperty({ enum: ['json', 'text', 'empty', 'omitted'] })
  bodyEncoding: 'json' | 'text' | 'empty' | 'omitted';
  /** True when the body exceeded 1 MiB and was cut. */
  truncated: boolean;
  durationMs: number;
  request: InvocationRequestDto;
}
