import { describe, expect, it } from '@jest/globals';
import { packetStats, parseRate, summarizeProbe, type FfprobePacket } from './probe-result';

const packets = (count: number, fps: number, size: number, start = 0, streamIndex = 0): FfprobePacket[] =>
  Array.from({ length: count }, (_, i) => ({ stream_index: streamIndex, size: String(size), pts_time: (start + i / fps).toFixed(6) }));

describe('parseRate', () => {
  it('parses fractions and rejects junk', () => {
    expect(parseRate('30000/1001')).toBeCloseTo(29.97, 2);
    expect(parseRate('25/1')).toBe(25);
    expect(parseRate('0/0')).toBeNull();
    expect(parseRate('90000/1')).toBeNull();
    expect(parseRate(undefined)).toBeNull();
  });
});

describe('packetStats', () => {
  it('measures bit rate and fps over the window', () => {
    // 21 packets of 1000 bytes at 10 fps span 2 s: 20 * 8000 bits / 2 s = 80 kbit/s.
    const stats = packetStats(packets(21, 10, 1000), 0);
    expect(stats.bitsPerSecond).toBeCloseTo(80_000, 0);
    expect(stats.fps).toBeCloseTo(10, 5);
  });

  it('works with wall-clock timestamps and ignores untimed packets', () => {
    const timed = packets(11, 5, 500, 1_730_000_000);
    const stats = packetStats([{ stream_index: 0, size: '999999' }, ...timed], 0);
    expect(stats.fps).toBeCloseTo(5, 3);
    expect(stats.bitsPerSecond).toBeCloseTo((10 * 500 * 8) / 2, 0);
  });

  it('counts fps on the video stream only', () => {
    const mixed = [...packets(11, 10, 100, 0, 0), ...packets(50, 50, 10, 0, 1)];
    expect(packetStats(mixed, 0).fps).toBeCloseTo(10, 5);
  });

  it('gives nulls with too few packets', () => {
    expect(packetStats(packets(1, 10, 100), 0)).toEqual({ bitsPerSecond: null, fps: null, packets: 1 });
  });
});

describe('summarizeProbe', () => {
  const h264 = {
    index: 0,
    codec_type: 'video',
    codec_name: 'h264',
    width: 1920,
    height: 1080,
    avg_frame_rate: '25/1',
    r_frame_rate: '25/1',
  };

  it('file: declared bit rate and frame rate', () => {
    const result = summarizeProbe({ output: { streams: [h264], format: { bit_rate: '6500000' } }, latencyMs: 42 });
    expect(result).toEqual({
      success: true,
      latencyMs: 42,
      bitrate: 6.5,
      codec: 'h264',
      resolution: '1920x1080',
      fps: 25,
      message: 'Connection OK',
    });
  });

  it('live RTSP: bit rate from packets', () => {
    const result = summarizeProbe({ output: { streams: [h264], packets: packets(51, 25, 20_000), format: {} }, latencyMs: 900 });
    expect(result.bitrate).toBeCloseTo(4, 2);
    expect(result.fps).toBe(25);
  });

  it('MJPEG: fps counted, not declared', () => {
    const mjpeg = {
      index: 0,
      codec_type: 'video',
      codec_name: 'mjpeg',
      width: 640,
      height: 480,
      r_frame_rate: '25/1',
      avg_frame_rate: '0/0',
    };
    const result = summarizeProbe({ output: { streams: [mjpeg], packets: packets(11, 5, 30_000, 1_730_000_000) }, latencyMs: 80 });
    expect(result.fps).toBe(5);
    expect(result.bitrate).toBeCloseTo(1.2, 2);
  });

  it('falls back to size / duration', () => {
    const result = summarizeProbe({
      output: { streams: [{ ...h264, avg_frame_rate: '0/0' }], format: { size: '1000000', duration: '8' } },
      latencyMs: 1,
    });
    expect(result.bitrate).toBe(1);
    expect(result.fps).toBe(25);
  });

  it('no video stream is a failure', () => {
    const result = summarizeProbe({ output: { streams: [{ codec_type: 'audio', codec_name: 'aac' }] }, latencyMs: 5 });
    expect(result).toMatchObject({ success: false, errorCode: 'INVALID_DATA', codec: null });
  });
});
