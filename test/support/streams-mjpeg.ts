import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { extname } from 'node:path';
import { JpegSplitter } from '@app/cameras/stream';
import { defaultTestVideo } from './streams-video';

export interface MjpegServerOptions {
  /** Frames per second served. Default 5. */
  fps?: number;
  /** Video or image to take frames from. Default: the shared test video. */
  source?: string;
  /** Seconds of the source turned into frames (served in a loop). Default 2. */
  seconds?: number;
  /** Scale frames to this width. */
  width?: number;
  /** Path of the stream. Default `/video.mjpg`; anything else answers 404. */
  path?: string;
  /** Require HTTP Basic authentication. */
  username?: string;
  password?: string;
}

export interface MjpegServer {
  /** Stream URL (with credentials when authentication is on). */
  url: string;
  port: number;
  /** Number of distinct JPEG frames served in a loop. */
  frameCount: number;
  /** Frames written so far, over all clients. */
  framesSent(): number;
  stop(): Promise<void>;
}

const BOUNDARY = 'frame';
const running = new Set<MjpegServer>();
const IMAGE = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.webp']);

export async function stopAllMjpegServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}

/** Decodes `seconds` of a source into JPEG frames once (ffmpeg), kept in memory. */
export function extractJpegFrames(source: string, fps: number, seconds: number, width?: number): Promise<Buffer[]> {
  const input = IMAGE.has(extname(source).toLowerCase()) ? ['-loop', '1', '-framerate', String(fps), '-i', source] : ['-i', source];
  const filters = [`fps=${fps}`, ...(width ? [`scale=${width}:-2`] : [])];
  return new Promise<Buffer[]>((resolve, reject) => {
    execFile(
      'ffmpeg',
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        ...input,
        '-t',
        String(seconds),
        '-vf',
        filters.join(','),
        '-q:v',
        '5',
        '-f',
        'image2pipe',
        '-vcodec',
        'mjpeg',
        'pipe:1',
      ],
      { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`extracting frames failed: ${stderr.toString('utf8').trim() || error.message}`));
        const frames = new JpegSplitter().push(stdout);
        if (frames.length === 0) return reject(new Error('extracting frames gave no JPEG'));
        resolve(frames);
      },
    );
  });
}

/**
 * An HTTP server in this process that serves `multipart/x-mixed-replace` MJPEG, as cheap IP cameras
 * do, at `fps` from frames decoded once.
 */
export async function startMjpegServer(options: MjpegServerOptions = {}): Promise<MjpegServer> {
  const fps = options.fps ?? 5;
  const path = options.path ?? '/video.mjpg';
  const source = options.source ?? (await defaultTestVideo());
  const frames = await extractJpegFrames(source, fps, options.seconds ?? 2, options.width);
  const expectedAuth =
    options.username !== undefined ? `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}` : null;
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let sent = 0;

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const requestPath = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (requestPath !== path) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    if (expectedAuth && request.headers.authorization !== expectedAuth) {
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="camera"', 'Content-Type': 'text/plain' }).end('unauthorized');
      return;
    }
    response.writeHead(200, {
      'Content-Type': `multipart/x-mixed-replace;boundary=${BOUNDARY}`,
      'Cache-Control': 'no-cache',
      Connection: 'close',
    });
    let index = 0;
    const writeFrame = (): void => {
      const jpeg = frames[index % frames.length];
      index += 1;
      sent += 1;
      response.write(`--${BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
      response.write(jpeg);
      response.write('\r\n');
    };
    writeFrame();
    const timer = setInterval(writeFrame, Math.round(1000 / fps));
    timers.add(timer);
    const cleanup = (): void => {
      clearInterval(timer);
      timers.delete(timer);
    };
    response.on('close', cleanup);
    request.on('close', cleanup);
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const credentials =
    options.username !== undefined ? `${encodeURIComponent(options.username)}:${encodeURIComponent(options.password ?? '')}@` : '';

  let stopping: Promise<void> | null = null;
  const handleOut: MjpegServer = {
    url: `http://${credentials}127.0.0.1:${port}${path}`,
    port,
    frameCount: frames.length,
    framesSent: () => sent,
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        timers.clear();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }).then(() => {
        running.delete(handleOut);
      });
      return stopping;
    },
  };
  running.add(handleOut);
  return handleOut;
}
