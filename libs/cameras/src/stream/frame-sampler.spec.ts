import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from '@jest/globals';
import { FrameSampler, type FrameSamplerOptions } from './frame-sampler';

/** Stands in for an ffmpeg child: tests write JPEG bytes to stdout and end it at will. */
class FakeChild extends EventEmitter {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly pid = undefined;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  killedWith: string | null = null;

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    this.killedWith = signal;
    this.finish(null, signal);
    return true;
  }

  finish(code: number | null, signal: NodeJS.Signals | null = null, stderr = ''): void {
    if (this.exitCode !== null || this.signalCode !== null) return;
    if (stderr) this.stderr.write(stderr);
    this.exitCode = code;
    this.signalCode = signal;
    this.emit('exit', code, signal);
    // Let stderr data flow before 'close', as with a real child.
    setImmediate(() => this.emit('close', code, signal));
  }
}

const jpeg = (id: number): Buffer => Buffer.from([0xff, 0xd8, id, id, id, 0xff, 0xd9]);
const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const samplers: FrameSampler[] = [];
function makeSampler(overrides: Partial<FrameSamplerOptions> = {}): { sampler: FrameSampler; children: FakeChild[]; calls: string[][] } {
  const children: FakeChild[] = [];
  const calls: string[][] = [];
  const sampler = new FrameSampler({
    source: { type: 'RTSP', url: 'rtsp://admin:TopSecret9@10.0.0.5/stream' },
    initialBackoffMs: 20,
    maxBackoffMs: 80,
    spawnProcess: (_command, args) => {
      const child = new FakeChild();
      children.push(child);
      calls.push(args);
      return child as unknown as ChildProcess;
    },
    ...overrides,
  });
  samplers.push(sampler);
  return { sampler, children, calls };
}

afterEach(async () => {
  await Promise.all(samplers.splice(0).map((sampler) => sampler.stop()));
});

describe('FrameSampler', () => {
  it('builds one long-lived decoder: keyframes, one frame per interval, JPEG to a pipe', () => {
    const { sampler } = makeSampler({ intervalMs: 2000, maxWidth: 640 });
    const args = sampler.buildArgs();
    expect(args).toEqual(
      expect.arrayContaining(['-skip_frame', 'nokey', '-rtsp_transport', 'tcp', '-f', 'image2pipe', '-vcodec', 'mjpeg', 'pipe:1']),
    );
    const filter = args[args.indexOf('-vf') + 1];
    expect(filter).toContain('gte(t-prev_selected_t\\,1.800)');
    expect(filter).toContain("scale='min(iw,640)':-2");
  });

  it('keeps only the latest frame, from chunks cut anywhere', async () => {
    const { sampler, children } = makeSampler();
    const seen: number[] = [];
    sampler.start();
    const stream = Buffer.concat([jpeg(1), jpeg(2), jpeg(3)]);
    children[0].stdout.write(stream.subarray(0, 4));
    children[0].stdout.write(stream.subarray(4, 17));
    await tick();
    expect(sampler.latest()?.jpeg).toEqual(jpeg(2));
    children[0].stdout.write(stream.subarray(17));
    const frame = await sampler.waitForFrame(1000, 2);
    seen.push(frame.seq);
    expect(frame.jpeg).toEqual(jpeg(3));
    expect(frame.capturedAt).toBeInstanceOf(Date);
    expect(seen).toEqual([3]);
    expect(sampler.stats()).toMatchObject({ state: 'running', frames: 3, restarts: 0 });
    expect(sampler.stats().firstFrameMs).not.toBeNull();
  });

  it('restarts with growing backoff when ffmpeg exits, and masks the error', async () => {
    const errors: string[] = [];
    const { sampler, children } = makeSampler({ onError: (message) => errors.push(message) });
    sampler.start();
    const t0 = Date.now();
    children[0].finish(1, null, 'rtsp://admin:TopSecret9@10.0.0.5/stream: Connection refused\n');
    await tick(5);
    expect(sampler.state).toBe('backoff');
    while (children.length < 2) await tick(5);
    children[1].finish(1, null, 'Connection refused\n');
    while (children.length < 3) await tick(5);
    // 20 ms then 40 ms.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
    expect(sampler.stats().restarts).toBe(2);
    expect(errors[0]).toMatch(/Connection refused/);
    expect(errors.join('\n')).not.toContain('TopSecret9');
    // A frame resets the backoff.
    children[2].stdout.write(jpeg(9));
    await sampler.waitForFrame(1000);
    expect(sampler.state).toBe('running');
  });

  it('kills and restarts a decoder that stalls', async () => {
    const { sampler, children } = makeSampler({ stallTimeoutMs: 50 });
    sampler.start();
    while (children.length < 2) await tick(10);
    expect(children[0].killedWith).toBe('SIGKILL');
    expect(sampler.stats().lastError).toMatch(/No frame for/);
  });

  it('stop() kills the decoder, cancels restarts and wakes waiters', async () => {
    const { sampler, children } = makeSampler();
    sampler.start();
    const waiting = sampler.waitForFrame(5000);
    await sampler.stop();
    await expect(waiting).rejects.toThrow(/stopped/);
    expect(children[0].killedWith).toBe('SIGKILL');
    await tick(60);
    expect(children).toHaveLength(1);
    expect(sampler.state).toBe('stopped');
  });

  it('refuses an invalid source', () => {
    expect(() => new FrameSampler({ source: { type: 'USB', url: '/etc/passwd' } })).toThrow(/V4L2/);
  });
});
