import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { requestContext, resolveRequestId, rootLogger } from '@app/core';

/** What the access-log line of a request says besides status and latency. */
export interface AccessLogContext {
  requestId: string;
  userId?: string;
}

/**
 * First middleware of every request: takes or makes the request id, echoes it as X-Request-Id, runs the
 * rest of the request inside its context (so every log line carries it), and writes one access-log line
 * with status, latency and user id.
 */
export function requestLogging(req: Request, res: Response, next: NextFunction): void {
  const requestId = resolveRequestId(req.headers['x-request-id']);
  const started = process.hrtime.bigint();
  res.setHeader('X-Request-Id', requestId);
  const ctx: AccessLogContext = { requestId };
  logWhenFinished(req, res, req.originalUrl.split('?')[0], ctx, started);
  requestContext.run(ctx, () => next());
}

/** Writes the request's access-log line when its response is finished (also used ahead of Express). */
export function logWhenFinished(req: IncomingMessage, res: ServerResponse, path: string, ctx: AccessLogContext, started: bigint): void {
  res.on('finish', () => {
    const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
    const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
    const logger = rootLogger();
    if (!logger.isLevelEnabled(level)) return;
    logger[level](
      {
        requestId: ctx.requestId,
        userId: ctx.userId,
        method: req.method,
        path,
        status: res.statusCode,
        latencyMs: Math.round(latencyMs * 10) / 10,
      },
      'request',
    );
  });
}
