import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';

/**
 * Nest's Express adapter, with an HTTP server whose requests and responses are born with the Express
 * app's prototypes (`app.request`, `app.response`).
 *
 * Express re-parents every request and response with `Object.setPrototypeOf` (application.js, `handle`).
 * On Node 20 (V8 11.3) about a fifth of everything a request allocates then survives the
 * young-generation GC and is promoted: measured on a bare Express app at 1,000 req/s, 2.6 MB promoted
 * per scavenge against 1 KB when the objects already have the prototype, which turns Express's call
 * into a no-op. The promoted garbage is what drives the full GCs that made the p99 tail of every
 * authenticated route (bench/auth.bench.ts).
 *
 * Only the plain HTTP server is replaced; with `httpsOptions` or `forceCloseConnections`, or should Node's
 * constructors ever be classes, Nest's own server is kept.
 */
export class AppExpressAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    super.initHttpServer(options);
    if (options?.httpsOptions || options?.forceCloseConnections || !nodeConstructorsCallable()) return;
    this.setHttpServer(prototypeStableServer(this.getInstance<Express>()));
  }
}

/**
 * Whether Node's IncomingMessage and ServerResponse can be called with `this` (true on Node 20, where they
 * are plain functions). Were a later Node to make them classes, Nest's own server is kept.
 */
export function nodeConstructorsCallable(): boolean {
  return [IncomingMessage, ServerResponse].every((fn) => !/^class\b/.test(Function.prototype.toString.call(fn)));
}

/** An HTTP server for `app` whose IncomingMessage and ServerResponse objects inherit from the app's. */
export function prototypeStableServer(app: Express): Server {
  // old-style constructors calling Node's (functions on Node 20), so that the instances' prototype is
  // exactly app.request / app.response, which inherit from Node's prototypes. Not Reflect.construct
  // with new.target: measured, 2 % of an authenticated request's allocations are promoted then,
  // against 0.1 % with these.
  function ExpressRequest(this: IncomingMessage, socket: Socket): void {
    IncomingMessage.call(this, socket);
  }
  ExpressRequest.prototype = app.request;
  function ExpressResponse(this: ServerResponse, req: IncomingMessage, options?: object): void {
    (ServerResponse as unknown as (this: ServerResponse, req: IncomingMessage, options?: object) => void).call(this, req, options);
  }
  ExpressResponse.prototype = app.response;
  return createServer(
    {
      IncomingMessage: ExpressRequest as unknown as typeof IncomingMessage,
      ServerResponse: ExpressResponse as unknown as typeof ServerResponse,
    },
    app,
  );
}
