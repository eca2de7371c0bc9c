import { describe, expect, it } from '@jest/globals';
import { PROBE_JPEG, readImageSize, sniffImageKind, uploadNameFor } from './image-size';

/** A PNG header: signature + IHDR chunk with the given size. */
function pngHeader(width: number, height: number): Buffer {
  const buf = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(buf, 0);
  buf.writeUInt32BE(13, 8);
  buf.write('IHDR', 12, 'ascii');
  buf.writeUInt32BE(width, 16);
  buf.writeUInt32BE(height, 20);
  return buf;
}

/** A WebP VP8X header with the given canvas size. */
function webpVp8x(width: number, height: number): Buffer {
  const buf = Buffer.alloc(30);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(22, 4);
  buf.write('WEBP', 8, 'ascii');
  buf.write('VP8X', 12, 'ascii');
  buf.writeUInt32LE(10, 16);
  buf.writeUIntLE(width - 1, 24, 3);
  buf.writeUIntLE(height - 1, 27, 3);
  return buf;
}

describe('image-size', () => {
  it('reads the probe JPEG (16x16) and names it as a JPEG', () => {
    expect(sniffImageKind(PROBE_JPEG)).toBe('jpeg');
    expect(readImageSize(PROBE_JPEG)).toEqual({ width: 16, height: 16 });
    expect(uploadNameFor(PROBE_JPEG)).toEqual({ filename: 'frame.jpg', type: 'image/jpeg' });
    expect(PROBE_JPEG.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
  });

  it('skips segments before the frame header', () => {
    // Insert a COM segment right after SOI: the size must still be found.
    const comment = Buffer.from('hello jpeg');
    const com = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([0, comment.length + 2]), comment]);
    const jpeg = Buffer.concat([PROBE_JPEG.subarray(0, 2), com, PROBE_JPEG.subarray(2)]);
    expect(readImageSize(jpeg)).toEqual({ width: 16, height: 16 });
  });

  it('reads PNG and WebP headers', () => {
    expect(readImageSize(pngHeader(640, 480))).toEqual({ width: 640, height: 480 });
    expect(uploadNameFor(pngHeader(1, 1), 'face-1')).toEqual({ filename: 'face-1.png', type: 'image/png' });
    expect(readImageSize(webpVp8x(1920, 1080))).toEqual({ width: 1920, height: 1080 });
  });

  it('returns undefined for truncated or unknown data', () => {
    expect(readImageSize(PROBE_JPEG.subarray(0, 40))).toBeUndefined();
    expect(readImageSize(Buffer.from('not an image'))).toBeUndefined();
    expect(sniffImageKind(Buffer.alloc(0))).toBeUndefined();
  });
});
