import { describe, expect, it } from '@jest/globals';
import type { OpenAPIObject } from '@nestjs/swagger';
import { InvocationInputError, buildRequestTarget, endpointsFromDocument } from './route-table';

const doc = {
  openapi: '3.0.0',
  info: { title: 't', version: '1' },
  paths: {
    '/api/v1/alerts': {
      get: {
        operationId: 'alerts_list',
        summary: 'Alerts, newest first',
        description: 'Requires permission `alerts:read`.',
        tags: ['alerts'],
        security: [{ bearer: [] }],
        parameters: [
          { name: 'level', in: 'query' },
          { name: 'page', in: 'query' },
        ],
        responses: {},
      },
    },
    '/api/v1/alerts/{id}/acknowledge': {
      post: {
        operationId: 'alerts_acknowledge',
        tags: ['alerts'],
        security: [{ bearer: [] }],
        parameters: [{ name: 'id', in: 'path' }],
        responses: {},
      },
    },
    '/api/v1/settings/preferences': {
      get: { operationId: 'settings_preferences', tags: ['settings'], security: [{ bearer: [] }], responses: {} },
    },
    '/api/v1/auth/login': { post: { operationId: 'auth_login', tags: ['auth'], responses: {} } },
    '/api/v1/developer/endpoints/{id}/invoke': { post: { operationId: 'developer_invoke', tags: ['developer'], responses: {} } },
  },
} as unknown as OpenAPIObject;

describe('endpointsFromDocument', () => {
  const list = endpointsFromDocument(doc);

  it('derives id, label, description, access and parameters from the document', () => {
    expect(list.find((e) => e.id === 'DEV-alerts_list')).toEqual({
      id: 'DEV-alerts_list',
      operationId: 'alerts_list',
      label: 'Alerts',
      description: 'Alerts, newest first',
      method: 'GET',
      path: '/api/v1/alerts',
      pathParams: [],
      queryParams: ['level', 'page'],
      access: 'permission',
      permission: 'alerts:read',
      acceptsBody: false,
    });
    expect(list.find((e) => e.id === 'DEV-alerts_acknowledge')).toMatchObject({
      pathParams: ['id'],
      acceptsBody: true,
      description: 'POST /api/v1/alerts/{id}/acknowledge',
    });
    expect(list.find((e) => e.id === 'DEV-settings_preferences')?.access).toBe('authenticated');
    expect(list.find((e) => e.id === 'DEV-auth_login')?.access).toBe('public');
  });

  it('leaves out the console’s own invoke route', () => {
    expect(list.map((e) => e.id)).not.toContain('DEV-developer_invoke');
    expect(list).toHaveLength(4);
  });
});

describe('buildRequestTarget', () => {
  const [ack] = endpointsFromDocument(doc).filter((e) => e.id === 'DEV-alerts_acknowledge');
  const [list] = endpointsFromDocument(doc).filter((e) => e.id === 'DEV-alerts_list');
  const issues = (fn: () => unknown): string[] => {
    try {
      fn();
    } catch (err) {
      if (err instanceof InvocationInputError) return err.issues.map((i) => i.field);
      throw err;
    }
    return [];
  };

  it('fills path parameters as single encoded segments and encodes the query', () => {
    expect(buildRequestTarget(ack, { id: 'ALERT-1' })).toBe('/api/v1/alerts/ALERT-1/acknowledge');
    expect(buildRequestTarget(ack, { id: 'a b?c#d' })).toBe('/api/v1/alerts/a%20b%3Fc%23d/acknowledge');
    expect(buildRequestTarget(ack, { id: 42 })).toBe('/api/v1/alerts/42/acknowledge');
    expect(buildRequestTarget(list, {}, { level: ['high', 'critical'], page: 2, x: true })).toBe(
      '/api/v1/alerts?level=high&level=critical&page=2&x=true',
    );
  });

  it('refuses anything that could leave the route: slashes, dot segments, control characters, missing or unknown params', () => {
    expect(issues(() => buildRequestTarget(ack, { id: '//evil.example/' }))).toEqual(['pathParams.id']);
    expect(issues(() => buildRequestTarget(ack, { id: '..' }))).toEqual(['pathParams.id']);
    expect(issues(() => buildRequestTarget(ack, { id: '.' }))).toEqual(['pathParams.id']);
    expect(issues(() => buildRequestTarget(ack, { id: 'a\\b' }))).toEqual(['pathParams.id']);
    expect(issues(() => buildRequestTarget(ack, { id: 'a\nb' }))).toEqual(['pathParams.id']);
    expect(issues(() => buildRequestTarget(ack, { id: '' }))).toEqual(['pathParams.id']);
    expect(issues(() => buildRequestTarget(ack, { id: 'x'.repeat(201) }))).toEqual(['pathParams.id']);
    expect(issues(() => buildRequestTarget(ack, { id: { a: 1 } }))).toEqual(['pathParams.id']);
    expect(issues(() => buildRequestTarget(ack, {}))).toEqual(['pathParams.id']);
    expect(issues(() => buildRequestTarget(ack, { id: 'A', other: 'B' }))).toEqual(['pathParams.other']);
    expect(issues(() => buildRequestTarget(list, {}, { 'bad key': 1 }))).toEqual(['query.bad key']);
    expect(issues(() => buildRequestTarget(list, {}, { level: { nested: 1 } }))).toEqual(['query.level']);
    expect(issues(() => buildRequestTarget(list, {}, Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 1]))))).toEqual([
      'query',
    ]);
  });
});
