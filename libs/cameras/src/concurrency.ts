/** Thrown by Limiter.run when no slot frees up within the wait bound. */
export class LimiterBusyError extends Error {
  constructor(readonly waitedMs: number) {
    super(`No free slot within ${waitedMs} ms`);
    this.name = 'LimiterBusyError';
  }
}

/**
 * Bounds how many tasks of one kind run at once in this process (ffmpeg children: CPU and sockets
 * are per-process resources). Callers beyond the bound wait in order, at most `maxWaitMs`.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<{ start: () => void; timer: NodeJS.Timeout }> = [];

  constructor(
    readonly size: number,
    private readonly maxWaitMs: number,
  ) {}

  get running(): number {
    return this.active;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.size) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        start: (): void => {
          clearTimeout(entry.timer);
          resolve();
        },
        timer: setTimeout(() => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new LimiterBusyError(this.maxWaitMs));
        }, this.maxWaitMs),
      };
      this.waiting.push(entry);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter.
    if (next) next.start();
    else this.active--;
  }
}

/** Runs `fn` over `items` with at most `concurrency` in flight; results in input order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}
