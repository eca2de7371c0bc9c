import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { startProcess } from './streams-process';
import { defaultTestVideo } from './streams-video';

const run = promisify(execFile);

export interface TestStream {
  url: string;
  stop(): Promise<void>;
}

const running = new Set<TestStream>();

export async function stopAllHlsAndSocketStreams(): Promise<void> {
  await Promise.all([...running].map((stream) => stream.stop()));
}

/**
 * An HLS (VOD) playlist of a video, cut into 1 s segments once with ffmpeg and served by an HTTP
 * server in this process: the `.m3u8` form of an 'HTTP' camera.
 */
export async function startHlsServer(options: { video?: string } = {}): Promise<TestStream> {
  const video = options.video ?? (await defaultTestVideo());
  const dir = mkdtempSync(join(tmpdir(), 'stream-hls-'));
  try {
    await run(
      'ffmpeg',
      [
        ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', video, '-map', '0:v:0', '-c', 'copy'],
        ...['-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', '-hls_playlist_type', 'vod', join(dir, 'index.m3u8')],
      ],
      { timeout: 60_000 },
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    // Only plain file names from this directory.
    const name = basename(new URL(request.url ?? '/', 'http://localhost').pathname);
    try {
      const body = readFileSync(join(dir, name));
      const type = name.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t';
      response.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
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
  let stopping: Promise<void> | null = null;
  const stream: TestStream = {
    url: `http://127.0.0.1:${port}/index.m3u8`,
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }).then(() => {
        rmSync(dir, { recursive: true, force: true });
        running.delete(stream);
      });
      return stopping;
    },
  };
  running.add(stream);
  return stream;
}

/**
 * An ffmpeg publisher sending a video as MPEG-TS to udp://127.0.0.1:<port>, looped in real time:
 * a 'Socket' camera (the reader binds the port).
 */
export async function startUdpTsStream(options: { video?: string } = {}): Promise<TestStream> {
  const video = options.video ?? (await defaultTestVideo());
  const port = await freeUdpPort();
  const publisher = startProcess('ffmpeg udp publisher', 'ffmpeg', [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
    ...['-re', '-stream_loop', '-1', '-i', video],
    ...['-map', '0:v:0', '-c', 'copy', '-f', 'mpegts', `udp://127.0.0.1:${port}?pkt_size=1316`],
  ]);
  let stopping: Promise<void> | null = null;
  const stream: TestStream = {
    url: `udp://127.0.0.1:${port}`,
    stop: () => {
      stopping ??= publisher.stop().then(() => {
        running.delete(stream);
      });
      return stopping;
    },
  };
  running.add(stream);
  return stream;
}

async function freeUdpPort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
