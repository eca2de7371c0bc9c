import { HttpStatus, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiException, EnvDto, ErrorCode, badRequest, notFound, serviceUnavailable } from '@app/core';
import { ApiDocumentHolder } from './api-document.holder';
import { DeveloperEndpointDto, InvocationResultDto, InvokeEndpointDto } from './developer.dto';
import { DEV_ENDPOINT_ID, DevEndpoint, InvocationInputError, buildRequestTarget, endpointsFromDocument } from './route-table';

/** Largest response body returned to the console; the rest is cut (truncated: true). */
export const MAX_INVOKE_RESPONSE_BYTES = 1024 * 1024;
/** Response headers passed back to the console. */
const SAFE_HEADERS = [
  'content-type',
  'content-length',
  'content-disposition',
  'cache-control',
  'etag',
  'last-modified',
  'location',
  'retry-after',
  'x-request-id',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
];

export interface InvokeContext {
  /** The caller's own Authorization header, forwarded unchanged: the call has exactly their rights. */
  authorization: string | undefined;
  ip: string | null;
  requestId: string | undefined;
}

function safeHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of SAFE_HEADERS) {
    const v = h[name];
    if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

/**
 * The developer console: lists the application's routes from its own OpenAPI document and invokes
 * one of them inside the application: an HTTP request to this process's own listening address, with
 * the caller's own Authorization header (so every guard applies exactly as to the caller), to a path
 * built only from the route table. It can reach no other host and cannot invoke itself.
 */
@Injectable()
export class DeveloperService {
  private cache: { revision: number; endpoints: DevEndpoint[] } | null = null;

  constructor(
    private readonly env: EnvDto,
    private readonly holder: ApiDocumentHolder,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  endpoints(): DeveloperEndpointDto[] {
    return this.table().map((e) => ({
      id: e.id,
      label: e.label,
      description: e.description,
      method: e.method,
      path: e.path,
      pathParams: e.pathParams,
      queryParams: e.queryParams,
      access: e.access,
      permission: e.permission,
      acceptsBody: e.acceptsBody,
    }));
  }

  async invoke(id: string, dto: InvokeEndpointDto, ctx: InvokeContext): Promise<InvocationResultDto> {
    if (!DEV_ENDPOINT_ID.test(id)) throw badRequest('Malformed endpoint id', [{ field: 'id', issue: 'must look like DEV-<operationId>' }]);
    const endpoint = this.table().find((e) => e.id === id);
    if (!endpoint) throw notFound('Endpoint', id);
    if (dto.payload !== undefined && !endpoint.acceptsBody) {
      throw badRequest(`${endpoint.method} routes take no payload`, [{ field: 'payload', issue: `not accepted by ${endpoint.method}` }]);
    }
    let target: string;
    try {
      target = buildRequestTarget(endpoint, dto.pathParams ?? {}, dto.query ?? {});
    } catch (err) {
      if (err instanceof InvocationInputError) throw badRequest(`Invalid invocation: ${err.message}`, err.issues);
      throw err;
    }
    const { host, port } = this.ownAddress();
    const body = dto.payload !== undefined ? Buffer.from(JSON.stringify(dto.payload)) : null;
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': 'cctv-developer-console',
    };
    if (ctx.authorization) headers.authorization = ctx.authorization;
    // The inner request comes from loopback (a trusted proxy): forward the caller's address so
    // audit rows and rate limits see the real client.
    if (ctx.ip) headers['x-forwarded-for'] = ctx.ip;
    if (ctx.requestId) headers['x-request-id'] = `${ctx.requestId}.dev`.slice(0, 128);
    if (body) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(body.length);
    }
    const started = performance.now();
    const res = await this.send(host, port, endpoint.method, target, headers, body);
    return {
      ...res,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      request: { method: endpoint.method, url: target },
    };
  }

  private table(): DevEndpoint[] {
    const doc = this.holder.get();
    if (!doc) throw serviceUnavailable('The API document is not available yet');
    if (this.cache?.revision !== this.holder.revision)
      this.cache = { revision: this.holder.revision, endpoints: endpointsFromDocument(doc) };
    return this.cache.endpoints;
  }

  /** Where this process listens; a wildcard bind is reached over loopback. */
  private ownAddress(): { host: string; port: number } {
    const address = this.adapterHost.httpAdapter?.getHttpServer()?.address?.() as AddressInfo | string | null | undefined;
    if (!address || typeof address === 'string') throw serviceUnavailable('The API is not listening on a TCP port');
    const wildcard = address.address === '0.0.0.0' || address.address === '::' || address.address === '';
    return {
      host: wildcard ? (address.family === 'IPv6' && address.address === '::' ? '::1' : '127.0.0.1') : address.address,
      port: address.port,
    };
  }

  private send(
    host: string,
    port: number,
    method: string,
    path: string,
    headers: Record<string, string>,
    body: Buffer | null,
  ): Promise<Omit<InvocationResultDto, 'durationMs' | 'request'>> {
    const timeoutMs = this.env.DEVELOPER_INVOKE_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host, port, method, path, headers, agent: false, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        res.on('data', (chunk: Buffer) => {
          if (truncated) return;
          if (size + chunk.length > MAX_INVOKE_RESPONSE_BYTES) {
            chunks.push(chunk.subarray(0, MAX_INVOKE_RESPONSE_BYTES - size));
            size = MAX_INVOKE_RESPONSE_BYTES;
            truncated = true;
            res.destroy();
            finish();
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        let done = false;
        const finish = (): void => {
          if (done) return;
          done = true;
          clearTimeout(overall);
          const buffer = Buffer.concat(chunks);
          const type = String(res.headers['content-type'] ?? '');
          let parsed: unknown = null;
          let bodyEncoding: InvocationResultDto['bodyEncoding'] = 'empty';
          if (buffer.length > 0) {
            if (/json/i.test(type) && !truncated) {
              try {
                parsed = JSON.parse(buffer.toString('utf8'));
                bodyEncoding = 'json';
              } catch {
                parsed = buffer.toString('utf8');
                bodyEncoding = 'text';
              }
            } else if (/^(text\/|application\/(json|xml|javascript|x-ndjson|problem\+json))/i.test(type) || type === '') {
              parsed = buffer.toString('utf8');
              bodyEncoding = 'text';
            } else {
              bodyEncoding = 'omitted';
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: safeHeaders(res.headers), body: parsed, bodyEncoding, truncated });
        };
        res.on('end', finish);
        res.on('error', (err) => {
          if (!truncated) fail(err);
        });
      });
      const fail = (err: Error): void => {
        clearTimeout(overall);
        reject(
          err.message === 'timeout'
            ? new ApiException(
                HttpStatus.GATEWAY_TIMEOUT,
                ErrorCode.SERVICE_UNAVAILABLE,
                `The invoked route did not answer within ${timeoutMs} ms`,
              )
            : serviceUnavailable('The invoked route could not be reached', { reason: err.message }),
        );
      };
      const overall = setTimeout(() => req.destroy(new Error('timeout')), timeoutMs);
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', fail);
      if (body) req.write(body);
      req.end();
    });
  }
}
