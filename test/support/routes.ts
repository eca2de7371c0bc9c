import { RequestMethod, type INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ACCESS_META, type AccessRule } from '@app/auth';

export interface RouteInfo {
  method: string;
  path: string;
  controller: string;
  handler: string;
  rule: AccessRule | undefined;
}

/** Every HTTP route registered in the application, with the access rule it declares. */
export function listRoutes(app: INestApplication, prefix = '/api/v1'): RouteInfo[] {
  const out: RouteInfo[] = [];
  const excluded = new Set(['health/live', 'health/ready']);
  for (const mod of app.get(ModulesContainer).values()) {
    for (const wrapper of mod.controllers.values()) {
      const ctrl = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!ctrl) continue;
      const base = String(Reflect.getMetadata('path', ctrl) ?? '').replace(/^\/|\/$/g, '');
      const proto = ctrl.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const fn = proto[name];
        if (name === 'constructor' || typeof fn !== 'function') continue;
        const sub = Reflect.getMetadata('path', fn) as string | undefined;
        const verb = Reflect.getMetadata('method', fn) as RequestMethod | undefined;
        if (sub === undefined || verb === undefined) continue;
        const rel = [base, String(sub).replace(/^\/|\/$/g, '')].filter(Boolean).join('/');
        const path = excluded.has(rel) ? `/${rel}` : `${prefix}/${rel}`;
        const rule = (Reflect.getMetadata(ACCESS_META, fn) ?? Reflect.getMetadata(ACCESS_META, ctrl)) as AccessRule | undefined;
        out.push({ method: RequestMethod[verb], path, controller: ctrl.name, handler: name, rule });
      }
    }
  }
  return out.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** A concrete URL for a route pattern: every :param becomes a syntactically valid placeholder. */
export function concretePath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, (_, name: string) =>
    /id$/i.test(name) && name !== 'employeeId' ? '00000000-0000-4000-8000-000000000000' : 'X-1',
  );
}
