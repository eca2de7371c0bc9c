/**
 * Splits a byte stream of concatenated JPEG images (ffmpeg `-f image2pipe -vcodec mjpeg`) into
 * whole images, from SOI (FF D8) to EOI (FF D9). Inside a JPEG's entropy-coded data every 0xFF is
 * followed by 0x00 or a restart marker, so FF D9 only ever ends an image (ffmpeg writes no EXIF
 * thumbnails). Bytes before a SOI are dropped; an image larger than `maxImageBytes` is discarded.
 */
export class JpegSplitter {
  private chunks: Buffer[] = [];
  private length = 0;
  /** Bytes of the pending data already searched for EOI (minus one, for a split marker). */
  private scanned = 0;
  private discarded = 0;

  constructor(private readonly maxImageBytes = 32 * 1024 * 1024) {}

  /** Images dropped because they grew past `maxImageBytes` or had no SOI. */
  get discardedBytes(): number {
    return this.discarded;
  }

  /** Feeds a chunk; returns the images it completed, oldest first. */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length === 0) return [];
    this.chunks.push(chunk);
    this.length += chunk.length;
    const images: Buffer[] = [];
    for (;;) {
      const data = this.pending();
      const start = findMarker(data, 0xd8, 0);
      if (start < 0) {
        // Keep a trailing 0xFF: it may be the first byte of a SOI split across chunks.
        const keep = data.length > 0 && data[data.length - 1] === 0xff ? 1 : 0;
        this.discarded += data.length - keep;
        this.reset(data.subarray(data.length - keep));
        break;
      }
      if (start > 0) {
        this.discarded += start;
        this.scanned = Math.max(0, this.scanned - start);
      }
      const from = Math.max(start + 2, this.scanned);
      const end = findMarker(data, 0xd9, from);
      if (end < 0) {
        if (data.length - start > this.maxImageBytes) {
          this.discarded += data.length;
          this.reset(Buffer.alloc(0));
          break;
        }
        this.reset(data.subarray(start), Math.max(2, data.length - start - 1));
        break;
      }
      images.push(Buffer.from(data.subarray(start, end + 2)));
      this.reset(data.subarray(end + 2));
    }
    return images;
  }

  private pending(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.length)];
    return this.chunks[0];
  }

  private reset(rest: Buffer, scanned = 0): void {
    this.chunks = rest.length ? [rest] : [];
    this.length = rest.length;
    this.scanned = scanned;
  }
}

function findMarker(data: Buffer, marker: number, from: number): number {
  let index = data.indexOf(0xff, from);
  while (index >= 0 && index + 1 < data.length) {
    if (data[index + 1] === marker) return index;
    index = data.indexOf(0xff, index + 1);
  }
  return -1;
}
