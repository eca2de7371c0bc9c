import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnvDto, RedisService, rootLogger } from '@app/core';
import { metricsTokenAccepted } from '@app/system/prometheus/metrics-auth';
import { QueueWorkersService } from '../control/queue-workers.service';
import { JobMetricsService } from '../metrics/job-metrics.service';
import { WorkerIdentity } from '../worker-identity';

/**
 * Optional internal health endpoint (WORKER_HEALTH_PORT, 0 = off): `GET /health` answers 200 when
 * Redis is reachable, 503 otherwise, with the worker's queues. For container probes; not public.
 * `GET /metrics`: the worker's Prometheus metrics (jobs, durations, failures; METRICS_TOKEN bearer when set).
 */
@Injectable()
export class HealthServerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = rootLogger().child({ context: 'WorkerHealth' });
  private server?: Server;

  constructor(
    private readonly env: EnvDto,
    private readonly redis: RedisService,
    private readonly identity: WorkerIdentity,
    private readonly queueWorkers: QueueWorkersService,
    private readonly jobMetrics: JobMetricsService,
  ) {}

  /** The bound port, once listening (null when disabled). */
  get port(): number | null {
    const address = this.server?.address();
    return address && typeof address === 'object' ? (address as AddressInfo).port : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.env.WORKER_HEALTH_PORT) return;
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.env.WORKER_HEALTH_PORT, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.log.info({ port: this.port }, 'worker health endpoint listening');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      if (!metricsTokenAccepted(req.headers.authorization, this.env.METRICS_TOKEN)) {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('unauthorized\n');
        return;
      }
      try {
        const text = await this.jobMetrics.metrics();
        res.writeHead(200, { 'content-type': this.jobMetrics.registry.contentType, 'cache-control': 'no-store' }).end(text);
      } catch (err) {
        this.log.error({ err }, 'metrics rendering failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('error\n');
      }
      return;
    }
    if (req.method !== 'GET' || path !== '/health') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"status":"not-found"}');
      return;
    }
    const redisUp = await this.redis.ping(1000);
    const body = {
      status: redisUp ? 'ok' : 'degraded',
      id: this.identity.id,
      startedAt: this.identity.startedAt,
      version: this.identity.version,
      redis: redisUp ? 'up' : 'down',
      queues: this.queueWorkers.queues(),
      pausedQueues: this.queueWorkers.pausedQueues(),
    };
    res.writeHead(redisUp ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
