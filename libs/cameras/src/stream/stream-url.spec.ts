import { describe, expect, it } from '@jest/globals';
import { extractHost, localFilePath, maskStreamUrl, redactSecrets, STREAM_TYPES, urlSecrets, validateStreamUrl } from './stream-url';

describe('validateStreamUrl', () => {
  it('knows the spec stream types exactly', () => {
    expect(STREAM_TYPES).toEqual(['RTSP', 'HTTP', 'USB', 'Socket', 'Local File']);
    expect(validateStreamUrl('rtsp', 'rtsp://10.0.0.5/stream')).toMatch(/Unknown stream type/);
  });

  it.each([
    ['RTSP', 'rtsp://10.0.0.5/stream'],
    ['RTSP', 'rtsp://admin:p@ss@10.0.0.5:554/Streaming/Channels/101'],
    ['RTSP', 'rtsps://cam.example.com:322/live'],
    ['RTSP', 'rtsp://[fe80::1]:554/s'],
    ['HTTP', 'http://10.0.0.7/video.mjpg'],
    ['HTTP', 'https://cdn.example.com/live/index.m3u8'],
    ['USB', '/dev/video0'],
    ['USB', '/dev/video12'],
    ['Socket', 'tcp://10.0.0.9:5000'],
    ['Socket', 'udp://239.0.0.1:1234'],
    ['Local File', '/srv/videos/entrance.mp4'],
    ['Local File', 'file:///srv/videos/entrance%20hall.mp4'],
  ] as const)('accepts %s %s', (type, url) => {
    expect(validateStreamUrl(type, url)).toBeNull();
  });

  it.each([
    ['RTSP', 'http://10.0.0.5/stream', /rtsp:\/\//],
    ['RTSP', 'rtsp:///stream', /RTSP URL/],
    ['RTSP', 'rtsp://', /RTSP URL/],
    ['RTSP', '10.0.0.5/stream', /RTSP URL/],
    ['RTSP', '', /needs a URL/],
    ['RTSP', 'rtsp://10.0.0.5/a b', /spaces/],
    ['HTTP', 'rtsp://10.0.0.5/x', /http\(s\)/],
    ['HTTP', 'ftp://10.0.0.5/x', /http\(s\)/],
    ['USB', '/dev/sda', /V4L2/],
    ['USB', '/dev/video0/../sda', /V4L2/],
    ['Socket', 'tcp://10.0.0.9', /port/],
    ['Socket', 'http://10.0.0.9:80', /tcp:\/\//],
    ['Local File', 'videos/a.mp4', /absolute/],
    ['Local File', '/srv/videos/../../etc/passwd', /\.\./],
    ['Local File', 'file://host/share/a.mp4', /absolute|file/],
  ] as const)('rejects %s %s', (type, url, message) => {
    expect(validateStreamUrl(type, url)).toMatch(message);
  });

  it('never repeats the URL (and so its password) in the message', () => {
    const message = validateStreamUrl('HTTP', 'rtsp://admin:hunter22@10.0.0.5/x');
    expect(message).not.toBeNull();
    expect(message).not.toContain('hunter22');
  });

  it('rejects over-long URLs', () => {
    expect(validateStreamUrl('RTSP', `rtsp://h/${'a'.repeat(3000)}`)).toMatch(/longer than/);
  });
});

describe('maskStreamUrl', () => {
  it.each([
    ['rtsp://admin:secret@10.0.0.5/stream', 'rtsp://admin:***@10.0.0.5/stream'],
    ['rtsp://admin:p@ss@10.0.0.5:554/stream', 'rtsp://admin:***@10.0.0.5:554/stream'],
    ['rtsp://admin:pa/ss#1@10.0.0.5/stream', 'rtsp://admin:***@10.0.0.5/stream'],
    ['rtsp://admin:@10.0.0.5/stream', 'rtsp://admin:***@10.0.0.5/stream'],
    ['rtsp://:secret@10.0.0.5/stream', 'rtsp://***:***@10.0.0.5/stream'],
    ['https://TOKEN123@cam.example.com/live.m3u8', 'https://***@cam.example.com/live.m3u8'],
    ['rtsp://10.0.0.5/stream', 'rtsp://10.0.0.5/stream'],
    ['rtsp://10.0.0.5/stream?owner=a@b', 'rtsp://10.0.0.5/stream?owner=a@b'],
    ['http://10.0.0.7/video.cgi?user=admin&pwd=secret&x=1', 'http://10.0.0.7/video.cgi?user=admin&pwd=***&x=1'],
    ['http://10.0.0.7/v?password=abc#f', 'http://10.0.0.7/v?password=***#f'],
    ['/srv/videos/a.mp4', '/srv/videos/a.mp4'],
    ['', ''],
  ])('%s -> %s', (url, masked) => {
    expect(maskStreamUrl(url)).toBe(masked);
  });

  it('masks the user too when asked', () => {
    expect(maskStreamUrl('rtsp://admin:secret@10.0.0.5/s', { maskUser: true })).toBe('rtsp://***:***@10.0.0.5/s');
  });

  it('over-masks rather than leaks when the URL is ambiguous', () => {
    const masked = maskStreamUrl('rtsp://10.0.0.5:554/s?x=1@evil');
    expect(masked).not.toContain('x=1');
  });
});

describe('urlSecrets / redactSecrets', () => {
  const url = 'rtsp://admin:s%40fe!pass@10.0.0.5/stream';

  it('lists the password raw and decoded', () => {
    expect(urlSecrets(url)).toEqual(expect.arrayContaining(['s%40fe!pass', 's@fe!pass']));
  });

  it('removes the URL and the password from free text', () => {
    const text = `[rtsp @ 0x1] method DESCRIBE failed for ${url}: 401; user admin tried s@fe!pass`;
    const redacted = redactSecrets(text, url);
    expect(redacted).toContain('rtsp://admin:***@10.0.0.5/stream');
    expect(redacted).not.toContain('s@fe!pass');
    expect(redacted).not.toContain('s%40fe!pass');
  });

  it('masks credentials of any URL in the text, even without knowing it', () => {
    expect(redactSecrets('opening rtsp://root:toor@1.2.3.4/x failed')).toBe('opening rtsp://root:***@1.2.3.4/x failed');
  });

  it('does not garble text for one-character secrets', () => {
    expect(redactSecrets('frame 1 of 10', 'rtsp://a:1@h/x')).toBe('frame 1 of 10');
  });
});

describe('extractHost', () => {
  it.each([
    ['rtsp://admin:secret@10.0.0.5:554/stream', '10.0.0.5'],
    ['rtsp://admin:p@ss@10.0.0.6/stream', '10.0.0.6'],
    ['http://Cam.Example.com/video.mjpg', 'cam.example.com'],
    ['rtsp://[fe80::1]:554/s', 'fe80::1'],
    ['tcp://10.0.0.9:5000', '10.0.0.9'],
    ['/dev/video0', null],
    ['/srv/a.mp4', null],
    ['file:///srv/a.mp4', null],
    ['rtsp://', null],
  ])('%s -> %s', (url, host) => {
    expect(extractHost(url)).toBe(host);
  });
});

describe('localFilePath', () => {
  it('decodes file URLs and keeps paths', () => {
    expect(localFilePath('file:///srv/a%20b.mp4')).toBe('/srv/a b.mp4');
    expect(localFilePath('/srv/a.mp4')).toBe('/srv/a.mp4');
  });
});
