import { createServer, type Socket } from 'node:net';
import { freeTcpPort } from './streams-process';

export interface SilentServer {
  host: string;
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  stop(): Promise<void>;
}

const running = new Set<SilentServer>();

export async function stopAllSilentServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}

/**
 * A TCP server that accepts connections and never sends a byte: a camera that hangs. Point any
 * URL at it (`rtsp://127.0.0.1:<port>/x`, `http://...`, `tcp://...`).
 */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    // Read and discard whatever the client says; answer nothing.
    socket.resume();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let stopping: Promise<void> | null = null;
  const silent: SilentServer = {
    host: '127.0.0.1',
    port,
    connections: () => accepted,
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }).then(() => {
        running.delete(silent);
      });
      return stopping;
    },
  };
  running.add(silent);
  return silent;
}

/** A TCP port on 127.0.0.1 with nothing listening (connections are refused). */
export function refusedPort(): Promise<number> {
  return freeTcpPort();
}
