import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Observable, from, mergeMap } from 'rxjs';
import type { AuthPrincipal } from '@app/core';
import { AuditService } from './audit.service';

export const SKIP_AUDIT = 'skip-audit';
/** For routes whose service writes a richer audit row itself (login, logout, refresh). */
export const SkipAudit = (): MethodDecorator => SetMetadata(SKIP_AUDIT, true);

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every successful POST/PUT/PATCH/DELETE leaves one audit row: who, which role, what (resource.handler),
 * on which id, from where. Request bodies go into the context with secrets redacted.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditService,
    private readonly reflector: Reflector,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<Request & { user?: AuthPrincipal }>();
    if (!MUTATING.has(req.method) || this.reflector.get<boolean>(SKIP_AUDIT, ctx.getHandler())) return next.handle();
    return next.handle().pipe(mergeMap((result: unknown) => from(this.write(ctx, req, result).then(() => result))));
  }

  private async write(ctx: ExecutionContext, req: Request & { user?: AuthPrincipal }, result: unknown): Promise<void> {
    const route = (req.route as { path?: string } | undefined)?.path ?? req.path;
    const resourceType = route.replace(/^\/?api\/v1\//, '').split('/')[0] || 'unknown';
    const handler = ctx.getHandler().name;
    const params = req.params as Record<string, string>;
    const resultId = result && typeof result === 'object' && 'id' in result ? String((result as { id: unknown }).id) : undefined;
    const resourceId = params.id ?? resultId ?? null;
    const actor = req.user?.email ?? 'anonymous';
    const action = `${resourceType}.${handler}`;
    await this.audit.record({
      actor,
      actorRole: req.user?.roleId ?? null,
      action,
      resourceType,
      resourceId,
      message: `${actor} ${req.method} ${route}${resourceId ? ` (${resourceId})` : ''}`,
      context: { method: req.method, path: req.path, params, body: isPlainBody(req.body) ? req.body : undefined },
      severity: req.method === 'DELETE' ? 'warning' : 'info',
      ipAddress: (req.ip ?? '').replace(/^::ffff:/, '') || null,
      userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'].slice(0, 512) : null,
    });
  }
}

function isPlainBody(body: unknown): body is Record<string, unknown> {
  return !!body && typeof body === 'object' && !Buffer.isBuffer(body) && Object.keys(body).length > 0;
}
