#!/usr/bin/env node
// Local S3 server for development (no MinIO on this machine): @20minutes/s3rver, which checks SigV4
// signatures like real S3. Access key and secret are both S3RVER (the EnvDto defaults).
//   S3_LOCAL_PORT (default 9000), S3_LOCAL_DIR (default .local/s3), S3_BUCKET (default face-attendance-bucket),
//   S3_LOCAL_ADDRESS (default 127.0.0.1)
// Stops on SIGTERM / SIGINT.
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const S3rver = require('@20minutes/s3rver');

const port = Number(process.env.S3_LOCAL_PORT ?? 9000);
const address = process.env.S3_LOCAL_ADDRESS ?? '127.0.0.1';
const directory = resolve(process.env.S3_LOCAL_DIR ?? '.local/s3');
const bucket = process.env.S3_BUCKET || 'face-attendance-bucket';

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`s3-local: invalid S3_LOCAL_PORT ${process.env.S3_LOCAL_PORT}`);
  process.exit(2);
}

await mkdir(directory, { recursive: true });
const server = new S3rver({ address, port, directory, silent: true, configureBuckets: [{ name: bucket }] });

let info;
try {
  info = await server.run();
} catch (err) {
  console.error(`s3-local: cannot listen on ${address}:${port}: ${err.message}`);
  process.exit(1);
}
console.log(
  JSON.stringify({ msg: 's3-local ready', endpoint: `http://${address}:${info.port}`, bucket, directory, pid: process.pid }),
);

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  server.httpServer?.closeAllConnections();
  await server.close().catch(() => undefined);
  console.log(JSON.stringify({ msg: 's3-local stopped', signal }));
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
