import { beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { ImageValidationError, sniffImageType, validateImage, type ImageLimits } from './image-validation';

const limits: ImageLimits = { maxBytes: 1_000_000, maxWidth: 400, maxHeight: 300, minWidth: 16, minHeight: 16 };

async function solid(width: number, height: number, format: 'jpeg' | 'png' | 'webp'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .toFormat(format)
    .toBuffer();
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toBeInstanceOf(ImageValidationError);
  await expect(p).rejects.toMatchObject({ code });
}

describe('sniffImageType', () => {
  it('recognises JPEG, PNG and WebP by their magic bytes', () => {
    expect(sniffImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toBe('jpeg');
    expect(sniffImageType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
    expect(sniffImageType(Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('webp');
  });

  it('returns null for anything else, including truncated signatures', () => {
    expect(sniffImageType(Buffer.from('GIF89a....'))).toBeNull();
    expect(sniffImageType(Buffer.from('RIFF\x10\x00\x00\x00WAVEfmt ', 'latin1'))).toBeNull();
    expect(sniffImageType(Buffer.from([0xff, 0xd8]))).toBeNull();
    expect(sniffImageType(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBeNull();
    expect(sniffImageType(Buffer.alloc(0))).toBeNull();
  });
});

describe('validateImage', () => {
  let jpeg: Buffer;
  beforeAll(async () => {
    jpeg = await solid(320, 240, 'jpeg');
  });

  it('accepts each format within limits and reports type and size', async () => {
    await expect(validateImage(jpeg, limits)).resolves.toMatchObject({
      type: 'jpeg',
      mime: 'image/jpeg',
      width: 320,
      height: 240,
      bytes: jpeg.length,
    });
    await expect(validateImage(await solid(64, 32, 'png'), limits)).resolves.toMatchObject({ type: 'png', width: 64 });
    await expect(validateImage(await solid(64, 32, 'webp'), limits)).resolves.toMatchObject({ type: 'webp', height: 32 });
  });

  it('reports the displayed size of an EXIF-rotated JPEG', async () => {
    const rotated = await sharp(await solid(120, 40, 'jpeg'))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    await expect(validateImage(rotated, limits)).resolves.toMatchObject({ width: 40, height: 120, orientation: 6 });
  });

  it('refuses empty input, too many bytes and unsupported types', async () => {
    await expectCode(validateImage(Buffer.alloc(0), limits), 'empty');
    await expectCode(validateImage(jpeg, { ...limits, maxBytes: 100 }), 'too_many_bytes');
    await expectCode(validateImage(Buffer.from('GIF89a-not-accepted'), limits), 'unsupported_type');
    await expectCode(validateImage(await solid(64, 32, 'png'), { ...limits, types: ['jpeg'] }), 'unsupported_type');
  });

  it('refuses too large and too small dimensions from the header alone', async () => {
    await expectCode(validateImage(await solid(401, 10, 'png'), { ...limits, minHeight: 1 }), 'too_large');
    await expectCode(validateImage(jpeg, { ...limits, maxPixels: 1000 }), 'too_large');
    await expectCode(validateImage(await solid(10, 10, 'png'), limits), 'too_small');
  });

  it('refuses a header that does not parse', async () => {
    const garbage = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
    await expectCode(validateImage(garbage, limits), 'undecodable');
  });
});
