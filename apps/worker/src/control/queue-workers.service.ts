import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { WorkerHost } from '@nestjs/bullmq';
import type { Worker } from 'bullmq';
import { EnvDto, rootLogger } from '@app/core';

export interface RestartResult {
  restarted: string[];
  /** Queues whose active jobs had not finished within the time limit (resumed anyway). */
  timedOut: string[];
}

/**
 * The BullMQ workers of this process (one per @Processor class), found through Nest's discovery.
 * Restart = pause (letting active jobs finish, bounded) and resume: the consumer loop, stalled-job
 * checker and lock renewal start afresh.
 */
@Injectable()
export class QueueWorkersService {
  private readonly log = rootLogger().child({ context: 'QueueWorkers' });
  private readonly drainMs: number;
  private chain: Promise<unknown> = Promise.resolve();
  private restartCount = 0;
  private lastRestart: string | null = null;

  constructor(
    private readonly discovery: DiscoveryService,
    env: EnvDto,
  ) {
    this.drainMs = env.WORKER_SHUTDOWN_TIMEOUT_SECONDS * 1000;
  }

  workers(): Worker[] {
    const out: Worker[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!(instance instanceof WorkerHost)) continue;
      try {
        out.push(instance.worker);
      } catch {
        /* not registered yet (before onModuleInit) */
      }
    }
    return out;
  }

  queues(): string[] {
    return [...new Set(this.workers().map((w) => w.name))].sort();
  }

  pausedQueues(): string[] {
    return [
      ...new Set(
        this.workers()
          .filter((w) => w.isPaused() || !w.isRunning())
          .map((w) => w.name),
      ),
    ].sort();
  }

  get restarts(): number {
    return this.restartCount;
  }

  get lastRestartAt(): string | null {
    return this.lastRestart;
  }

  restart(queues?: readonly string[]): Promise<RestartResult> {
    return this.serial(async () => {
      const targets = this.select(queues);
      const timedOut: string[] = [];
      await Promise.all(
        targets.map(async (w) => {
          if (!(await this.pauseBounded(w))) timedOut.push(w.name);
        }),
      );
      await Promise.all(targets.map((w) => w.resume()));
      this.restartCount++;
      this.lastRestart = new Date().toISOString();
      const result = { restarted: targets.map((w) => w.name).sort(), timedOut: timedOut.sort() };
      this.log.info(result, 'queue consumers restarted');
      return result;
    });
  }

  pause(queues?: readonly string[]): Promise<string[]> {
    return this.serial(async () => {
      const targets = this.select(queues);
      await Promise.all(targets.map((w) => this.pauseBounded(w)));
      this.log.info({ queues: targets.map((w) => w.name) }, 'queue consumers paused');
      return targets.map((w) => w.name).sort();
    });
  }

  resume(queues?: readonly string[]): Promise<string[]> {
    return this.serial(async () => {
      const targets = this.select(queues);
      await Promise.all(targets.map((w) => w.resume()));
      this.log.info({ queues: targets.map((w) => w.name) }, 'queue consumers resumed');
      return targets.map((w) => w.name).sort();
    });
  }

  private select(queues?: readonly string[]): Worker[] {
    const all = this.workers();
    return queues && queues.length ? all.filter((w) => queues.includes(w.name)) : all;
  }

  /** Pause, waiting for active jobs up to the drain limit; false when the limit passed first. */
  private async pauseBounded(worker: Worker): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const paused = worker.pause().then(() => true);
    const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), this.drainMs)));
    try {
      return await Promise.race([paused, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
