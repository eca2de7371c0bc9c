import { describe, expect, it } from '@jest/globals';
import { buildInput, inputArgs, isLiveSource } from './ffmpeg-args';

const valueAfter = (args: string[], flag: string): string | undefined => {
  const index = args.indexOf(flag);
  return index < 0 ? undefined : args[index + 1];
};

describe('buildInput', () => {
  it('RTSP: TCP by default, socket timeout in microseconds, URL kept whole', () => {
    const url = 'rtsp://admin:p@ss word@10.0.0.5/stream';
    const { options, input } = buildInput({ type: 'RTSP', url }, { socketTimeoutMs: 5000 });
    expect(valueAfter(options, '-rtsp_transport')).toBe('tcp');
    expect(valueAfter(options, '-timeout')).toBe('5000000');
    expect(input).toBe(url);
    expect(options.join(' ')).not.toContain(url);
  });

  it('RTSP over UDP when asked', () => {
    const { options } = buildInput({ type: 'RTSP', url: 'rtsp://h/s', rtspTransport: 'udp' }, { socketTimeoutMs: 1500 });
    expect(valueAfter(options, '-rtsp_transport')).toBe('udp');
    expect(valueAfter(options, '-timeout')).toBe('1500000');
  });

  it('HTTP and TCP sockets use -rw_timeout; UDP sockets also their own timeout', () => {
    const http = buildInput({ type: 'HTTP', url: 'http://h/v.mjpg' }, { socketTimeoutMs: 2000, wallclock: true });
    expect(valueAfter(http.options, '-rw_timeout')).toBe('2000000');
    expect(valueAfter(http.options, '-use_wallclock_as_timestamps')).toBe('1');
    expect(http.options).not.toContain('-timeout');
    const tcp = buildInput({ type: 'Socket', url: 'tcp://h:5000' }, { socketTimeoutMs: 2000 });
    expect(valueAfter(tcp.options, '-rw_timeout')).toBe('2000000');
    const udp = buildInput({ type: 'Socket', url: 'udp://h:5000' }, { socketTimeoutMs: 2000 });
    expect(valueAfter(udp.options, '-timeout')).toBe('2000000');
  });

  it('restricts the protocols ffmpeg may open per type', () => {
    expect(valueAfter(buildInput({ type: 'Local File', url: '/a.mp4' }, { socketTimeoutMs: 1 }).options, '-protocol_whitelist')).toBe(
      'file,crypto',
    );
    expect(
      valueAfter(buildInput({ type: 'HTTP', url: 'http://h/x' }, { socketTimeoutMs: 1 }).options, '-protocol_whitelist'),
    ).not.toContain('file');
    expect(buildInput({ type: 'USB', url: '/dev/video0' }, { socketTimeoutMs: 1 }).options).not.toContain('-protocol_whitelist');
  });

  it('local files: file: prefix, decoded file URLs, loop and real-time pacing only for live use', () => {
    const plain = buildInput({ type: 'Local File', url: 'file:///srv/a%20b.mp4' }, { socketTimeoutMs: 1 });
    expect(plain.input).toBe('file:/srv/a b.mp4');
    expect(plain.options).not.toContain('-re');
    const live = buildInput({ type: 'Local File', url: '/srv/a.mp4' }, { socketTimeoutMs: 1, liveFile: true });
    expect(live.options).toEqual(expect.arrayContaining(['-re', '-stream_loop', '-1']));
  });

  it('USB: the v4l2 demuxer on the device', () => {
    expect(inputArgs({ type: 'USB', url: '/dev/video2' }, { socketTimeoutMs: 1 })).toEqual(['-f', 'v4l2', '-i', '/dev/video2']);
  });

  it('analyze limits for network sources only; keyframes-only decoding on one thread', () => {
    const rtsp = buildInput(
      { type: 'RTSP', url: 'rtsp://h/s' },
      { socketTimeoutMs: 1, analyzeDurationUs: 1000000, probeSize: 500000, keyframesOnly: true },
    );
    expect(valueAfter(rtsp.options, '-analyzeduration')).toBe('1000000');
    expect(valueAfter(rtsp.options, '-probesize')).toBe('500000');
    expect(valueAfter(rtsp.options, '-skip_frame')).toBe('nokey');
    expect(valueAfter(rtsp.options, '-threads')).toBe('1');
    const file = buildInput({ type: 'Local File', url: '/a.mp4' }, { socketTimeoutMs: 1, analyzeDurationUs: 1000000 });
    expect(file.options).not.toContain('-analyzeduration');
  });

  it('inputArgs ends with -i and the input', () => {
    expect(inputArgs({ type: 'HTTP', url: 'http://h/x' }, { socketTimeoutMs: 1 }).slice(-2)).toEqual(['-i', 'http://h/x']);
  });

  it('only local files are not live', () => {
    expect(isLiveSource({ type: 'Local File', url: '/a' })).toBe(false);
    expect(isLiveSource({ type: 'RTSP', url: 'rtsp://h/' })).toBe(true);
  });
});
