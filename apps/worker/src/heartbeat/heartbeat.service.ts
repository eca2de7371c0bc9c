import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { EnvDto, RedisService, rootLogger } from '@app/core';
import {
  WORKER_HEARTBEAT_INTERVAL_MS,
  WORKER_HEARTBEAT_TTL_SECONDS,
  WorkerHeartbeat,
  workerHeartbeatKey,
} from '@app/system/workers/worker-heartbeat';
import { QueueWorkersService } from '../control/queue-workers.service';
import { WorkerIdentity } from '../worker-identity';

/**
 * Every 5 s writes `worker:heartbeat:<host>:<pid>` (TTL 15 s) so the api can list live workers.
 * Removed on shutdown; a crashed worker disappears when the key expires.
 */
@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = rootLogger().child({ context: 'Heartbeat' });
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly redis: RedisService,
    private readonly identity: WorkerIdentity,
    private readonly queueWorkers: QueueWorkersService,
    private readonly env: EnvDto,
  ) {}

  onApplicationBootstrap(): void {
    // the shared client fails fast until connected: beat as soon as it is
    if (this.redis.ready) void this.beat();
    else this.redis.client.once('ready', () => void this.beat());
    this.timer = setInterval(() => void this.beat(), WORKER_HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  snapshot(): WorkerHeartbeat {
    const { id, host, pid, startedAt, version } = this.identity;
    return {
      id,
      host,
      pid,
      startedAt,
      version,
      commit: this.env.GIT_COMMIT ?? null,
      queues: this.queueWorkers.queues(),
      pausedQueues: this.queueWorkers.pausedQueues(),
      lastBeatAt: new Date().toISOString(),
      lastRestartAt: this.queueWorkers.lastRestartAt,
      restarts: this.queueWorkers.restarts,
    };
  }

  /** Write the heartbeat now (also after a control command, so the api sees the change at once). */
  async beat(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.redis.client.set(
        workerHeartbeatKey(this.identity.id),
        JSON.stringify(this.snapshot()),
        'EX',
        WORKER_HEARTBEAT_TTL_SECONDS,
      );
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'heartbeat not written');
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    try {
      await this.redis.client.del(workerHeartbeatKey(this.identity.id));
    } catch {
      /* expires on its own */
    }
  }
}
