import type { NextFunction, Request, Response } from 'express';
import { requestContext, resolveRequestId, rootLogger } from '@app/core';

/**
 * First middleware of every request: takes or makes the request id, echoes it as X-Request-Id, runs the
 * rest of the request inside its context (so every log line carries it), and writes one access-log line
 * with status, latency and user id.
 */
export function requestLogging(req: Request, res: Response, next: NextFunction): void {
  const requestId = resolveRequestId(req.headers['x-request-id']);
  const started = process.hrtime.bigint();
  res.setHeader('X-Request-Id', requestId);
  const ctx = { requestId } as { requestId: string; userId?: string };
  res.on('finish', () => {
    const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
    const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
    rootLogger()[level](
      {
        requestId,
        userId: ctx.userId,
        method: req.method,
        path: req.originalUrl.split('?')[0],
        status: res.statusCode,
        latencyMs: Math.round(latencyMs * 10) / 10,
      },
      'request',
    );
  });
  requestContext.run(ctx, () => next());
}
