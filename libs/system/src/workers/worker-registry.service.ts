import { Injectable } from '@nestjs/common';
import { RedisService, serviceUnavailable } from '@app/core';
import { WORKER_CONTROL_CHANNEL, WORKER_HEARTBEAT_KEY_PREFIX, WorkerControlCommand, WorkerHeartbeat } from './worker-heartbeat';

/**
 * The api's view of the worker processes: their heartbeats in Redis, and the control channel to
 * ask them to restart (or pause/resume) their queue consumers.
 */
@Injectable()
export class WorkerRegistryService {
  constructor(private readonly redis: RedisService) {}

  /** Live workers (heartbeat younger than its TTL), oldest first. */
  async listWorkers(): Promise<WorkerHeartbeat[]> {
    const client = this.redis.client;
    try {
      // SCAN patterns and results are not touched by ioredis' keyPrefix: add and strip it by hand.
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await client.scan(cursor, 'MATCH', `${this.redis.prefix}${WORKER_HEARTBEAT_KEY_PREFIX}*`, 'COUNT', 200);
        cursor = next;
        keys.push(...batch.map((k) => k.slice(this.redis.prefix.length)));
      } while (cursor !== '0');
      if (keys.length === 0) return [];
      const values = await client.mget(...keys);
      const workers: WorkerHeartbeat[] = [];
      for (const raw of values) {
        if (!raw) continue; // expired between SCAN and MGET
        try {
          workers.push(JSON.parse(raw) as WorkerHeartbeat);
        } catch {
          /* not ours */
        }
      }
      return workers.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
    } catch (err) {
      throw serviceUnavailable('Redis is unavailable: cannot list workers', { reason: (err as Error).message });
    }
  }

  /**
   * Ask workers to restart their queue consumers (all workers, or `target` only). Resolves with how
   * many processes received the command (0 = no worker listening).
   */
  async sendCommand(command: WorkerControlCommand): Promise<number> {
    try {
      return await this.redis.client.publish(this.redis.channel(WORKER_CONTROL_CHANNEL), JSON.stringify(command));
    } catch (err) {
      throw serviceUnavailable('Redis is unavailable: cannot reach workers', { reason: (err as Error).message });
    }
  }

  restartQueues(target?: string, requestedBy?: string): Promise<number> {
    return this.sendCommand({
      command: 'restart-queues',
      ...(target ? { target } : {}),
      ...(requestedBy ? { requestedBy } : {}),
    });
  }
}
