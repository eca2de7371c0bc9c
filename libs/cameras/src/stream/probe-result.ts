import type { StreamErrorCode } from './stream-error';

/** What a connection test reports (`POST /cameras/{id}/test-connection`). */
export interface ProbeResult {
  success: boolean;
  /** Time from start to the stream's description (first packets analysed), in ms. */
  latencyMs: number;
  /** Mbit/s, two decimals; 0 when unknown. */
  bitrate: number;
  /** ffmpeg codec name (`h264`, `hevc`, `mjpeg`), or null. */
  codec: string | null;
  /** `1920x1080`, or null. */
  resolution: string | null;
  /** Frames per second, two decimals; 0 when unknown. */
  fps: number;
  message: string;
  /** Set when `success` is false. */
  errorCode?: StreamErrorCode;
}

/** The parts of `ffprobe -of json -show_streams -show_format -show_packets` this module reads. */
export interface FfprobeStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  bit_rate?: string;
}

export interface FfprobePacket {
  stream_index?: number;
  size?: string;
  pts_time?: string;
  dts_time?: string;
}

export interface FfprobeOutput {
  streams?: FfprobeStream[];
  packets?: FfprobePacket[];
  format?: { bit_rate?: string; size?: string; duration?: string };
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

/** `30000/1001` -> 29.97; null for `0/0`, garbage, or rates no camera has (ffmpeg's 90k "tbr"). */
export function parseRate(rate: string | undefined): number | null {
  if (!rate) return null;
  const [num, den = '1'] = rate.split('/');
  const value = Number(num) / Number(den);
  return Number.isFinite(value) && value > 0 && value <= 240 ? value : null;
}

function positive(value: string | number | undefined): number | null {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : null;
}

export interface PacketStats {
  /** Bits per second over the window, or null with fewer than two timed packets. */
  bitsPerSecond: number | null;
  /** Video frames per second over the window, or null. */
  fps: number | null;
  packets: number;
}

/**
 * Rates over a window of packets: for N timed packets spanning T seconds, the bits of the last N-1
 * packets over T (the first packet opens the window), and (N-1)/T video frames per second.
 */
export function packetStats(packets: FfprobePacket[], videoIndex: number | undefined): PacketStats {
  const timed = packets.map((packet) => ({ packet, t: Number(packet.pts_time ?? packet.dts_time) })).filter(({ t }) => Number.isFinite(t));
  const stats: PacketStats = { bitsPerSecond: null, fps: null, packets: packets.length };
  if (timed.length >= 2) {
    const times = timed.map(({ t }) => t);
    const span = Math.max(...times) - Math.min(...times);
    if (span > 0) {
      const bytes = timed.slice(1).reduce((sum, { packet }) => sum + (Number(packet.size) || 0), 0);
      stats.bitsPerSecond = (bytes * 8) / span;
    }
  }
  const video = timed.filter(({ packet }) => videoIndex === undefined || packet.stream_index === videoIndex);
  if (video.length >= 3) {
    const times = video.map(({ t }) => t);
    const span = Math.max(...times) - Math.min(...times);
    if (span > 0) stats.fps = (video.length - 1) / span;
  }
  return stats;
}

export interface SummaryInput {
  output: FfprobeOutput;
  latencyMs: number;
}

/** Builds the probe result from ffprobe's JSON; a source without a video stream is a failure. */
export function summarizeProbe({ output, latencyMs }: SummaryInput): ProbeResult {
  const video = output.streams?.find((stream) => stream.codec_type === 'video');
  if (!video) {
    return {
      success: false,
      latencyMs,
      bitrate: 0,
      codec: null,
      resolution: null,
      fps: 0,
      message: 'The source has no video stream',
      errorCode: 'INVALID_DATA',
    };
  }
  const stats = packetStats(output.packets ?? [], video.index);
  const declaredFps = parseRate(video.avg_frame_rate) ?? parseRate(video.r_frame_rate);
  // MJPEG carries no timing: only frames counted against the wall clock say how fast it runs.
  const fps = video.codec_name === 'mjpeg' || declaredFps === null ? (stats.fps ?? declaredFps ?? 0) : declaredFps;

  const format = output.format ?? {};
  const streamBits = (output.streams ?? []).reduce((sum, stream) => sum + (positive(stream.bit_rate) ?? 0), 0);
  const sizeBits = positive(format.size) && positive(format.duration) ? (Number(format.size) * 8) / Number(format.duration) : null;
  const bitsPerSecond = stats.bitsPerSecond ?? positive(format.bit_rate) ?? (streamBits || null) ?? sizeBits ?? 0;

  const resolution = video.width && video.height ? `${video.width}x${video.height}` : null;
  const codec = video.codec_name ?? null;
  return {
    success: true,
    latencyMs,
    bitrate: round2(bitsPerSecond / 1_000_000),
    codec,
    resolution,
    fps: round2(fps),
    message: 'Connection OK',
  };
}
