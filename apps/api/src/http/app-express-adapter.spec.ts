import { afterEach, describe, expect, it } from '@jest/globals';
import { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { AppExpressAdapter, nodeConstructorsCallable, prototypeStableServer } from './app-express-adapter';

interface Seen {
  atArrival: { req: object | null; res: object | null };
  inHandler: { req: object | null; res: object | null };
  instanceOf: { req: boolean; res: boolean };
}

/** An app whose one route reports what the request and response looked like on the way. */
function probeApp(): { app: Express; seen: Seen[] } {
  const app = express();
  const seen: Seen[] = [];
  app.get('/probe', (req, res) => {
    const s = seen.at(-1) as Seen;
    s.inHandler = { req: Object.getPrototypeOf(req) as object, res: Object.getPrototypeOf(res) as object };
    s.instanceOf = { req: req instanceof IncomingMessage, res: res instanceof ServerResponse };
    // Express's own request and response methods work
    res.status(201).json({ q: req.query.q, host: req.get('host'), ip: typeof req.ip });
  });
  return { app, seen };
}

/** Records the prototypes the server gives its objects before any Express code has run. */
function watch(server: Server, seen: Seen[]): void {
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    seen.push({
      atArrival: { req: Object.getPrototypeOf(req) as object, res: Object.getPrototypeOf(res) as object },
      inHandler: { req: null, res: null },
      instanceOf: { req: false, res: false },
    });
  });
}

async function get(server: Server, path: string): Promise<{ status: number; body: unknown }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.json() };
}

describe('prototypeStableServer', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  it('creates requests and responses with the app prototypes, so Express does not re-parent them', async () => {
    const { app, seen } = probeApp();
    server = prototypeStableServer(app);
    watch(server, seen);
    const res = await get(server, '/probe?q=abc');
    expect(res).toEqual({ status: 201, body: { q: 'abc', host: expect.stringMatching(/^127\.0\.0\.1:\d+$/), ip: 'string' } });
    expect(seen).toHaveLength(1);
    expect(seen[0].atArrival.req).toBe(app.request);
    expect(seen[0].atArrival.res).toBe(app.response);
    expect(seen[0].inHandler.req).toBe(app.request);
    expect(seen[0].inHandler.res).toBe(app.response);
    expect(seen[0].instanceOf).toEqual({ req: true, res: true });
  });

  it('differs from a plain server, whose objects Express has to re-parent', async () => {
    const { app, seen } = probeApp();
    server = new Server(app);
    watch(server, seen);
    expect((await get(server, '/probe')).status).toBe(201);
    expect(seen[0].atArrival.req).toBe(IncomingMessage.prototype);
    expect(seen[0].inHandler.req).toBe(app.request);
  });
});

describe('AppExpressAdapter', () => {
  it("finds Node's constructors callable on this Node", () => {
    expect(nodeConstructorsCallable()).toBe(true);
  });

  it('serves through a prototype-stable server', async () => {
    const { app, seen } = probeApp();
    const adapter = new AppExpressAdapter(app);
    adapter.initHttpServer({});
    const server = adapter.getHttpServer() as Server;
    watch(server, seen);
    try {
      expect((await get(server, '/probe')).status).toBe(201);
      expect(seen[0].atArrival.req).toBe(app.request);
      expect(seen[0].atArrival.res).toBe(app.response);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("keeps Nest's own server when connections are tracked for a forced close", async () => {
    const { app, seen } = probeApp();
    const adapter = new AppExpressAdapter(app);
    adapter.initHttpServer({ forceCloseConnections: true });
    const server = adapter.getHttpServer() as Server;
    watch(server, seen);
    try {
      expect((await get(server, '/probe')).status).toBe(201);
      expect(seen[0].atArrival.req).toBe(IncomingMessage.prototype);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
