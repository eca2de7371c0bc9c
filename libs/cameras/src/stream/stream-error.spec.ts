import { describe, expect, it } from '@jest/globals';
import { classifyFfmpegError, isStreamError, refineTimeout, StreamError } from './stream-error';

const URL_WITH_PASSWORD = 'rtsp://admin:Sup3rSecret@10.0.0.5:554/stream';

describe('classifyFfmpegError', () => {
  it.each([
    ['[tcp @ 0x55] Connection to tcp://10.0.0.5:554?timeout=5000000 failed: Connection refused', 'REFUSED'],
    ['rtsp://h/x: Connection timed out', 'TIMEOUT'],
    ['file:/srv/nope.mp4: No such file or directory', 'NOT_FOUND'],
    ['[http @ 0x1] HTTP error 404 Not Found\nhttp://h/x: Server returned 404 Not Found', 'NOT_FOUND'],
    ['[rtsp @ 0x1] method DESCRIBE failed: 404 Not Found', 'NOT_FOUND'],
    ['[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized', 'FAILED'],
    ['[rtsp @ 0x1] method SETUP failed: 461 Unsupported transport', 'FAILED'],
    ['/srv/a.mp4: Invalid data found when processing input', 'INVALID_DATA'],
    ['[mov,mp4 @ 0x1] moov atom not found', 'INVALID_DATA'],
    ['something nobody expected', 'FAILED'],
    ['', 'FAILED'],
  ] as const)('%s -> %s', (stderr, code) => {
    expect(classifyFfmpegError(stderr).code).toBe(code);
  });

  it('says refused, not timed out, for a refused URL that carries a timeout option', () => {
    const result = classifyFfmpegError('Connection to tcp://h:1?timeout=5000000 failed: Connection refused');
    expect(result).toEqual({ code: 'REFUSED', message: expect.stringMatching(/^Connection refused/) });
  });

  it('keeps the cause line but never the password', () => {
    const stderr = `[rtsp @ 0x5611] method DESCRIBE failed: 401 Unauthorized\n${URL_WITH_PASSWORD}: Server returned 401 Unauthorized (authorization failed)`;
    const result = classifyFfmpegError(stderr, URL_WITH_PASSWORD);
    expect(result.code).toBe('FAILED');
    expect(result.message).toMatch(/Authentication failed/);
    expect(result.message).toContain('rtsp://admin:***@10.0.0.5:554/stream');
    expect(result.message).not.toContain('Sup3rSecret');
  });

  it('strips the [demuxer @ 0x...] prefixes', () => {
    expect(classifyFfmpegError('[tcp @ 0x55ab] Connection refused').message).toBe('Connection refused: Connection refused');
  });
});

describe('refineTimeout', () => {
  it('turns a late "invalid data" into a timeout', () => {
    const late = refineTimeout({ code: 'INVALID_DATA', message: 'x' }, 1990, 2000);
    expect(late.code).toBe('TIMEOUT');
    expect(refineTimeout({ code: 'INVALID_DATA', message: 'x' }, 100, 2000).code).toBe('INVALID_DATA');
    expect(refineTimeout({ code: 'REFUSED', message: 'x' }, 5000, 2000).code).toBe('REFUSED');
    expect(refineTimeout({ code: 'FAILED', message: 'ffmpeg failed: udp://h:1: Input/output error' }, 2100, 2000).code).toBe('TIMEOUT');
    expect(refineTimeout({ code: 'FAILED', message: 'ffmpeg failed: udp://h:1: Input/output error' }, 100, 2000).code).toBe('FAILED');
  });
});

describe('StreamError', () => {
  it('is an Error with a code', () => {
    const error = new StreamError('TIMEOUT', 'slow');
    expect(error).toBeInstanceOf(Error);
    expect(isStreamError(error)).toBe(true);
    expect(isStreamError(new Error('x'))).toBe(false);
    expect(error).toMatchObject({ name: 'StreamError', code: 'TIMEOUT', message: 'slow' });
  });
});
