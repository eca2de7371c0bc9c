import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

type Json = Record<string, unknown>;

const ERROR_SCHEMA = {
  type: 'object',
  required: ['success', 'error', 'requestId'],
  properties: {
    success: { type: 'boolean', enum: [false] },
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', example: 'VALIDATION_ERROR' },
        message: { type: 'string' },
        details: { description: 'Field issues for VALIDATION_ERROR: [{field, issue}]' },
      },
    },
    requestId: { type: 'string' },
  },
};

const PAGE_META = {
  type: 'object',
  required: ['page', 'pageSize', 'total', 'totalPages'],
  properties: {
    page: { type: 'integer' },
    pageSize: { type: 'integer' },
    total: { type: 'integer' },
    totalPages: { type: 'integer' },
  },
};

const STANDARD_ERRORS: Record<string, string> = {
  '400': 'Validation error (VALIDATION_ERROR) with field details',
  '429': 'Rate limited (RATE_LIMITED); see Retry-After',
  '500': 'Unexpected error (INTERNAL_ERROR); reveals nothing internal',
};

/**
 * The application's OpenAPI document: operationIds from handler names, every 2xx body wrapped in the
 * success envelope, every operation documented with the error envelope for its failure codes.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('CCTV Face Attendance API')
    .setDescription(
      'REST API of the CCTV face-recognition attendance backend. Every response is an envelope: ' +
        '`{success:true, data, meta?}` or `{success:false, error:{code,message,details?}, requestId}`. ' +
        'Authenticate with `POST /api/v1/auth/login` and send `Authorization: Bearer <accessToken>`.',
    )
    .setVersion(process.env.npm_package_version ?? '1.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .build();
  const doc = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey: string, methodKey: string) =>
      `${controllerKey.replace(/Controller$/, '').replace(/^./, (c) => c.toLowerCase())}_${methodKey}`,
  });
  doc.components ??= {};
  doc.components.schemas ??= {};
  (doc.components.schemas as Json).ErrorEnvelope = ERROR_SCHEMA;
  (doc.components.schemas as Json).PageMeta = PAGE_META;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, opRaw] of Object.entries(item as Json)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const op = opRaw as Json & { responses: Record<string, Json>; parameters?: Array<{ name: string }> };
      const paginated = (op.parameters ?? []).some((p) => p.name === 'pageSize');
      for (const [status, resp] of Object.entries(op.responses)) {
        if (status.startsWith('2') && status !== '204') wrapSuccess(resp, paginated);
        else if (/^[45]/.test(status)) setErrorBody(resp);
      }
      const errors = { ...STANDARD_ERRORS };
      if (/\{[^}]+\}/.test(path)) errors['404'] = 'Not found (NOT_FOUND)';
      for (const [status, description] of Object.entries(errors)) {
        if (!op.responses[status]) {
          op.responses[status] = { description };
          setErrorBody(op.responses[status]);
        }
      }
    }
  }
  return doc;
}

function wrapSuccess(resp: Json, paginated: boolean): void {
  const content = (resp.content ?? {}) as Record<string, { schema?: Json }>;
  const json = content['application/json'];
  const inner = json?.schema ?? {};
  const properties: Json = { success: { type: 'boolean', enum: [true] }, data: inner };
  if (paginated) properties.meta = { $ref: '#/components/schemas/PageMeta' };
  resp.content = {
    ...content,
    'application/json': { schema: { type: 'object', required: paginated ? ['success', 'data', 'meta'] : ['success', 'data'], properties } },
  };
}

function setErrorBody(resp: Json): void {
  resp.content = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } };
}

export function mountSwagger(app: INestApplication, doc: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, doc, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
