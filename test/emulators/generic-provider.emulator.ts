/**
 * Emulators of third-party detection providers as real HTTP servers (node:http, port chosen by
 * the OS), with test controls. This file holds the shared base (ProviderEmulator) and the
 * emulator of the spec's generic provider; compreface.emulator.ts and codeproject.emulator.ts
 * build on the same base.
 *
 * "Recognition" is by image identity: enrolled images are stored by sha256, so an image whose
 * bytes were enrolled for a subject is recognised as that subject; any other image shows one
 * unknown face. script(image, faces) overrides the answer for one image.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmulatorBox {
  x_min: number;
  y_min: number;
  x_max: number;
  y_max: number;
}

/** One face the emulator reports; subject null = a face that matches nobody. */
export interface ScriptedFace {
  subject: string | null;
  similarity: number;
  box?: EmulatorBox;
  /** Detector confidence 0..1. */
  probability?: number;
}

export interface EmulatorFile {
  field: string;
  filename: string;
  type: string;
  size: number;
  sha256: string;
  data: Buffer;
}

export interface ParsedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  fields: Map<string, string>;
  files: EmulatorFile[];
}

/** What the request log keeps of each call (file bytes are reduced to their hash and size). */
export interface EmulatorRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  fields: Record<string, string>;
  files: { field: string; filename: string; type: string; size: number; sha256: string }[];
  /** Status answered; 0 while pending or when the request was left hanging. */
  status: number;
}

export interface EmulatorReply {
  status: number;
  body: unknown;
}

export interface EmulatorOptions {
  apiKey?: string;
  latencyMs?: number;
}

export const DEFAULT_FACE_BOX: EmulatorBox = { x_min: 40, y_min: 30, x_max: 140, y_max: 150 };
const MAX_BODY_BYTES = 20 * 1024 * 1024;

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export abstract class ProviderEmulator {
  /** Expected API key; undefined = the emulator accepts any (or no) key. */
  apiKey?: string;
  /** Delay added before every answer. */
  latencyMs: number;
  /** Similarity reported when an enrolled image is recognised. */
  knownSimilarity = 0.97;
  readonly requests: EmulatorRequest[] = [];

  /** subject -> sha256 of each enrolled image. */
  protected readonly gallery = new Map<string, string[]>();
  private readonly scripts = new Map<string, ScriptedFace[]>();
  private failures: { remaining: number; status: number; body?: unknown } = { remaining: 0, status: 500 };
  private hangRemaining = 0;
  private noFaceRemaining = 0;
  private server?: Server;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(opts: EmulatorOptions = {}) {
    this.apiKey = opts.apiKey;
    this.latencyMs = opts.latencyMs ?? 0;
  }

  /** The next n requests answer `status` (with the provider's usual error body, or `body`). */
  failNext(n: number, status = 500, body?: unknown): void {
    this.failures = { remaining: n, status, body };
  }

  /** The next n requests get no answer at all (the connection stays open until stop()). */
  hangNext(n: number): void {
    this.hangRemaining = n;
  }

  /** The next n images that reach face detection contain no face. */
  noFaceNext(n: number): void {
    this.noFaceRemaining = n;
  }

  /** Fixes the faces reported for one image (by its bytes or its sha256). */
  script(image: Buffer | string, faces: ScriptedFace[]): void {
    this.scripts.set(typeof image === 'string' ? image : sha256(image), faces);
  }

  /** Test shortcut: puts images in a subject's gallery without going through the API. */
  enrolDirect(subject: string, images: Buffer[]): void {
    this.addToGallery(subject, images.map(sha256));
  }

  subjects(): string[] {
    return [...this.gallery.keys()];
  }

  galleryOf(subject: string): string[] {
    return [...(this.gallery.get(subject) ?? [])];
  }

  get baseUrl(): string {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('emulator not started');
    return `http://127.0.0.1:${(address as AddressInfo).port}`;
  }

  async start(): Promise<string> {
    if (this.server) return this.baseUrl;
    const server = createServer((req, res) => {
      this.onRequest(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
        }
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  protected abstract handle(req: ParsedRequest): EmulatorReply | Promise<EmulatorReply>;

  /** The provider's usual body for an error status (used by failNext). */
  protected abstract failureBody(status: number): unknown;

  /** True (and counts down) when the current image must show no face. */
  protected takeNoFace(): boolean {
    if (this.noFaceRemaining <= 0) return false;
    this.noFaceRemaining--;
    return true;
  }

  /** Faces in an image: scripted ones, else the enrolled subject, else one unknown face. */
  protected facesFor(hash: string): ScriptedFace[] {
    const scripted = this.scripts.get(hash);
    if (scripted) return scripted;
    for (const [subject, hashes] of this.gallery) {
      if (hashes.includes(hash)) return [{ subject, similarity: this.knownSimilarity, probability: 0.99 }];
    }
    return [{ subject: null, similarity: 0, probability: 0.98 }];
  }

  protected addToGallery(subject: string, hashes: string[]): void {
    this.gallery.set(subject, [...(this.gallery.get(subject) ?? []), ...hashes]);
  }

  protected replaceGallery(subject: string, hashes: string[]): void {
    this.gallery.set(subject, [...hashes]);
  }

  /** Removes a subject; returns how many images it had. */
  protected removeSubject(subject: string): number {
    const count = this.gallery.get(subject)?.length ?? 0;
    this.gallery.delete(subject);
    return count;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = await parseRequest(req);
    const entry: EmulatorRequest = {
      method: parsed.method,
      path: parsed.path,
      query: Object.fromEntries(parsed.query),
      headers: parsed.headers,
      fields: Object.fromEntries(parsed.fields),
      files: parsed.files.map(({ field, filename, type, size, sha256: hash }) => ({ field, filename, type, size, sha256: hash })),
      status: 0,
    };
    this.requests.push(entry);
    if (this.latencyMs > 0) await this.sleep(this.latencyMs);
    if (this.hangRemaining > 0) {
      this.hangRemaining--;
      return; // never answered; stop() destroys the socket
    }
    let reply: EmulatorReply;
    if (this.failures.remaining > 0) {
      this.failures.remaining--;
      reply = { status: this.failures.status, body: this.failures.body ?? this.failureBody(this.failures.status) };
    } else {
      reply = await this.handle(parsed);
    }
    entry.status = reply.status;
    if (res.destroyed) return;
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply.body));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Reads the body and decodes multipart/form-data or urlencoded forms (with the WHATWG parser). */
async function parseRequest(req: IncomingMessage): Promise<ParsedRequest> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const body = await readBody(req);
  const fields = new Map<string, string>();
  const files: EmulatorFile[] = [];
  const contentType = req.headers['content-type'] ?? '';
  if (body.length > 0 && /^(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(contentType)) {
    const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        fields.set(field, value);
      } else {
        const data = Buffer.from(await value.arrayBuffer());
        files.push({ field, filename: value.name, type: value.type, size: data.length, sha256: sha256(data), data });
      }
    }
  }
  return { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, fields, files };
}

export interface GenericProviderEmulatorOptions extends EmulatorOptions {
  /** Path the frames are POSTed to. Default '/detect'. */
  path?: string;
}

/**
 * The spec's generic provider: POST <path> with multipart `image`, `Authorization: Bearer <key>`
 * (and `x-api-key`), answer `{detections: [{personId, name, confidence 0-100, boundingBox, trackId}]}`.
 * Its gallery is managed on the provider side only: use enrolDirect() and setName() in tests.
 */
export class GenericProviderEmulator extends ProviderEmulator {
  readonly path: string;
  private readonly names = new Map<string, string>();
  private nextTrack = 1;

  constructor(opts: GenericProviderEmulatorOptions = {}) {
    super(opts);
    this.path = opts.path ?? '/detect';
  }

  get endpoint(): string {
    return `${this.baseUrl}${this.path}`;
  }

  setName(subject: string, name: string): void {
    this.names.set(subject, name);
  }

  protected failureBody(status: number): unknown {
    return { error: `Emulated failure (HTTP ${status})` };
  }

  protected handle(req: ParsedRequest): EmulatorReply {
    if (req.path !== this.path) return { status: 404, body: { error: 'Not found' } };
    if (req.method !== 'POST') return { status: 405, body: { error: 'Method not allowed' } };
    if (this.apiKey !== undefined) {
      const bearer = req.headers.authorization;
      const headerKey = req.headers['x-api-key'];
      if (bearer !== `Bearer ${this.apiKey}` || (headerKey !== undefined && headerKey !== this.apiKey)) {
        return { status: 401, body: { error: 'Invalid API key' } };
      }
    }
    const image = req.files.find((f) => f.field === 'image');
    if (!image) return { status: 400, body: { error: 'Multipart field "image" is required' } };
    if (this.takeNoFace()) return { status: 200, body: { detections: [] } };
    const detections = this.facesFor(image.sha256).map((face) => {
      const box = face.box ?? DEFAULT_FACE_BOX;
      const known = face.subject !== null;
      return {
        personId: face.subject,
        name: known ? (this.names.get(face.subject ?? '') ?? face.subject) : 'Unknown',
        confidence: Math.round((known ? face.similarity : (face.probability ?? 0.9)) * 1000) / 10,
        boundingBox: { top: box.y_min, left: box.x_min, width: box.x_max - box.x_min, height: box.y_max - box.y_min },
        trackId: `TRACK-${this.nextTrack++}`,
      };
    });
    return { status: 200, body: { detections } };
  }
}
