import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnvDto, rootLogger } from '@app/core';
import { ApiMetricsService } from './api-metrics.service';
import { metricsTokenAccepted } from './metrics-auth';

/**
 * With METRICS_PORT > 0 the api also serves `GET /metrics` on that internal port (bound to
 * METRICS_HOST), for a Prometheus scraper that holds no user token; METRICS_TOKEN, when set, is
 * required as a bearer. `GET /api/v1/metrics` (permission system:read) works either way.
 */
@Injectable()
export class MetricsServerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = rootLogger().child({ context: 'MetricsServer' });
  private server?: Server;

  constructor(
    private readonly env: EnvDto,
    private readonly metrics: ApiMetricsService,
  ) {}

  get port(): number | null {
    const a = this.server?.address();
    return a && typeof a === 'object' ? (a as AddressInfo).port : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.env.METRICS_PORT) return;
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' || path !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      if (!metricsTokenAccepted(req.headers.authorization, this.env.METRICS_TOKEN)) {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('unauthorized\n');
        return;
      }
      this.metrics
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': this.metrics.contentType, 'cache-control': 'no-store' }).end(text))
        .catch((err: unknown) => {
          this.log.error({ err }, 'metrics rendering failed');
          res.writeHead(500, { 'content-type': 'text/plain' }).end('error\n');
        });
    });
    server.keepAliveTimeout = 5000;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.env.METRICS_PORT, this.env.METRICS_HOST, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      // e.g. a second api process on the same host: the API itself must still start
      // (its metrics stay available at GET /api/v1/metrics).
      this.log.error({ err: (err as Error).message, port: this.env.METRICS_PORT }, 'metrics listener not started');
      return;
    }
    this.server = server;
    this.log.info({ port: this.port, host: this.env.METRICS_HOST }, 'metrics endpoint listening');
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
