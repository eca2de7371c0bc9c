import { describe, expect, it } from '@jest/globals';
import { JpegSplitter } from './jpeg-splitter';

/** A fake JPEG: SOI, a body with stuffed 0xFF 0x00 bytes and a restart marker, EOI. */
const jpeg = (id: number, bodyLength = 50): Buffer =>
  Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    Buffer.alloc(bodyLength, id),
    Buffer.from([0xff, 0x00, 0xff, 0xd0, id]),
    Buffer.from([0xff, 0xd9]),
  ]);

describe('JpegSplitter', () => {
  it('splits concatenated images', () => {
    const images = [jpeg(1), jpeg(2), jpeg(3)];
    expect(new JpegSplitter().push(Buffer.concat(images))).toEqual(images);
  });

  it('reassembles images split at every possible byte, including inside markers', () => {
    const images = [jpeg(1, 10), jpeg(2, 7)];
    const stream = Buffer.concat(images);
    for (let cut = 1; cut < stream.length; cut += 1) {
      const splitter = new JpegSplitter();
      const out = [...splitter.push(stream.subarray(0, cut)), ...splitter.push(stream.subarray(cut))];
      expect(out).toEqual(images);
    }
  });

  it('survives one byte at a time', () => {
    const images = [jpeg(4, 20), jpeg(5, 3)];
    const splitter = new JpegSplitter();
    const out: Buffer[] = [];
    for (const byte of Buffer.concat(images)) out.push(...splitter.push(Buffer.from([byte])));
    expect(out).toEqual(images);
  });

  it('drops garbage before a SOI', () => {
    const splitter = new JpegSplitter();
    expect(splitter.push(Buffer.concat([Buffer.from('garbage'), jpeg(6)]))).toEqual([jpeg(6)]);
    expect(splitter.discardedBytes).toBe(7);
  });

  it('discards an image that grows past the limit and recovers', () => {
    const splitter = new JpegSplitter(100);
    expect(splitter.push(Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(200, 1)]))).toEqual([]);
    expect(splitter.push(jpeg(7))).toEqual([jpeg(7)]);
  });
});
