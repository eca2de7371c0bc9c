import { HttpStatus, Injectable } from '@nestjs/common';
import sharp from 'sharp';
import { ApiException, EnvDto, ErrorCode, serviceUnavailable } from '@app/core';
import type { EmbeddingQuality } from './entities/face-embedding.entity';
import { DEFAULT_IMAGE_LIMITS, ImageValidationError, validateImage, type ImageLimits } from './engine/image-validation';
import { ProviderRejectedError, ProviderUnavailableError, type DetectedFace } from './engine/face-provider';
import { faceSizeOf, qualityProblem, type QualityLimits } from './engine/face-quality';
import { FaceEngineService } from './face-engine.service';
import { FaceIndexService } from './face-index.service';
import type { RejectedImageDto } from './dto/face.dto';

/** An uploaded file as multer (memory storage) hands it over. */
export interface UploadedImage {
  buffer: Buffer;
  originalname: string;
  size: number;
}

/** An accepted image: the JPEG to store and the embedding of its one face. */
export interface PreparedImage {
  index: number;
  filename: string;
  jpeg: Buffer;
  embedding: number[];
  quality: EmbeddingQuality;
  width: number;
  height: number;
}

/** Stored enrolment photos are at most this large on their longer side. */
const STORED_MAX_SIDE = 2048;
const JPEG_QUALITY = 90;

/**
 * Turns uploaded files into accepted enrolment images, or refuses the whole upload.
 *
 * Per file, cheapest check first: type by magic bytes (415), byte size (413), header pixel
 * dimensions (422), then a re-encode to JPEG (EXIF orientation applied, every metadata block
 * dropped, at most 2048 px) and the engine on that JPEG (so the stored photo is exactly what
 * was embedded). Each image must hold exactly one usable face: faces below the quality limits
 * (size, sharpness, detector score) are not counted, none left is 'no_face' / 'face_too_small' /
 * 'face_too_blurry', two or more is 'multiple_faces'. Finally every new face must resemble the
 * profile's other faces (similarity >= unknownThreshold), so one profile cannot mix two people.
 * Every file is judged and all problems are reported together; nothing is written here.
 */
@Injectable()
export class EnrolmentImages {
  private readonly limits: ImageLimits;

  constructor(
    env: EnvDto,
    private readonly engine: FaceEngineService,
    private readonly index: FaceIndexService,
  ) {
    this.limits = { ...DEFAULT_IMAGE_LIMITS, maxBytes: env.FACE_IMAGE_MAX_BYTES };
  }

  get maxBytes(): number {
    return this.limits.maxBytes;
  }

  async prepare(files: readonly UploadedImage[], existing: readonly ArrayLike<number>[] = []): Promise<PreparedImage[]> {
    // 1. Cheap checks on every file before any decoding.
    const headerProblems: Array<RejectedImageDto & { status: HttpStatus }> = [];
    for (const [index, file] of files.entries()) {
      try {
        await validateImage(file.buffer, this.limits);
      } catch (err) {
        if (!(err instanceof ImageValidationError)) throw err;
        headerProblems.push({ index, filename: file.originalname, code: err.code, reason: err.message, status: statusOf(err.code) });
      }
    }
    if (headerProblems.length) throw rejection(headerProblems);

    // 2. Re-encode and analyse, one after the other (the engine runs one image at a time anyway).
    const limits = await this.enrolmentLimits();
    const problems: RejectedImageDto[] = [];
    const accepted: PreparedImage[] = [];
    for (const [index, file] of files.entries()) {
      const filename = file.originalname;
      let jpeg: { data: Buffer; width: number; height: number };
      try {
        jpeg = await normaliseToJpeg(file.buffer, this.limits);
      } catch (err) {
        problems.push({ index, filename, code: 'undecodable', reason: `image cannot be decoded: ${errorText(err)}` });
        continue;
      }
      let faces: DetectedFace[];
      try {
        faces = (await this.engine.analyze(jpeg.data)).faces;
      } catch (err) {
        if (err instanceof ProviderUnavailableError) {
          throw serviceUnavailable('The face engine is busy or unavailable; retry shortly', { reason: err.message });
        }
        if (err instanceof ProviderRejectedError) {
          problems.push({ index, filename, code: 'undecodable', reason: err.message });
          continue;
        }
        throw err;
      }
      const verdict = pickFace(faces, limits);
      if ('code' in verdict) {
        problems.push({ index, filename, ...verdict });
        continue;
      }
      const face = verdict.face;
      accepted.push({
        index,
        filename,
        jpeg: jpeg.data,
        width: jpeg.width,
        height: jpeg.height,
        embedding: face.embedding as number[],
        quality: { score: face.score, faceSizePx: face.quality?.faceSizePx ?? faceSizeOf(face.box), sharpness: face.quality?.sharpness },
      });
    }

    // 3. One person per profile: each new face must resemble at least one other face of it.
    if (problems.length === 0) {
      const { unknownThreshold } = await this.index.thresholds();
      for (const img of accepted) {
        const others = [...existing, ...accepted.filter((o) => o !== img).map((o) => o.embedding)];
        if (others.length === 0) continue;
        const best = Math.max(...others.map((o) => cosine(img.embedding, o)));
        if (best < unknownThreshold) {
          problems.push({
            index: img.index,
            filename: img.filename,
            code: 'different_person',
            reason: `the face does not look like the profile's other images (best similarity ${best.toFixed(2)}, at least ${unknownThreshold} expected)`,
          });
        }
      }
    }
    if (problems.length) throw rejection(problems.map((p) => ({ ...p, status: HttpStatus.UNPROCESSABLE_ENTITY })));
    return accepted;
  }

  /** Quality limits of enrolment: the detection limits, with a higher floor on face size. */
  private async enrolmentLimits(): Promise<Required<QualityLimits>> {
    const t = await this.index.thresholds();
    return {
      minFaceSizePx: Math.max(t.minFaceSizePx, t.enrolMinFaceSizePx),
      minSharpness: t.minSharpness,
      minDetectionScore: t.minDetectionScore,
    };
  }
}

function pickFace(
  faces: readonly DetectedFace[],
  limits: Required<QualityLimits>,
): { face: DetectedFace } | Omit<RejectedImageDto, 'index' | 'filename'> {
  if (faces.length === 0) return { code: 'no_face', reason: 'no face found; the image must show one face, clearly visible' };
  const usable = faces.filter((f) => f.embedding && qualityProblem(f, limits) === null);
  if (usable.length === 1) return { face: usable[0] };
  if (usable.length > 1) {
    return { code: 'multiple_faces', reason: `${usable.length} faces found; each image must show exactly one person` };
  }
  // Faces were found but none is usable: explain the best of them.
  const best = [...faces].sort((a, b) => faceSizeOf(b.box) - faceSizeOf(a.box))[0];
  const problem = qualityProblem(best, limits);
  const size = best.quality?.faceSizePx ?? faceSizeOf(best.box);
  switch (problem) {
    case 'too_small':
      return { code: 'face_too_small', reason: `the face is ${size} px wide, at least ${limits.minFaceSizePx} px are needed` };
    case 'too_blurry':
      return {
        code: 'face_too_blurry',
        reason: `the face is too blurry (sharpness ${best.quality?.sharpness ?? 0}, at least ${limits.minSharpness} needed)`,
      };
    case 'low_detection_score':
      return {
        code: 'low_detection_score',
        reason: `the face is not clearly visible (detector confidence ${best.score}, at least ${limits.minDetectionScore} needed)`,
      };
    default:
      return { code: 'no_face', reason: 'the face could not be measured; use a frontal, well-lit photo' };
  }
}

async function normaliseToJpeg(input: Buffer, limits: ImageLimits): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(input, { limitInputPixels: limits.maxPixels ?? limits.maxWidth * limits.maxHeight, failOn: 'error' })
    .autoOrient()
    .flatten({ background: '#ffffff' })
    .resize({ width: STORED_MAX_SIDE, height: STORED_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .jpeg({ quality: JPEG_QUALITY })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function statusOf(code: ImageValidationError['code']): HttpStatus {
  if (code === 'unsupported_type') return HttpStatus.UNSUPPORTED_MEDIA_TYPE;
  if (code === 'too_many_bytes') return HttpStatus.PAYLOAD_TOO_LARGE;
  return HttpStatus.UNPROCESSABLE_ENTITY;
}

const CODE_OF_STATUS: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  [HttpStatus.PAYLOAD_TOO_LARGE]: ErrorCode.PAYLOAD_TOO_LARGE,
  [HttpStatus.UNPROCESSABLE_ENTITY]: ErrorCode.UNPROCESSABLE,
};

/**
 * One error for the whole upload: the status of the first problem, a message naming it, and
 * every refused image in details.images.
 */
function rejection(problems: Array<RejectedImageDto & { status: HttpStatus }>): ApiException {
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more refused image${problems.length > 2 ? 's' : ''})` : '';
  const images: RejectedImageDto[] = problems.map(({ status: _status, ...p }) => p);
  return new ApiException(
    first.status,
    CODE_OF_STATUS[first.status] ?? ErrorCode.UNPROCESSABLE,
    `Image ${first.index} (${first.filename}) refused: ${first.reason}${more}. Nothing was stored.`,
    { images },
  );
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
