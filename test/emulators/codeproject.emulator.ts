/**
 * Emulator of the face API shared by CodeProject.AI Server (FaceProcessing module) and DeepStack,
 * written from their sources (CodeProject.AI-Server src/modules/FaceProcessing/intelligencelayer/face.py,
 * DeepStack server/server.go and middlewares.go):
 * - POST /v1/vision/face/recognize, multipart `image` (+ `min_confidence`, default 0.67)
 *   -> {success, predictions: [{confidence, userid, x_min, y_min, x_max, y_max}], ...}; a match below
 *   min_confidence is userid 'unknown' with confidence 0;
 * - POST /v1/vision/face/register with `userid` and one or more image fields: one embedding per user,
 *   each call replaces it ("face added" / "face updated");
 * - POST /v1/vision/face/delete with `userid` -> {success: true};
 * - POST /v1/vision/face/list -> {success: true, faces: [userid...]};
 * - DeepStack started with an API key wants the `api_key` form field: otherwise 401 "Incorrect api key".
 * No face in a recognize image: CodeProject.AI answers {success: false, error: 'No face found in image'},
 * DeepStack {success: true, predictions: []} (choose with `flavour`).
 */
import {
  DEFAULT_FACE_BOX,
  ProviderEmulator,
  type EmulatorOptions,
  type EmulatorReply,
  type ParsedRequest,
} from './generic-provider.emulator';

export interface CodeProjectEmulatorOptions extends EmulatorOptions {
  flavour?: 'codeproject' | 'deepstack';
}

const FACE = '/v1/vision/face';

export class CodeProjectEmulator extends ProviderEmulator {
  readonly flavour: 'codeproject' | 'deepstack';

  constructor(opts: CodeProjectEmulatorOptions = {}) {
    super(opts);
    this.flavour = opts.flavour ?? 'codeproject';
  }

  protected failureBody(status: number): unknown {
    return { success: false, error: `Emulated failure (HTTP ${status})`, code: status };
  }

  protected handle(req: ParsedRequest): EmulatorReply {
    if (req.method !== 'POST') return { status: 405, body: { success: false, error: 'Method not allowed' } };
    if (this.apiKey !== undefined && req.fields.get('api_key') !== this.apiKey) {
      return { status: 401, body: { success: false, error: 'Incorrect api key' } };
    }
    switch (req.path.replace(/\/+$/, '')) {
      case `${FACE}/recognize`:
        return this.recognize(req);
      case `${FACE}/register`:
        return this.register(req);
      case `${FACE}/delete`:
        return this.remove(req);
      case `${FACE}/list`:
        return { status: 200, body: { success: true, faces: this.subjects() } };
      default:
        return { status: 404, body: { success: false, error: `No route ${req.path}` } };
    }
  }

  private recognize(req: ParsedRequest): EmulatorReply {
    const image = req.files.find((f) => f.field === 'image');
    if (!image) return { status: 400, body: { success: false, error: 'No valid image file found' } };
    const raw = req.fields.get('min_confidence');
    const threshold = raw === undefined || raw === '' ? 0.67 : Number(raw);
    if (!Number.isFinite(threshold)) return { status: 400, body: { success: false, error: 'Invalid value for min_confidence' } };
    if (threshold > 1) return { status: 400, body: { success: false, error: 'min_confidence cannot be greater than 1' } };
    const faces = this.takeNoFace() ? [] : this.facesFor(image.sha256);
    if (faces.length === 0) {
      return this.flavour === 'deepstack'
        ? { status: 200, body: { success: true, predictions: [] } }
        : { status: 200, body: { success: false, error: 'No face found in image', inferenceMs: 4 } };
    }
    let known = false;
    const predictions = faces.map((face) => {
      const box = face.box ?? DEFAULT_FACE_BOX;
      const recognised = face.subject !== null && face.similarity >= threshold;
      known ||= recognised;
      return {
        confidence: recognised ? face.similarity : 0,
        userid: recognised ? face.subject : 'unknown',
        x_min: box.x_min,
        y_min: box.y_min,
        x_max: box.x_max,
        y_max: box.y_max,
      };
    });
    if (this.flavour === 'deepstack') return { status: 200, body: { success: true, predictions } };
    return {
      status: 200,
      body: {
        success: true,
        message: known ? 'A face was recognised' : 'No known faces',
        count: predictions.length,
        predictions,
        inferenceMs: 12,
        processMs: 15,
        moduleId: 'FaceProcessing',
        moduleName: 'Face Processing',
        command: 'recognize',
        executionProvider: 'CPU',
        canUseGPU: false,
      },
    };
  }

  private register(req: ParsedRequest): EmulatorReply {
    const userid = req.fields.get('userid');
    if (!userid) return { status: 400, body: { success: false, error: 'userid not specified' } };
    if (req.files.length === 0) return { status: 400, body: { success: false, error: 'No valid image file found' } };
    if (this.takeNoFace()) {
      return this.flavour === 'deepstack'
        ? { status: 400, body: { success: false, error: 'no face detected' } }
        : { status: 200, body: { success: false, error: 'No face detected' } };
    }
    const existed = this.galleryOf(userid).length > 0;
    this.replaceGallery(
      userid,
      req.files.map((f) => f.sha256),
    );
    return { status: 200, body: { success: true, message: existed ? 'face updated' : 'face added', inferenceMs: 20 } };
  }

  private remove(req: ParsedRequest): EmulatorReply {
    const userid = req.fields.get('userid');
    if (!userid) return { status: 400, body: { success: false, error: 'userid not specified' } };
    this.removeSubject(userid);
    return { status: 200, body: { success: true } };
  }
}
