import type { OpenAPIObject } from '@nestjs/swagger';

/** A route of the application as the developer console shows and invokes it. */
export interface DevEndpoint {
  /** `DEV-<operationId>`: stable as long as the route's controller and handler keep their names. */
  id: string;
  operationId: string;
  /** The route's tag, capitalised (Cameras, Alerts, ...). */
  label: string;
  /** The route's summary (its doc comment). */
  description: string;
  method: string;
  /** OpenAPI path, e.g. /api/v1/alerts/{id}/acknowledge. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** public | authenticated | permission */
  access: 'public' | 'authenticated' | 'permission';
  /** The permission the route requires (access = permission). */
  permission: string | null;
  acceptsBody: boolean;
}

/** Routes the console never lists nor invokes: itself (no recursion). */
export const CONSOLE_OPERATION_IDS: ReadonlySet<string> = new Set(['developer_invoke']);
export const DEV_ENDPOINT_ID = /^DEV-[A-Za-z0-9_]{1,120}$/;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Array<{ name: string; in: string } | { $ref: string }>;
  requestBody?: unknown;
}

/** The endpoints of an OpenAPI document, by label, path and method. */
export function endpointsFromDocument(doc: OpenAPIObject): DevEndpoint[] {
  const out: DevEndpoint[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op?.operationId || CONSOLE_OPERATION_IDS.has(op.operationId)) continue;
      if (!/^[A-Za-z0-9_]{1,120}$/.test(op.operationId)) continue;
      const params = (op.parameters ?? []).filter((p): p is { name: string; in: string } => 'name' in p);
      const permission = /Requires permission `([^`]+)`/.exec(op.description ?? '')?.[1] ?? null;
      const tag = op.tags?.[0] ?? 'other';
      out.push({
        id: `DEV-${op.operationId}`,
        operationId: op.operationId,
        label: tag.charAt(0).toUpperCase() + tag.slice(1),
        description: op.summary?.trim() || `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        access: permission ? 'permission' : op.security?.length ? 'authenticated' : 'public',
        permission,
        acceptsBody: BODY_METHODS.has(method.toUpperCase()),
      });
    }
  }
  return out.sort((a, b) => a.label.localeCompare(b.label) || a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

export type QueryValue = string | number | boolean;

/** A problem with the caller's path or query parameters (answered as 400 with these details). */
export class InvocationInputError extends Error {
  constructor(readonly issues: Array<{ field: string; issue: string }>) {
    super(issues.map((i) => `${i.field}: ${i.issue}`).join('; '));
  }
}

const MAX_PARAM_LENGTH = 200;
const MAX_QUERY_KEYS = 50;
const QUERY_KEY = /^[A-Za-z0-9_.[\]-]{1,64}$/;

function checkSegment(name: string, raw: unknown, issues: Array<{ field: string; issue: string }>): string | null {
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    issues.push({ field: `pathParams.${name}`, issue: 'must be a string or a number' });
    return null;
  }
  const value = String(raw);
  if (value.length === 0 || value.length > MAX_PARAM_LENGTH) {
    issues.push({ field: `pathParams.${name}`, issue: `must be 1-${MAX_PARAM_LENGTH} characters` });
    return null;
  }
  // eslint-disable-next-line no-control-regex
  if (value === '.' || value === '..' || /[\u0000-\u001f\u007f/\\]/.test(value)) {
    issues.push({ field: `pathParams.${name}`, issue: 'must not contain slashes, control characters or be a dot segment' });
    return null;
  }
  return encodeURIComponent(value);
}

/**
 * The request target (path + query) for an endpoint: every `{param}` replaced by the caller's value
 * (one encoded path segment, never a slash or a dot segment), the query encoded. Only a path of the
 * route table can come out: never a scheme, a host or another route's prefix.
 */
export function buildRequestTarget(
  endpoint: DevEndpoint,
  pathParams: Record<string, unknown> = {},
  query: Record<string, unknown> = {},
): string {
  const issues: Array<{ field: string; issue: string }> = [];
  for (const key of Object.keys(pathParams)) {
    if (!endpoint.pathParams.includes(key)) issues.push({ field: `pathParams.${key}`, issue: `${endpoint.path} has no such parameter` });
  }
  const path = endpoint.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (!(name in pathParams)) {
      issues.push({ field: `pathParams.${name}`, issue: 'is required' });
      return '_';
    }
    return checkSegment(name, pathParams[name], issues) ?? '_';
  });
  const search = new URLSearchParams();
  const keys = Object.keys(query);
  if (keys.length > MAX_QUERY_KEYS) issues.push({ field: 'query', issue: `at most ${MAX_QUERY_KEYS} parameters` });
  for (const key of keys.slice(0, MAX_QUERY_KEYS)) {
    if (!QUERY_KEY.test(key)) {
      issues.push({ field: `query.${key}`, issue: 'is not a valid parameter name' });
      continue;
    }
    const v = query[key];
    const values = Array.isArray(v) ? v : [v];
    if (values.length > 50 || values.some((x) => !['string', 'number', 'boolean'].includes(typeof x) || String(x).length > 1000)) {
      issues.push({
        field: `query.${key}`,
        issue: 'must be a string, number or boolean (or up to 50 of them), each at most 1000 characters',
      });
      continue;
    }
    for (const x of values as QueryValue[]) search.append(key, String(x));
  }
  if (issues.length) throw new InvocationInputError(issues);
  if (!path.startsWith('/') || path.startsWith('//')) throw new InvocationInputError([{ field: 'path', issue: 'not a local path' }]);
  const qs = search.toString();
  return qs ? `${path}?${qs}` : path;
}
