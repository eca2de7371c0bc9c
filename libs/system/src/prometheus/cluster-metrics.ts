import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * Prometheus metrics when API_WORKERS > 1 runs several api processes behind one port (node cluster):
 * a scrape lands on any one of them, so each answers with the metrics of all of them, aggregated by
 * the cluster primary (prom-client's AggregatorRegistry: counters and histograms summed; gauges that
 * every process reads from the same shared source use `aggregator: 'max'`).
 */
const REQUEST = 'cctv:cluster-metrics-request';
const RESPONSE = 'cctv:cluster-metrics-response';

interface Message {
  type?: unknown;
  id?: string;
  text?: string;
  error?: string;
}

/** True in an api process forked by the cluster primary. */
export function inClusterWorker(): boolean {
  return cluster.isWorker && typeof process.send === 'function';
}

/** Worker side: lets the primary collect `registry` (prom-client answers its requests). */
export function exposeToClusterPrimary(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // installs prom-client's worker-side listener
}

/** Worker side: the metrics of every api process of this host, from the primary. */
export function clusterMetrics(timeoutMs = 6000): Promise<string> {
  return new Promise((resolve, reject) => {
    const id = randomUUID();
    const onMessage = (m: Message): void => {
      if (m?.type !== RESPONSE || m.id !== id) return;
      cleanup();
      if (m.error !== undefined) reject(new Error(`cluster metrics: ${m.error}`));
      else resolve(m.text ?? '');
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error('cluster metrics: the primary did not answer'));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      process.off('message', onMessage);
    };
    process.on('message', onMessage);
    process.send?.({ type: REQUEST, id });
  });
}

/** Primary side: answers the workers' clusterMetrics() requests. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, m: Message) => {
    if (m?.type !== REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.isConnected() && worker.send({ type: RESPONSE, id: m.id, text }),
      (err: Error) => worker.isConnected() && worker.send({ type: RESPONSE, id: m.id, error: err.message }),
    );
  });
}
