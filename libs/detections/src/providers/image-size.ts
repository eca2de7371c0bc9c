/**
 * Header-only image facts for the provider clients: the providers answer with boxes but not with
 * the size of the analysed image, so FaceAnalysis.width/height are read from the encoded bytes.
 */

export type ImageKind = 'jpeg' | 'png' | 'webp';

export interface ImageSize {
  width: number;
  height: number;
}

/** A valid 16x16 grey baseline JPEG (220 bytes), used as the health-check probe frame. */
export const PROBE_JPEG: Buffer = Buffer.from(
  '/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAg+Pkk+SVVVVVVVVWRdZGhoaGRkZGRoaGhwcHCDg4NwcHBoaHBwfHyDg4+Tj4eHg4eTk5ubm7q6srLZ2eD/////xABKAAEAAAAAAAAAAAAAAAAAAAAAAQEAAAAAAAAAAAAAAAAAAAAAEAEAAAAAAAAAAAAAAAAAAAAAEQEAAAAAAAAAAAAAAAAAAAAA/8AAEQgAEAAQAwEiAAIRAAMRAP/aAAwDAQACEQMRAD8AAA//2Q==',
  'base64',
);

export function sniffImageKind(buf: Buffer): ImageKind | undefined {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 8 && buf.readUInt32BE(0) === 0x89504e47 && buf.readUInt32BE(4) === 0x0d0a1a0a) return 'png';
  if (buf.length >= 12 && buf.toString('ascii', 0, 4) === 'RIFF' && buf.toString('ascii', 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

/** MIME type and a file name for the multipart upload (JPEG when the format is not recognised). */
export function uploadNameFor(buf: Buffer, base = 'frame'): { filename: string; type: string } {
  switch (sniffImageKind(buf)) {
    case 'png':
      return { filename: `${base}.png`, type: 'image/png' };
    case 'webp':
      return { filename: `${base}.webp`, type: 'image/webp' };
    default:
      return { filename: `${base}.jpg`, type: 'image/jpeg' };
  }
}

/** Width and height from a JPEG, PNG or WebP header; undefined when it cannot be read. */
export function readImageSize(buf: Buffer): ImageSize | undefined {
  switch (sniffImageKind(buf)) {
    case 'jpeg':
      return readJpegSize(buf);
    case 'png':
      return buf.length >= 24 && buf.toString('ascii', 12, 16) === 'IHDR'
        ? positive({ width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) })
        : undefined;
    case 'webp':
      return readWebpSize(buf);
    default:
      return undefined;
  }
}

function positive(size: ImageSize): ImageSize | undefined {
  return size.width > 0 && size.height > 0 ? size : undefined;
}

/** Start-of-frame markers (baseline, progressive, lossless, arithmetic); not DHT/JPG/DAC. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function readJpegSize(buf: Buffer): ImageSize | undefined {
  let pos = 2;
  while (pos + 1 < buf.length) {
    if (buf[pos] !== 0xff) return undefined;
    // Fill bytes: any number of 0xFF may precede a marker.
    while (pos < buf.length && buf[pos] === 0xff) pos++;
    if (pos >= buf.length) return undefined;
    const marker = buf[pos];
    pos++;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue; // stand-alone markers
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image / scan before any frame header
    if (pos + 2 > buf.length) return undefined;
    const length = buf.readUInt16BE(pos);
    if (length < 2) return undefined;
    if (isStartOfFrame(marker)) {
      if (pos + 7 > buf.length) return undefined;
      return positive({ height: buf.readUInt16BE(pos + 3), width: buf.readUInt16BE(pos + 5) });
    }
    pos += length;
  }
  return undefined;
}

function readWebpSize(buf: Buffer): ImageSize | undefined {
  if (buf.length < 30) return undefined;
  const chunk = buf.toString('ascii', 12, 16);
  if (chunk === 'VP8 ') {
    return positive({ width: buf.readUInt16LE(26) & 0x3fff, height: buf.readUInt16LE(28) & 0x3fff });
  }
  if (chunk === 'VP8L') {
    const b0 = buf[21];
    const b1 = buf[22];
    const b2 = buf[23];
    const b3 = buf[24];
    return positive({
      width: 1 + (((b1 & 0x3f) << 8) | b0),
      height: 1 + (((b3 & 0x0f) << 10) | (b2 << 2) | ((b1 & 0xc0) >> 6)),
    });
  }
  if (chunk === 'VP8X') {
    return positive({ width: 1 + buf.readUIntLE(24, 3), height: 1 + buf.readUIntLE(27, 3) });
  }
  return undefined;
}
