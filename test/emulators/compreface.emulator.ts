/**
 * Emulator of the CompreFace Face Recognition service REST API (v1), written from
 * exadel-inc/CompreFace docs/Rest-API-description.md and its key filter / error codes:
 * - every call needs `x-api-key`: missing -> 400 code 20, not a UUID -> 400 "Model key should be UUID",
 *   unknown -> 404 code 10 "Recognition service with API Key <key> not found";
 * - POST /api/v1/recognition/recognize?limit=&prediction_count=&det_prob_threshold=, multipart `file`
 *   -> {result: [{box: {probability, x_max, y_max, x_min, y_min}, subjects: [{subject, similarity}]}]};
 *   no face -> 400 {message: 'No face is found in the given image', code: 28};
 * - POST /api/v1/recognition/faces?subject=, multipart `file` -> 201 {image_id, subject};
 * - DELETE /api/v1/recognition/faces?subject= -> {deleted}; without subject every face is deleted;
 * - GET /api/v1/recognition/faces -> {faces: [{image_id, subject}], page_number, page_size, total_pages, total_elements};
 * - GET /api/v1/recognition/subjects -> {subjects}.
 * Like CompreFace, a face that resembles nobody still lists the closest subjects, with a low similarity.
 */
import {
  DEFAULT_FACE_BOX,
  ProviderEmulator,
  type EmulatorOptions,
  type EmulatorReply,
  type ParsedRequest,
  type ScriptedFace,
} from './generic-provider.emulator';

const PREFIX = '/api/v1/recognition';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const NO_FACE: EmulatorReply = { status: 400, body: { message: 'No face is found in the given image', code: 28 } };

export class CompreFaceEmulator extends ProviderEmulator {
  /** Similarity given to the closest subject when the face matches nobody. */
  unknownSimilarity = 0.21;

  constructor(opts: EmulatorOptions = {}) {
    super(opts);
  }

  protected failureBody(status: number): unknown {
    return { message: `Emulated failure (HTTP ${status})`, code: 0 };
  }

  protected handle(req: ParsedRequest): EmulatorReply {
    const refused = this.checkKey(req);
    if (refused) return refused;
    const route = `${req.method} ${req.path.replace(/\/+$/, '')}`;
    switch (route) {
      case `POST ${PREFIX}/recognize`:
        return this.recognize(req);
      case `POST ${PREFIX}/faces`:
        return this.addExample(req);
      case `DELETE ${PREFIX}/faces`:
        return this.deleteExamples(req);
      case `GET ${PREFIX}/faces`:
        return this.listExamples(req);
      case `GET ${PREFIX}/subjects`:
        return { status: 200, body: { subjects: this.subjects() } };
      default:
        return { status: 404, body: { message: `No handler for ${route}`, code: 0 } };
    }
  }

  private checkKey(req: ParsedRequest): EmulatorReply | undefined {
    const header = req.headers['x-api-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (!key) return { status: 400, body: { message: 'Missing header: x-api-key', code: 20 } };
    if (key.length < 36 || !UUID.test(key)) return { status: 400, body: { message: 'Model key should be UUID' } };
    if (this.apiKey !== undefined && key !== this.apiKey) {
      return { status: 404, body: { message: `Recognition service with API Key ${key} not found`, code: 10 } };
    }
    return undefined;
  }

  private recognize(req: ParsedRequest): EmulatorReply {
    const file = req.files.find((f) => f.field === 'file');
    if (!file) return { status: 400, body: { message: "Required request part 'file' is not present", code: 34 } };
    if (this.takeNoFace()) return NO_FACE;
    const limit = Number(req.query.get('limit') ?? '0') || 0;
    const predictionCount = Math.max(1, Number(req.query.get('prediction_count') ?? '1') || 1);
    const threshold = Number(req.query.get('det_prob_threshold') ?? '0') || 0;
    let faces = this.facesFor(file.sha256).filter((f) => (f.probability ?? 1) >= threshold);
    if (faces.length === 0) return NO_FACE;
    if (limit > 0) faces = faces.slice(0, limit);
    const result = faces.map((face) => {
      const box = face.box ?? DEFAULT_FACE_BOX;
      return {
        box: { probability: face.probability ?? 1, x_max: box.x_max, y_max: box.y_max, x_min: box.x_min, y_min: box.y_min },
        subjects: this.candidates(face).slice(0, predictionCount),
      };
    });
    return { status: 200, body: { result } };
  }

  /** Subjects ordered by similarity: the recognised one first, then the others far behind. */
  private candidates(face: ScriptedFace): { subject: string; similarity: number }[] {
    const others = this.subjects()
      .filter((s) => s !== face.subject)
      .map((subject, i) => ({ subject, similarity: Math.max(0, this.unknownSimilarity - i * 0.01) }));
    return face.subject !== null ? [{ subject: face.subject, similarity: face.similarity }, ...others] : others;
  }

  private addExample(req: ParsedRequest): EmulatorReply {
    const subject = req.query.get('subject');
    if (!subject) return { status: 400, body: { message: "Required request parameter 'subject' is not present", code: 33 } };
    const file = req.files.find((f) => f.field === 'file');
    if (!file) return { status: 400, body: { message: "Required request part 'file' is not present", code: 34 } };
    if (this.takeNoFace()) return NO_FACE;
    this.addToGallery(subject, [file.sha256]);
    return { status: 201, body: { image_id: imageId(subject, file.sha256), subject } };
  }

  private deleteExamples(req: ParsedRequest): EmulatorReply {
    const subject = req.query.get('subject');
    if (subject) return { status: 200, body: { deleted: this.removeSubject(subject) } };
    let deleted = 0;
    for (const s of this.subjects()) deleted += this.removeSubject(s);
    return { status: 200, body: { deleted } };
  }

  private listExamples(req: ParsedRequest): EmulatorReply {
    const page = Math.max(0, Number(req.query.get('page') ?? '0') || 0);
    const size = Math.max(1, Number(req.query.get('size') ?? '20') || 20);
    const all = this.subjects().flatMap((subject) =>
      this.galleryOf(subject).map((hash) => ({ image_id: imageId(subject, hash), subject })),
    );
    return {
      status: 200,
      body: {
        faces: all.slice(page * size, page * size + size),
        page_number: page,
        page_size: size,
        total_pages: Math.ceil(all.length / size),
        total_elements: all.length,
      },
    };
  }
}

/** A stable UUID-shaped id for an example. */
function imageId(subject: string, hash: string): string {
  const h = `${hash}${Buffer.from(subject).toString('hex')}`.slice(0, 32).padEnd(32, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
