import sharp from 'sharp';
import type { FaceBox } from '@app/faces/engine/face-provider';

export interface CropOptions {
  /** Extra context around the tight face box, as a fraction of its size on each side. Default 0.3. */
  margin?: number;
  /** Longest side of the thumbnail, px. Default 192. */
  maxSide?: number;
  /** JPEG quality. Default 80. */
  quality?: number;
}

/**
 * The face thumbnail of a detection: the box (pixels of the analysed frame of `width` x `height`)
 * widened by a margin, clamped to the frame, downscaled. Null when the box lies outside the frame.
 */
export async function cropFace(frame: Buffer, box: FaceBox, width: number, height: number, opts: CropOptions = {}): Promise<Buffer | null> {
  const margin = opts.margin ?? 0.3;
  const maxSide = opts.maxSide ?? 192;
  let imgW = width;
  let imgH = height;
  if (!(imgW > 0 && imgH > 0)) {
    const meta = await sharp(frame).metadata();
    imgW = meta.width ?? 0;
    imgH = meta.height ?? 0;
  }
  const left = Math.max(0, Math.floor(box.left - box.width * margin));
  const top = Math.max(0, Math.floor(box.top - box.height * margin));
  const right = Math.min(imgW, Math.ceil(box.left + box.width * (1 + margin)));
  const bottom = Math.min(imgH, Math.ceil(box.top + box.height * (1 + margin)));
  if (right - left < 2 || bottom - top < 2) return null;
  return sharp(frame)
    .rotate()
    .extract({ left, top, width: right - left, height: bottom - top })
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: opts.quality ?? 80, mozjpeg: false })
    .toBuffer();
}
