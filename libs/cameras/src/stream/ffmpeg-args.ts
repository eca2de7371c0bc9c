import { localFilePath, type StreamSource } from './stream-url';

export interface InputArgsOptions {
  /** Socket I/O timeout: `-timeout` (RTSP) or `-rw_timeout` (HTTP, TCP/UDP sockets), in ms. */
  socketTimeoutMs: number;
  /** `-analyzeduration` in microseconds for network sources (ffmpeg's default is 5 s). */
  analyzeDurationUs?: number;
  /** `-probesize` in bytes for network sources. */
  probeSize?: number;
  /** Local files only: read at the native frame rate and loop forever, as a live camera would. */
  liveFile?: boolean;
  /** Stamp packets with their arrival time (MJPEG over HTTP carries no timing). */
  wallclock?: boolean;
  /** Decode keyframes only (`-skip_frame nokey`): far less CPU for a sampler. */
  keyframesOnly?: boolean;
}

/** ffmpeg input options (everything before `-i`) and the input itself, as separate arguments. */
export interface FfmpegInput {
  options: string[];
  input: string;
}

/**
 * Protocols ffmpeg may open per stream type, so that a playlist or an RTSP redirect cannot make it
 * read something else (a local file from a camera URL, a URL from a local file).
 */
const PROTOCOLS: Record<StreamSource['type'], string | null> = {
  RTSP: 'rtsp,rtsps,rtp,srtp,udp,tcp,tls,crypto',
  HTTP: 'http,https,tcp,tls,crypto,httpproxy',
  Socket: 'tcp,udp,rtp',
  'Local File': 'file,crypto',
  USB: null,
};

const microseconds = (ms: number): string => String(Math.max(1, Math.round(ms * 1000)));

/** True for sources that are live network streams (no duration, bit rate measured from packets). */
export function isLiveSource(source: StreamSource): boolean {
  return source.type !== 'Local File';
}

/** Builds ffmpeg/ffprobe input options for a source. Arguments only: nothing goes through a shell. */
export function buildInput(source: StreamSource, options: InputArgsOptions): FfmpegInput {
  const args: string[] = [];
  const whitelist = PROTOCOLS[source.type];
  if (whitelist) args.push('-protocol_whitelist', whitelist);

  if (source.type !== 'Local File' && source.type !== 'USB') {
    if (options.analyzeDurationUs !== undefined) args.push('-analyzeduration', String(options.analyzeDurationUs));
    if (options.probeSize !== undefined) args.push('-probesize', String(options.probeSize));
  }
  // A frame-threaded decoder holds back one frame per thread: with keyframes only, seconds.
  if (options.keyframesOnly) args.push('-skip_frame', 'nokey', '-threads', '1');
  if (options.wallclock) args.push('-use_wallclock_as_timestamps', '1');

  switch (source.type) {
    case 'RTSP':
      args.push('-rtsp_transport', source.rtspTransport ?? 'tcp', '-timeout', microseconds(options.socketTimeoutMs));
      return { options: args, input: source.url };
    case 'HTTP':
      args.push('-rw_timeout', microseconds(options.socketTimeoutMs));
      return { options: args, input: source.url };
    case 'Socket':
      args.push('-rw_timeout', microseconds(options.socketTimeoutMs));
      // udp:// reads through a FIFO thread: its own `timeout` bounds a silent sender.
      if (/^udp:/i.test(source.url)) args.push('-timeout', microseconds(options.socketTimeoutMs));
      return { options: args, input: source.url };
    case 'USB':
      args.push('-f', 'v4l2');
      return { options: args, input: source.url };
    case 'Local File':
      if (options.liveFile) args.push('-re', '-stream_loop', '-1');
      // `file:` keeps ffmpeg from reading a protocol out of an odd file name.
      return { options: args, input: `file:${localFilePath(source.url)}` };
  }
}

/** `buildInput` flattened: `[...options, '-i', input]`. */
export function inputArgs(source: StreamSource, options: InputArgsOptions): string[] {
  const { options: args, input } = buildInput(source, options);
  return [...args, '-i', input];
}
