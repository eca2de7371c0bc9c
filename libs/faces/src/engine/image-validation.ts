import sharp from 'sharp';

/**
 * Checks on uploaded / grabbed images before anything decodes them: the type by magic bytes,
 * the byte size, and the pixel dimensions from the header (sharp metadata reads the header
 * only, so a decompression bomb is refused before it is decoded).
 */
export type ImageType = 'jpeg' | 'png' | 'webp';

export const IMAGE_MIME_TYPES: Readonly<Record<ImageType, string>> = Object.freeze({
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
});

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The image type from its first bytes, or null when it is none of JPEG, PNG, WebP. */
export function sniffImageType(buf: Uint8Array): ImageType | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 8 && PNG_SIGNATURE.every((b, i) => buf[i] === b)) return 'png';
  if (buf.length >= 12 && ascii(buf, 0, 4) === 'RIFF' && ascii(buf, 8, 12) === 'WEBP') {
    return 'webp';
  }
  return null;
}

function ascii(buf: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...buf.subarray(from, to));
}

export interface ImageLimits {
  maxBytes: number;
  /** Limits on the displayed size (after EXIF orientation). */
  maxWidth: number;
  maxHeight: number;
  minWidth?: number;
  minHeight?: number;
  /** Defaults to maxWidth * maxHeight. */
  maxPixels?: number;
  /** Accepted types; all three by default. */
  types?: readonly ImageType[];
}

export const DEFAULT_IMAGE_LIMITS: Readonly<ImageLimits> = Object.freeze({
  maxBytes: 10 * 1024 * 1024,
  maxWidth: 8192,
  maxHeight: 8192,
  minWidth: 32,
  minHeight: 32,
  maxPixels: 40_000_000,
});

export type ImageValidationCode = 'empty' | 'too_many_bytes' | 'unsupported_type' | 'undecodable' | 'too_large' | 'too_small';

export class ImageValidationError extends Error {
  constructor(
    readonly code: ImageValidationCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImageValidationError';
  }
}

export interface ValidatedImage {
  type: ImageType;
  mime: string;
  bytes: number;
  /** Displayed size: EXIF orientation applied. */
  width: number;
  height: number;
  /** EXIF orientation 1..8 when present. */
  orientation?: number;
}

/** Validate an encoded image against limits; throws ImageValidationError with a code. */
export async function validateImage(buf: Buffer, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): Promise<ValidatedImage> {
  if (buf.length === 0) throw new ImageValidationError('empty', 'image is empty');
  if (buf.length > limits.maxBytes) {
    throw new ImageValidationError('too_many_bytes', `image is ${buf.length} bytes, the limit is ${limits.maxBytes}`);
  }
  const type = sniffImageType(buf);
  const allowed = limits.types ?? (['jpeg', 'png', 'webp'] as const);
  if (!type || !allowed.includes(type)) {
    throw new ImageValidationError('unsupported_type', `image type ${type ?? 'unknown'} is not accepted (allowed: ${allowed.join(', ')})`);
  }

  let meta: sharp.Metadata;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ImageValidationError('undecodable', `image header cannot be read: ${errorText(err)}`);
  }
  if (meta.format !== type) {
    throw new ImageValidationError('undecodable', `image claims ${type} but decodes as ${meta.format}`);
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) throw new ImageValidationError('undecodable', 'image has no dimensions');

  const maxPixels = limits.maxPixels ?? limits.maxWidth * limits.maxHeight;
  if (width > limits.maxWidth || height > limits.maxHeight || width * height > maxPixels) {
    throw new ImageValidationError(
      'too_large',
      `image is ${width}x${height}, the limit is ${limits.maxWidth}x${limits.maxHeight} and ${maxPixels} pixels`,
    );
  }
  if (width < (limits.minWidth ?? 1) || height < (limits.minHeight ?? 1)) {
    throw new ImageValidationError(
      'too_small',
      `image is ${width}x${height}, the minimum is ${limits.minWidth ?? 1}x${limits.minHeight ?? 1}`,
    );
  }
  return {
    type,
    mime: IMAGE_MIME_TYPES[type],
    bytes: buf.length,
    width,
    height,
    ...(meta.orientation ? { orientation: meta.orientation } : {}),
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
