import { Injectable } from '@nestjs/common';
import { RedisService } from '@app/core';
import { REDIS_KEYS } from '../detections.constants';

export interface StoredFrame {
  jpeg: Buffer;
  capturedAt: Date;
  seq: number;
}

/**
 * The latest sampled frame of each camera, in Redis: the worker that samples a camera is not
 * necessarily the one BullMQ hands the detection job to. One key per camera, overwritten by each
 * frame (a camera costs one frame of memory), expiring when the sampler stops.
 */
@Injectable()
export class FrameStore {
  constructor(private readonly redis: RedisService) {}

  async save(cameraId: string, frame: StoredFrame, ttlMs: number): Promise<void> {
    const key = REDIS_KEYS.frame(cameraId);
    await this.redis.client
      .multi()
      .hset(key, { jpeg: frame.jpeg, capturedAt: String(frame.capturedAt.getTime()), seq: String(frame.seq) })
      .pexpire(key, Math.max(1000, Math.round(ttlMs)))
      .exec();
  }

  /** The latest frame, or null when none is stored (or Redis is unavailable). */
  async latest(cameraId: string): Promise<StoredFrame | null> {
    try {
      const [jpeg, capturedAt, seq] = await this.redis.client.hmgetBuffer(REDIS_KEYS.frame(cameraId), 'jpeg', 'capturedAt', 'seq');
      if (!jpeg || !capturedAt) return null;
      return { jpeg, capturedAt: new Date(Number(capturedAt.toString())), seq: Number(seq?.toString() ?? 0) };
    } catch {
      return null;
    }
  }

  async remove(cameraId: string): Promise<void> {
    await this.redis.del(REDIS_KEYS.frame(cameraId));
  }
}
