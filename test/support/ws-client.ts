import WebSocket from 'ws';

export type WsMessage = Record<string, unknown>;

/** A WebSocket client of /ws that records every message (for e2e tests). */
export class WsTestClient {
  readonly messages: WsMessage[] = [];
  private readonly closed: Promise<void>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      try {
        this.messages.push(JSON.parse(String(data)) as WsMessage);
      } catch {
        /* not JSON */
      }
    });
    this.closed = new Promise((resolve) => ws.on('close', () => resolve()));
    ws.on('error', () => undefined);
  }

  /** Connects to `<baseUrl>/ws?token=<token>` and waits for the socket to open. */
  static async connect(baseUrl: string, token: string): Promise<WsTestClient> {
    const client = new WsTestClient(new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`));
    await new Promise<void>((resolve, reject) => {
      client.ws.once('open', () => resolve());
      client.ws.once('error', reject);
    });
    return client;
  }

  send(body: unknown): void {
    this.ws.send(JSON.stringify(body));
  }

  async waitFor(pred: (m: WsMessage) => boolean, timeoutMs = 5000): Promise<WsMessage> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(pred);
      if (found) return found;
      if (Date.now() > until) throw new Error(`no matching ws message; got ${JSON.stringify(this.messages).slice(0, 2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async subscribe(channel: string): Promise<void> {
    this.send({ action: 'subscribe', channel });
    await this.waitFor((m) => m.type === 'subscribed' && m.channel === channel);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.terminate();
    await this.closed;
  }
}

/** Polls `fn` until `ok` holds (or throws with the last value). */
export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10000, stepMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(v)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
