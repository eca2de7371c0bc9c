import type { INestApplication } from '@nestjs/common';
import cors, { type CorsOptions } from 'cors';
import etag from 'etag';
import fresh from 'fresh';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { resolveRequestId, rootLogger } from '@app/core';
import { ApiMetricsService } from '@app/system';
import { LIVE_DETECTIONS_PATH, LiveDetectionsFastPath, type LiveAnswer } from '../modules/live-detections.fast-path';
import { logWhenFinished } from './request-logging.middleware';

/**
 * Puts the live-detections fast path (LiveDetectionsFastPath) in front of Express on the HTTP
 * server: the dashboard's polling of GET /detections/live skips Express's router and Nest's
 * pipeline (about half the CPU of a request and most of its garbage, whose collection pauses were
 * the p99). What the answer must carry is applied here exactly as Express would: the request id
 * (X-Request-Id) and the access-log line, CORS (the very `cors` middleware and options Nest uses),
 * the rate-limit headers, a weak ETag with 304 for a fresh If-None-Match (Express's `etag` and
 * `fresh`), and the request metrics under the route's label. Every other request, and every one
 * the fast path declines, is handed to Express untouched.
 */
export function installLiveFastLane(app: INestApplication, corsOptions: CorsOptions): void {
  const server = app.getHttpServer() as Server;
  const listeners = server.listeners('request') as RequestListener[];
  if (listeners.length !== 1) throw new Error(`expected one request listener (Express), found ${listeners.length}`);
  const [express] = listeners;
  const fastPath = app.get(LiveDetectionsFastPath);
  const metrics = app.get(ApiMetricsService);
  const applyCors = cors(corsOptions);
  const log = rootLogger().child({ context: 'LiveFastLane' });
  // The last body of each size and its ETag: a list changes only on a new sighting, and comparing
  // bytes costs far less than hashing them (SHA-1) on every poll.
  const recentTags = new Map<number, { body: Buffer; tag: string }>();
  const etagOf = (body: Buffer): string => {
    const recent = recentTags.get(body.length);
    if (recent?.body.equals(body)) return recent.tag;
    const tag = etag(body, { weak: true });
    if (recentTags.size >= 64) recentTags.clear();
    recentTags.set(body.length, { body, tag });
    return tag;
  };

  const reply = (req: IncomingMessage, res: ServerResponse, answer: LiveAnswer, started: bigint): void => {
    const ctx = { requestId: resolveRequestId(req.headers['x-request-id']), userId: answer.userId };
    res.setHeader('X-Request-Id', ctx.requestId);
    logWhenFinished(req, res, LIVE_DETECTIONS_PATH, ctx, started);
    res.once('finish', () =>
      metrics.observeRequest('GET', LIVE_DETECTIONS_PATH, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9),
    );
    // cors answers a GET synchronously: it sets its headers and calls next
    applyCors(req, res, () => undefined);
    res.setHeader('X-RateLimit-Limit', String(answer.decision.limit));
    res.setHeader('X-RateLimit-Remaining', String(answer.decision.remaining));
    const tag = etagOf(answer.body);
    res.setHeader('ETag', tag);
    if (fresh(req.headers, { etag: tag })) {
      res.statusCode = 304;
      res.end();
      return;
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', answer.body.length);
    res.end(answer.body);
  };

  server.removeListener('request', express);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const request = fastPath.match(req.method, req.url, req.headers.authorization);
    if (!request) return express(req, res);
    const started = process.hrtime.bigint();
    fastPath.answer(request).then(
      (answer) => {
        if (!answer) return express(req, res);
        try {
          reply(req, res, answer, started);
        } catch (err) {
          // never hand a half-answered response to Express (it would keep the headers set here)
          log.error({ err: (err as Error).message }, 'live fast path failed while answering');
          res.destroy();
        }
      },
      (err: unknown) => {
        // nothing was written yet: the regular route answers
        log.warn({ err: (err as Error).message }, 'live fast path failed; the regular route answers');
        express(req, res);
      },
    );
  });
}
