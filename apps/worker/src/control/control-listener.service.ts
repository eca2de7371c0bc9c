import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisService, rootLogger } from '@app/core';
import { parseWorkerCommand, WORKER_CONTROL_CHANNEL, WorkerControlCommand } from '@app/system/workers/worker-heartbeat';
import { HeartbeatService } from '../heartbeat/heartbeat.service';
import { WorkerIdentity } from '../worker-identity';
import { QueueWorkersService } from './queue-workers.service';

/**
 * Obeys commands on the Redis `control` channel ({command:'restart-queues', target?}, and
 * pause-queues / resume-queues). A command with a target runs only on that worker.
 */
@Injectable()
export class ControlListenerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = rootLogger().child({ context: 'Control' });
  private readonly channel: string;
  private connection?: Redis;

  private readonly onMessage = (channel: string, message: string): void => {
    if (channel !== this.channel) return;
    const command = parseWorkerCommand(message);
    if (!command) {
      this.log.warn('ignored malformed control message');
      return;
    }
    if (command.target !== undefined && command.target !== this.identity.id) return;
    void this.execute(command);
  };

  constructor(
    private readonly redis: RedisService,
    private readonly identity: WorkerIdentity,
    private readonly queueWorkers: QueueWorkersService,
    private readonly heartbeat: HeartbeatService,
  ) {
    this.channel = redis.channel(WORKER_CONTROL_CHANNEL);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.connection = this.redis.subscriber();
    this.connection.on('message', this.onMessage);
    // Do not hold startup on Redis: the subscription is made (and re-made) once it is reachable.
    this.connection.subscribe(this.channel).catch((err: unknown) => {
      this.log.warn({ err: (err as Error).message }, 'control channel subscribe failed');
    });
  }

  async execute(command: WorkerControlCommand): Promise<void> {
    this.log.info({ command: command.command, queues: command.queues, requestedBy: command.requestedBy }, 'control command');
    try {
      switch (command.command) {
        case 'restart-queues':
          await this.queueWorkers.restart(command.queues);
          break;
        case 'pause-queues':
          await this.queueWorkers.pause(command.queues);
          break;
        case 'resume-queues':
          await this.queueWorkers.resume(command.queues);
          break;
      }
    } catch (err) {
      this.log.error({ err, command: command.command }, 'control command failed');
    }
    await this.heartbeat.beat();
  }

  onApplicationShutdown(): void {
    this.connection?.off('message', this.onMessage);
  }
}
