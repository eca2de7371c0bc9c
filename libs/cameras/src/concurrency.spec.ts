import { describe, expect, it } from '@jest/globals';
import { Limiter, LimiterBusyError, mapWithConcurrency } from './concurrency';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('Limiter', () => {
  it('runs at most `size` tasks at once, the rest in order', async () => {
    const limiter = new Limiter(2, 5000);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        limiter.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await sleep(20);
          order.push(i);
          running--;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(limiter.running).toBe(0);
  });

  it('gives up waiting after maxWaitMs and frees the slot of a failed task', async () => {
    const limiter = new Limiter(1, 30);
    const long = limiter.run(() => sleep(100));
    await expect(limiter.run(async () => 'late')).rejects.toBeInstanceOf(LimiterBusyError);
    await long;
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(async () => 'ok')).resolves.toBe('ok');
  });
});

describe('mapWithConcurrency', () => {
  it('keeps input order and the bound', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapWithConcurrency([5, 1, 4, 2, 3], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(n * 5);
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(3);
    expect(await mapWithConcurrency([], 4, async () => 1)).toEqual([]);
  });
});
