import { spawn, type ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { trackChild } from './child-registry';
import { buildInput, isLiveSource, type InputArgsOptions } from './ffmpeg-args';
import { summarizeProbe, type FfprobeOutput, type ProbeResult } from './probe-result';
import { classifyFfmpegError, refineTimeout, StreamError, type ClassifiedError, type StreamErrorCode } from './stream-error';
import { redactSecrets, validateStreamUrl, type StreamSource } from './stream-url';

export type FfmpegTool = 'ffmpeg' | 'ffprobe';

export interface FfmpegClientOptions {
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Socket I/O timeout passed to ffmpeg (`-timeout` / `-rw_timeout`). Default 5000 ms. */
  socketTimeoutMs?: number;
  /** Overall bound of a probe, after which the child is SIGKILLed. Default 15000 ms. */
  probeTimeoutMs?: number;
  /** Overall bound of a frame grab. Default 10000 ms. */
  grabTimeoutMs?: number;
  /** How long a live stream is read to measure bit rate and fps. Default 2000 ms. */
  bitrateWindowMs?: number;
  /** `-analyzeduration` of a probe for network sources, microseconds. Default 1 s (accurate fps). */
  analyzeDurationUs?: number;
  /**
   * `-analyzeduration` of a frame grab: shorter, as a snapshot needs no stream statistics. Default
   * 0.3 s (measured: a 1080p RTSP grab in ~1.0 s instead of 1.4-2.0 s with 1 s).
   */
  grabAnalyzeDurationUs?: number;
  /** `-probesize` for network sources, bytes. Default 1 MB. */
  probeSize?: number;
  /** Told about every child started (tests use it to check that none is left behind). */
  onSpawn?: (pid: number, tool: FfmpegTool) => void;
}

export interface ProbeOptions {
  timeoutMs?: number;
  socketTimeoutMs?: number;
  /** Live sources: how long to read packets for bit rate and fps. */
  windowMs?: number;
  signal?: AbortSignal;
}

export interface GrabOptions {
  timeoutMs?: number;
  socketTimeoutMs?: number;
  /** Downscale wider frames to this width (keeps the aspect ratio). */
  maxWidth?: number;
  /** JPEG quality as ffmpeg's `-q:v`, 2 (best) to 31. Default 3. */
  quality?: number;
  signal?: AbortSignal;
}

const MAX_FRAME_BYTES = 32 * 1024 * 1024;
const MAX_PROBE_OUTPUT = 8 * 1024 * 1024;
const STDERR_TAIL = 8 * 1024;

/** Keeps the last `limit` characters of a stream of text. */
class TextTail {
  private text = '';
  constructor(private readonly limit: number) {}
  append(chunk: string): void {
    this.text = (this.text + chunk).slice(-this.limit);
  }
  toString(): string {
    return this.text;
  }
}

/**
 * The one way this codebase talks to ffmpeg/ffprobe about camera streams. Every call is bounded
 * twice: a socket timeout inside ffmpeg, and a kill timer that SIGKILLs the child after the overall
 * bound. Calls settle only once their child has exited. Messages never carry the URL's password.
 */
export class FfmpegClient {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  private readonly socketTimeoutMs: number;
  private readonly probeTimeoutMs: number;
  private readonly grabTimeoutMs: number;
  private readonly bitrateWindowMs: number;
  private readonly analyzeDurationUs: number;
  private readonly grabAnalyzeDurationUs: number;
  private readonly probeSize: number;
  private readonly onSpawn?: (pid: number, tool: FfmpegTool) => void;

  constructor(options: FfmpegClientOptions = {}) {
    this.ffmpegPath = options.ffmpegPath ?? 'ffmpeg';
    this.ffprobePath = options.ffprobePath ?? 'ffprobe';
    this.socketTimeoutMs = options.socketTimeoutMs ?? 5000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 15000;
    this.grabTimeoutMs = options.grabTimeoutMs ?? 10000;
    this.bitrateWindowMs = options.bitrateWindowMs ?? 2000;
    this.analyzeDurationUs = options.analyzeDurationUs ?? 1_000_000;
    this.grabAnalyzeDurationUs = options.grabAnalyzeDurationUs ?? 300_000;
    this.probeSize = options.probeSize ?? 1_000_000;
    this.onSpawn = options.onSpawn;
  }

  /**
   * Connects to a source and describes it. Never rejects: a dead, refused, silent or missing source
   * gives `success: false` with a plain message and an `errorCode`, within `timeoutMs`.
   */
  async probe(source: StreamSource, options: ProbeOptions = {}): Promise<ProbeResult> {
    const startedAt = performance.now();
    const elapsed = (): number => Math.round(performance.now() - startedAt);
    const fail = (code: StreamErrorCode, message: string): ProbeResult => ({
      success: false,
      latencyMs: elapsed(),
      bitrate: 0,
      codec: null,
      resolution: null,
      fps: 0,
      message,
      errorCode: code,
    });

    const invalid = validateStreamUrl(source.type, source.url);
    if (invalid) return fail('FAILED', invalid);

    const timeoutMs = options.timeoutMs ?? this.probeTimeoutMs;
    const live = isLiveSource(source);
    const windowSeconds = (options.windowMs ?? this.bitrateWindowMs) / 1000;
    const { options: inputOptions, input } = buildInput(source, {
      ...this.inputDefaults(options.socketTimeoutMs),
      wallclock: isMjpegLike(source),
    });
    const args = [
      '-hide_banner',
      '-v',
      'info',
      ...inputOptions,
      ...(live
        ? ['-show_packets', '-show_entries', 'packet=stream_index,size,pts_time,dts_time', '-read_intervals', `%+${windowSeconds}`]
        : []),
      '-show_streams',
      '-show_format',
      '-of',
      'json',
      '-i',
      input,
    ];

    const run = await this.runChild('ffprobe', this.ffprobePath, args, {
      timeoutMs,
      signal: options.signal,
      maxStdout: MAX_PROBE_OUTPUT,
      // ffprobe prints "Input #0" once it has found the streams: that is the latency we report.
      markStderr: /^Input #0/m,
    });
    const latencyMs = Math.round(run.markedAtMs ?? run.elapsedMs);

    if (run.outcome === 'timeout') return fail('TIMEOUT', `No answer from the source within ${timeoutMs} ms`);
    if (run.outcome === 'aborted') return fail('FAILED', 'Probe aborted');
    if (run.outcome === 'overflow') return fail('INVALID_DATA', 'ffprobe printed more than 8 MB');
    if (run.outcome === 'spawn-error') return fail('FAILED', `ffprobe could not be started: ${run.spawnError}`);
    if (run.exitCode !== 0) {
      const socketTimeoutMs = options.socketTimeoutMs ?? this.socketTimeoutMs;
      const classified = withTransportHint(
        refineTimeout(classifyFfmpegError(run.stderr, source.url), run.elapsedMs, socketTimeoutMs),
        source,
      );
      return fail(classified.code, classified.message);
    }
    let output: FfprobeOutput;
    try {
      output = JSON.parse(run.stdout.toString('utf8')) as FfprobeOutput;
    } catch {
      return fail('INVALID_DATA', 'ffprobe returned unreadable output');
    }
    return summarizeProbe({ output, latencyMs });
  }

  /**
   * One JPEG frame from a source. Rejects with a `StreamError` (TIMEOUT, REFUSED, NOT_FOUND,
   * INVALID_DATA, FAILED) within `timeoutMs`.
   */
  async grabFrame(source: StreamSource, options: GrabOptions = {}): Promise<Buffer> {
    const invalid = validateStreamUrl(source.type, source.url);
    if (invalid) throw new StreamError('FAILED', invalid);
    const timeoutMs = options.timeoutMs ?? this.grabTimeoutMs;
    const { options: inputOptions, input } = buildInput(source, {
      ...this.inputDefaults(options.socketTimeoutMs),
      analyzeDurationUs: this.grabAnalyzeDurationUs,
    });
    const quality = Math.min(31, Math.max(2, Math.round(options.quality ?? 3)));
    const filters = options.maxWidth ? ['-vf', `scale='min(iw,${Math.round(options.maxWidth)})':-2`] : [];
    const outputOptions = [
      '-map',
      '0:v:0',
      '-an',
      '-sn',
      '-dn',
      '-frames:v',
      '1',
      ...filters,
      '-q:v',
      String(quality),
      '-f',
      'image2pipe',
      '-vcodec',
      'mjpeg',
    ];

    const startedAt = performance.now();
    return new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let overflow = false;
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback): void {
          size += chunk.length;
          if (size > MAX_FRAME_BYTES) overflow = true;
          else chunks.push(chunk);
          callback();
        },
      });

      let child: ChildProcess | undefined;
      let reason: 'timeout' | 'aborted' | null = null;
      let settled = false;
      const command = ffmpeg({ stdoutLines: 0 })
        .setFfmpegPath(this.ffmpegPath)
        .input(input)
        .inputOptions('-hide_banner', '-nostdin', '-loglevel', 'error', ...inputOptions)
        .outputOptions(...outputOptions);

      const stop = (why: 'timeout' | 'aborted'): void => {
        reason ??= why;
        if (child) child.kill('SIGKILL');
        // Not spawned yet (fluent-ffmpeg is still checking capabilities): give up now, and kill the
        // child as soon as it appears.
        else finish();
      };
      const timer = setTimeout(() => stop('timeout'), timeoutMs);
      const onAbort = (): void => stop('aborted');
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) stop('aborted');

      const finish = (stderr = '', error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (reason === 'timeout') return reject(new StreamError('TIMEOUT', `No frame from the source within ${timeoutMs} ms`));
        if (reason === 'aborted') return reject(new StreamError('FAILED', 'Frame grab aborted'));
        if (overflow) return reject(new StreamError('INVALID_DATA', 'The frame is larger than 32 MB'));
        if (error) {
          if (!child) {
            return reject(new StreamError('FAILED', `ffmpeg could not be started: ${redactSecrets(error.message, source.url)}`));
          }
          const classified = withTransportHint(
            refineTimeout(
              classifyFfmpegError(stderr || error.message, source.url),
              performance.now() - startedAt,
              options.socketTimeoutMs ?? this.socketTimeoutMs,
            ),
            source,
          );
          return reject(new StreamError(classified.code, classified.message));
        }
        const frame = Buffer.concat(chunks, Math.min(size, MAX_FRAME_BYTES));
        if (frame.length < 4 || frame[0] !== 0xff || frame[1] !== 0xd8) {
          return reject(new StreamError('INVALID_DATA', 'The source delivered no decodable frame'));
        }
        resolve(frame);
      };

      command.on('start', () => {
        child = (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
        if (!child) return;
        trackChild(child);
        if (child.pid !== undefined) this.onSpawn?.(child.pid, 'ffmpeg');
        if (reason) child.kill('SIGKILL');
      });
      // fluent-ffmpeg emits these once the process has exited and its pipes are closed.
      command.on('error', (error: Error, _stdout: unknown, stderr: unknown) => {
        finish(typeof stderr === 'string' ? stderr : '', error);
      });
      command.on('end', () => finish());
      command.pipe(sink, { end: true });
    });
  }

  private inputDefaults(socketTimeoutMs?: number): InputArgsOptions {
    return {
      socketTimeoutMs: socketTimeoutMs ?? this.socketTimeoutMs,
      analyzeDurationUs: this.analyzeDurationUs,
      probeSize: this.probeSize,
    };
  }

  private runChild(
    tool: FfmpegTool,
    path: string,
    args: string[],
    options: { timeoutMs: number; signal?: AbortSignal; maxStdout: number; markStderr?: RegExp },
  ): Promise<ChildRun> {
    const startedAt = performance.now();
    return new Promise<ChildRun>((resolve) => {
      let outcome: ChildRun['outcome'] = 'exited';
      let spawnError: string | undefined;
      let markedAtMs: number | undefined;
      const stdout: Buffer[] = [];
      let stdoutSize = 0;
      const stderr = new TextTail(STDERR_TAIL);

      const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
      trackChild(child);
      if (child.pid !== undefined) this.onSpawn?.(child.pid, tool);

      const kill = (why: ChildRun['outcome']): void => {
        if (outcome === 'exited') outcome = why;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => kill('timeout'), options.timeoutMs);
      const onAbort = (): void => kill('aborted');
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) onAbort();

      child.stdout?.on('data', (chunk: Buffer) => {
        stdoutSize += chunk.length;
        if (stdoutSize <= options.maxStdout) stdout.push(chunk);
        else kill('overflow');
      });
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        if (markedAtMs === undefined && options.markStderr?.test(chunk)) markedAtMs = performance.now() - startedAt;
        stderr.append(chunk);
      });
      child.once('error', (error) => {
        spawnError = redactSecrets(error.message);
        if (outcome === 'exited') outcome = 'spawn-error';
      });
      // 'close' fires after 'exit' and after stdio has ended: all output is in.
      child.once('close', (code) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve({
          outcome: spawnError !== undefined && outcome === 'exited' ? 'spawn-error' : outcome,
          exitCode: code,
          stdout: Buffer.concat(stdout),
          stderr: stderr.toString(),
          elapsedMs: performance.now() - startedAt,
          markedAtMs,
          spawnError,
        });
      });
    });
  }
}

interface ChildRun {
  outcome: 'exited' | 'timeout' | 'aborted' | 'overflow' | 'spawn-error';
  exitCode: number | null;
  stdout: Buffer;
  stderr: string;
  elapsedMs: number;
  markedAtMs?: number;
  spawnError?: string;
}

/** HTTP sources other than HLS playlists: MJPEG (or similar) with no timing of their own. */
function isMjpegLike(source: StreamSource): boolean {
  return source.type === 'HTTP' && !/\.m3u8(?:[?#]|$)/i.test(source.url);
}

/** An RTSP server that rejects an interleaved (TCP) session may still serve UDP: say so. */
function withTransportHint(error: ClassifiedError, source: StreamSource): ClassifiedError {
  if (source.type !== 'RTSP' || (source.rtspTransport ?? 'tcp') !== 'tcp') return error;
  if (!/\b(?:400|461)\b|Unsupported transport/i.test(error.message)) return error;
  return { ...error, message: `${error.message} (the camera may not support RTSP over TCP: try UDP)` };
}
