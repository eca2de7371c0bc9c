import { spawn, type ChildProcess } from 'node:child_process';
import { killAndWait, trackChild } from './child-registry';
import { buildInput } from './ffmpeg-args';
import { JpegSplitter } from './jpeg-splitter';
import { classifyFfmpegError } from './stream-error';
import { redactSecrets, validateStreamUrl, type StreamSource } from './stream-url';

export interface SampledFrame {
  jpeg: Buffer;
  capturedAt: Date;
  /** 1 for the first frame of this sampler, then increasing (across restarts). */
  seq: number;
}

export type FrameSamplerState = 'idle' | 'starting' | 'running' | 'backoff' | 'stopped';

export type SpawnProcess = (command: string, args: string[]) => ChildProcess;

export interface FrameSamplerOptions {
  source: StreamSource;
  ffmpegPath?: string;
  /** Keep at most one frame per interval. Default 2000 ms. */
  intervalMs?: number;
  /**
   * Decode keyframes only (`-skip_frame nokey`): a fraction of the CPU of a full decode, at the price
   * of frames no more often than the camera's GOP. Default true.
   */
  keyframesOnly?: boolean;
  /** Downscale wider frames to this width. */
  maxWidth?: number;
  /** JPEG quality as `-q:v`, 2 (best) to 31. Default 4. */
  quality?: number;
  /** `-analyzeduration` for network sources, microseconds. Default 0.3 s (a faster first frame). */
  analyzeDurationUs?: number;
  /** ffmpeg socket timeout. Default 5000 ms. */
  socketTimeoutMs?: number;
  /** Restart the decoder when no frame came for this long. Default max(20 s, 3 intervals). */
  stallTimeoutMs?: number;
  /** Delay before the first restart, doubled per failed attempt up to `maxBackoffMs`. Default 1000. */
  initialBackoffMs?: number;
  /** Default 30000. */
  maxBackoffMs?: number;
  /** Called with each frame kept. */
  onFrame?: (frame: SampledFrame) => void;
  /** Called when the decoder exits or stalls, with a message free of secrets. */
  onError?: (message: string) => void;
  /** Told about each ffmpeg started (tests, metrics). */
  onSpawn?: (pid: number) => void;
  /** Replaces `child_process.spawn` (unit tests). */
  spawnProcess?: SpawnProcess;
}

export interface FrameSamplerStats {
  state: FrameSamplerState;
  frames: number;
  /** Decoder (re)starts after the first. */
  restarts: number;
  /** Time from the last (re)start to its first frame, ms; null before it. */
  firstFrameMs: number | null;
  lastError: string | null;
  pid: number | null;
}

const MAX_STDERR = 4096;

/**
 * One long-lived ffmpeg decoder per camera that writes a JPEG to its stdout every `intervalMs`,
 * keeping only the latest. One spawn per camera instead of one per snapshot is what makes many
 * cameras at one frame per two seconds affordable. On exit or stall it restarts with exponential
 * backoff, until `stop()`.
 */
export class FrameSampler {
  private readonly source: StreamSource;
  private readonly ffmpegPath: string;
  private readonly intervalMs: number;
  private readonly stallTimeoutMs: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly spawnProcess: SpawnProcess;
  private child: ChildProcess | null = null;
  private current: SampledFrame | null = null;
  private status: FrameSamplerState = 'idle';
  private frames = 0;
  private restarts = 0;
  private failures = 0;
  private firstFrameMs: number | null = null;
  private lastError: string | null = null;
  private startedAt = 0;
  private lastFrameAt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  private waiters = new Set<() => void>();

  constructor(private readonly options: FrameSamplerOptions) {
    const invalid = validateStreamUrl(options.source.type, options.source.url);
    if (invalid) throw new Error(invalid);
    this.source = options.source;
    this.ffmpegPath = options.ffmpegPath ?? 'ffmpeg';
    this.intervalMs = Math.max(100, options.intervalMs ?? 2000);
    this.stallTimeoutMs = options.stallTimeoutMs ?? Math.max(20_000, 3 * this.intervalMs);
    this.initialBackoffMs = options.initialBackoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.spawnProcess = options.spawnProcess ?? ((command, args) => spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  get state(): FrameSamplerState {
    return this.status;
  }

  /** The most recent frame, or null before the first. */
  latest(): SampledFrame | null {
    return this.current;
  }

  stats(): FrameSamplerStats {
    return {
      state: this.status,
      frames: this.frames,
      restarts: this.restarts,
      firstFrameMs: this.firstFrameMs,
      lastError: this.lastError,
      pid: this.child?.pid ?? null,
    };
  }

  /** The ffmpeg arguments this sampler runs (the URL is in them: do not log them unmasked). */
  buildArgs(): string[] {
    const { options: input, input: url } = buildInput(this.source, {
      socketTimeoutMs: this.options.socketTimeoutMs ?? 5000,
      analyzeDurationUs: this.options.analyzeDurationUs ?? 300_000,
      probeSize: 1_000_000,
      keyframesOnly: this.options.keyframesOnly ?? true,
      liveFile: true,
      // MJPEG over HTTP has no timestamps: the selection below needs real time.
      wallclock: this.source.type === 'HTTP' && !/\.m3u8(?:[?#]|$)/i.test(this.source.url),
    });
    // 10% of slack: keyframes 1 s apart with a little timestamp jitter must give one frame per 2 s,
    // not one per 3 s.
    const seconds = ((this.intervalMs * 0.9) / 1000).toFixed(3);
    // The first frame at once, then one per interval, never a duplicate (unlike the fps filter).
    const filters = [`select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${seconds})'`];
    if (this.options.maxWidth) filters.push(`scale='min(iw,${Math.round(this.options.maxWidth)})':-2`);
    const quality = Math.min(31, Math.max(2, Math.round(this.options.quality ?? 4)));
    return [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      ...input,
      '-i',
      url,
      '-map',
      '0:v:0',
      '-an',
      '-sn',
      '-dn',
      '-vf',
      filters.join(','),
      '-fps_mode',
      'passthrough',
      // A frame-threaded MJPEG encoder holds each JPEG back until the next frame (an interval).
      '-threads',
      '1',
      '-q:v',
      String(quality),
      // Without this the pipe holds frames until 32 KB accumulate.
      '-flush_packets',
      '1',
      '-f',
      'image2pipe',
      '-vcodec',
      'mjpeg',
      'pipe:1',
    ];
  }

  /** Starts the decoder (no-op when running). */
  start(): void {
    if (this.status === 'starting' || this.status === 'running' || this.status === 'backoff') return;
    this.status = 'starting';
    this.launch();
    this.stallTimer = setInterval(() => this.checkStall(), Math.min(1000, this.stallTimeoutMs));
    this.stallTimer.unref();
  }

  /** Kills the decoder and waits for it to exit. The last frame stays readable. */
  async stop(): Promise<void> {
    this.status = 'stopped';
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.restartTimer = null;
    this.stallTimer = null;
    const child = this.child;
    this.child = null;
    if (child) await killAndWait(child);
    for (const wake of this.waiters) wake();
  }

  /**
   * Resolves with the first frame newer than `afterSeq` (default: any frame), or rejects after
   * `timeoutMs` or when the sampler is stopped.
   */
  waitForFrame(timeoutMs: number, afterSeq = 0): Promise<SampledFrame> {
    return new Promise<SampledFrame>((resolve, reject) => {
      const check = (): boolean => {
        if (this.current && this.current.seq > afterSeq) {
          done();
          resolve(this.current);
          return true;
        }
        if (this.status === 'stopped') {
          done();
          reject(new Error(`Sampler stopped before a frame came${this.lastError ? `: ${this.lastError}` : ''}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`No frame within ${timeoutMs} ms${this.lastError ? `: ${this.lastError}` : ''}`));
      }, timeoutMs);
      const wake = (): void => void check();
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      if (!check()) this.waiters.add(wake);
    });
  }

  private launch(): void {
    this.startedAt = performance.now();
    this.lastFrameAt = this.startedAt;
    this.firstFrameMs = null;
    const splitter = new JpegSplitter();
    let stderr = '';
    let child: ChildProcess;
    try {
      child = this.spawnProcess(this.ffmpegPath, this.buildArgs());
    } catch (error) {
      this.onExit(`ffmpeg could not be started: ${(error as Error).message}`);
      return;
    }
    this.child = child;
    trackChild(child);
    if (child.pid !== undefined) this.options.onSpawn?.(child.pid);

    child.stdout?.on('data', (chunk: Buffer) => {
      if (this.child !== child) return;
      for (const jpeg of splitter.push(chunk)) this.accept(jpeg);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-MAX_STDERR);
    });
    let spawnError: string | null = null;
    child.once('error', (error) => {
      spawnError = `ffmpeg could not be started: ${error.message}`;
    });
    child.once('close', (code, signal) => {
      if (this.child !== child) return;
      this.child = null;
      const reason =
        spawnError ??
        (stderr.trim() ? classifyFfmpegError(stderr, this.source.url).message : `ffmpeg exited (${signal ?? `code ${String(code)}`})`);
      this.onExit(reason);
    });
  }

  private accept(jpeg: Buffer): void {
    const now = performance.now();
    if (this.firstFrameMs === null) this.firstFrameMs = Math.round(now - this.startedAt);
    this.lastFrameAt = now;
    this.failures = 0;
    this.frames += 1;
    this.status = 'running';
    this.current = { jpeg, capturedAt: new Date(), seq: this.frames };
    this.options.onFrame?.(this.current);
    for (const wake of this.waiters) wake();
  }

  private onExit(reason: string): void {
    if (this.status === 'stopped') return;
    this.lastError = redactSecrets(reason, this.source.url);
    this.options.onError?.(this.lastError);
    const delay = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** this.failures);
    this.failures += 1;
    this.status = 'backoff';
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.status !== 'backoff') return;
      this.restarts += 1;
      this.status = 'starting';
      this.launch();
    }, delay);
  }

  private checkStall(): void {
    if (!this.child || this.status === 'stopped' || this.status === 'backoff') return;
    const silentMs = performance.now() - this.lastFrameAt;
    if (silentMs < this.stallTimeoutMs) return;
    const child = this.child;
    this.child = null;
    child.kill('SIGKILL');
    this.onExit(`No frame for ${Math.round(silentMs)} ms; restarting the decoder`);
  }
}
