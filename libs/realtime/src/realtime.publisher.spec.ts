import { describe, expect, it } from '@jest/globals';
import type { RedisService } from '@app/core';
import { detectionEvent } from './realtime.events';
import { RealtimePublisher } from './realtime.publisher';

function fakeRedis(publish: (channel: string, message: string) => Promise<number>): RedisService {
  return { channel: (name: string) => `p:${name}`, client: { publish } } as unknown as RedisService;
}

describe('RealtimePublisher', () => {
  it('publishes the event as JSON on the prefixed realtime channel', async () => {
    const calls: Array<[string, string]> = [];
    const publisher = new RealtimePublisher(
      fakeRedis(async (channel, message) => {
        calls.push([channel, message]);
        return 1;
      }),
    );
    const event = detectionEvent('CAM-01', { id: 'd1' });
    expect(await publisher.publish(event)).toBe(true);
    expect(calls).toEqual([['p:realtime', JSON.stringify(event)]]);
  });

  it('resolves false instead of throwing when Redis is unreachable', async () => {
    const publisher = new RealtimePublisher(
      fakeRedis(async () => {
        throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
      }),
    );
    await expect(publisher.publish(detectionEvent('CAM-01', { id: 'd1' }))).resolves.toBe(false);
  });
});
