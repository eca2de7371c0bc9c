/**
 * Same-person vs different-person cosine similarity with the built-in engine over every real
 * photograph we have, plus how similarity decays with blur and with face size, to ground the
 * default thresholds (DEFAULT_CLASSIFY_THRESHOLDS). Run:
 *   bash scripts/fetch-test-photos.sh && npx tsx bench/face-thresholds.bench.ts
 * Writes bench/results/face-thresholds.json. A few dozen photos is a smoke test, not an
 * accuracy claim: re-check thresholds on real camera footage of the site.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { DEFAULT_CLASSIFY_THRESHOLDS, HumanFaceEngine, type DetectedFace } from '@app/faces/engine';
import { photoNames, photoPath, readPhoto } from '../test/support/photos';

/** Photos of one person under several names; every other photo is its own person. */
const SAME_PERSON: Record<string, string> = {
  'cage.jpg': 'cage',
  'cage2_crop.jpg': 'cage',
  'SeanConnery.jpg': 'sean',
  'sean_guru2_crop.jpg': 'sean', // heavy make-up: the hard pair
  'Justin-Bieber2_crop.jpg': 'bieber',
  'bieber_small.jpg': 'bieber',
};
const NO_FACE = ['coffee.png', 'chelsea.png'];
const MULTI_FACE = ['faces.jpg']; // three different people
const VIDEO_FRAMES = 16;

interface Sample {
  source: string;
  person: string;
  session: string; // photos of one shoot/video share a session
  embedding: number[];
  faceSizePx: number;
  sharpness: number;
  score: number;
}

interface Pair {
  a: string;
  b: string;
  similarity: number;
}

const round = (v: number, d = 4) => Math.round(v * 10 ** d) / 10 ** d;

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;
}

function summary(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return {
    n: s.length,
    min: round(s[0]),
    p05: round(q(0.05)),
    p50: round(q(0.5)),
    p95: round(q(0.95)),
    max: round(s[s.length - 1]),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

function histogram(values: number[], from = -0.2, to = 1, step = 0.05): Record<string, number> {
  const h: Record<string, number> = {};
  for (let x = from; x < to - 1e-9; x += step) h[x.toFixed(2)] = 0;
  for (const v of values) {
    const k = (Math.floor((v - from) / step) * step + from).toFixed(2);
    if (k in h) h[k]++;
  }
  return h;
}

function onlyFace(faces: DetectedFace[], source: string): DetectedFace | null {
  if (faces.length !== 1) {
    console.warn(`${source}: ${faces.length} faces, skipped`);
    return null;
  }
  return faces[0];
}

function toSample(face: DetectedFace, source: string, person: string, session: string): Sample {
  if (!face.embedding) throw new Error(`${source}: no embedding`);
  return {
    source,
    person,
    session,
    embedding: face.embedding,
    faceSizePx: face.quality?.faceSizePx ?? 0,
    sharpness: face.quality?.sharpness ?? 0,
    score: face.score,
  };
}

/** Frames of franck.mp4 (same person, same session), via ffmpeg when it is installed. */
function videoFrames(): { name: string; data: Buffer }[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'franck-'));
  try {
    execFileSync(
      'ffmpeg',
      [
        '-v',
        'error',
        '-i',
        photoPath('franck.mp4'),
        '-vf',
        'fps=1/12',
        '-frames:v',
        String(VIDEO_FRAMES),
        '-q:v',
        '3',
        path.join(dir, 'f%02d.jpg'),
      ],
      { timeout: 60_000, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return readdirSync(dir)
      .sort()
      .map((n) => ({ name: `franck.mp4#${n}`, data: readFileSync(path.join(dir, n)) }));
  } catch (err) {
    console.warn(`ffmpeg frames skipped: ${err instanceof Error ? err.message : String(err)}`);
    return [];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Put an image, scaled so its face is `facePx` wide, in a 640x480 grey frame. */
async function atFaceSize(photo: Buffer, faceWidth: number, facePx: number): Promise<Buffer> {
  const meta = await sharp(photo).metadata();
  const scale = facePx / faceWidth;
  const w = Math.max(8, Math.round(meta.width * scale));
  const h = Math.max(8, Math.round(meta.height * scale));
  const scaled = await sharp(photo).resize(Math.min(w, 640), Math.min(h, 480), { fit: 'fill' }).toBuffer();
  return sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 110, g: 110, b: 110 } } })
    .composite([{ input: scaled, gravity: 'centre' }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function main(): Promise<void> {
  const engine = new HumanFaceEngine();
  await engine.init();
  const match = DEFAULT_CLASSIFY_THRESHOLDS.matchThreshold;

  // ---- every photo ------------------------------------------------------------------------
  const samples: Sample[] = [];
  const skipped: string[] = [];
  const stills = photoNames(/\.(jpe?g|png)$/i).filter((n) => !NO_FACE.includes(n));
  for (const name of stills) {
    const { faces } = await engine.analyze(readPhoto(name));
    if (MULTI_FACE.includes(name)) {
      faces.forEach((f, i) => samples.push(toSample(f, `${name}#${i}`, `${name}#${i}`, name)));
      continue;
    }
    const face = onlyFace(faces, name);
    if (!face) {
      skipped.push(`${name} (${faces.length} faces)`);
      continue;
    }
    const franck = name.startsWith('franck_');
    const person = franck ? 'franck' : (SAME_PERSON[name] ?? name);
    samples.push(toSample(face, name, person, franck ? 'franck-video' : name));
  }
  for (const frame of videoFrames()) {
    const face = onlyFace((await engine.analyze(frame.data)).faces, frame.name);
    if (face) samples.push(toSample(face, frame.name, 'franck', 'franck-video'));
    else skipped.push(frame.name);
  }
  const falseDetections: Record<string, number> = {};
  for (const name of NO_FACE) falseDetections[name] = (await engine.analyze(readPhoto(name))).faces.length;

  // ---- pairs ------------------------------------------------------------------------------
  const sameSession: Pair[] = [];
  const sameAcrossPhotos: Pair[] = [];
  const different: Pair[] = [];
  for (let i = 0; i < samples.length; i++) {
    for (let j = i + 1; j < samples.length; j++) {
      const a = samples[i];
      const b = samples[j];
      const pair = { a: a.source, b: b.source, similarity: round(cosine(a.embedding, b.embedding)) };
      if (a.person !== b.person) different.push(pair);
      else if (a.session === b.session) sameSession.push(pair);
      else sameAcrossPhotos.push(pair);
    }
  }
  const same = [...sameSession, ...sameAcrossPhotos];
  const maxDifferent = Math.max(...different.map((p) => p.similarity));
  const topDifferent = [...different].sort((a, b) => b.similarity - a.similarity).slice(0, 8);

  // Error counts over candidate thresholds.
  const sweep = [];
  for (let t = 0.4; t <= 0.851; t += 0.01) {
    sweep.push({
      threshold: round(t, 2),
      falseAccepts: different.filter((p) => p.similarity >= t).length,
      falseRejectsAcrossPhotos: sameAcrossPhotos.filter((p) => p.similarity < t).length,
      falseRejectsSameSession: sameSession.filter((p) => p.similarity < t).length,
    });
  }
  // Zero false accepts with a margin of 0.03 over the worst different-person pair, rounded up.
  const suggestedMatch = Math.ceil((maxDifferent + 0.03) * 100) / 100;

  // ---- degradation: blur and face size -----------------------------------------------------
  const byName = new Map(samples.map((s) => [s.source, s]));
  const probes = [
    { probe: 'cage2_crop.jpg', reference: 'cage.jpg' },
    { probe: 'bieber_small.jpg', reference: 'Justin-Bieber2_crop.jpg' },
    { probe: 'franck_03909.jpg', reference: 'franck_01829.jpg' },
    { probe: 'grace_hopper.jpg', reference: 'grace_hopper.jpg' },
  ].filter((p) => byName.has(p.probe) && byName.has(p.reference));

  const blur: Record<string, unknown>[] = [];
  for (const { probe, reference } of probes) {
    const ref = byName.get(reference) as Sample;
    for (const sigma of [0, 0.8, 1.2, 1.6, 2, 2.5, 3, 4, 5, 6, 8]) {
      let img = sharp(readPhoto(probe));
      if (sigma > 0) img = img.blur(sigma);
      const { faces } = await engine.analyze(await img.jpeg({ quality: 92 }).toBuffer());
      const f = faces.length === 1 ? faces[0] : null;
      blur.push({
        probe,
        reference,
        sigma,
        detected: faces.length,
        sharpness: f?.quality?.sharpness ?? null,
        faceSizePx: f?.quality?.faceSizePx ?? null,
        similarity: f?.embedding ? round(cosine(f.embedding, ref.embedding)) : null,
      });
    }
  }

  const size: Record<string, unknown>[] = [];
  for (const { probe, reference } of probes) {
    const ref = byName.get(reference) as Sample;
    const original = await engine.analyze(readPhoto(probe));
    const width = original.faces[0]?.box.width;
    if (!width) continue;
    for (const px of [16, 20, 24, 28, 32, 36, 40, 48, 56, 64, 80, 96, 128, 160]) {
      const { faces } = await engine.analyze(await atFaceSize(readPhoto(probe), width, px));
      const f = faces.length === 1 ? faces[0] : null;
      size.push({
        probe,
        reference,
        targetFaceWidthPx: px,
        detected: faces.length,
        faceSizePx: f?.quality?.faceSizePx ?? null,
        sharpness: f?.quality?.sharpness ?? null,
        similarity: f?.embedding ? round(cosine(f.embedding, ref.embedding)) : null,
      });
    }
  }

  // Quality limits: below them a genuine face may fall under `floor`, i.e. far enough from its
  // enrolled photo to risk a conclusive "stranger". Limit = worst failing value x 1.3, rounded up.
  const floor = round(DEFAULT_CLASSIFY_THRESHOLDS.unknownThreshold + 0.1, 2);
  const fails = (r: Record<string, unknown>) => typeof r.similarity !== 'number' || r.similarity < floor;
  const worstFailing = (rows: Record<string, unknown>[], key: 'faceSizePx' | 'sharpness') =>
    Math.max(0, ...rows.filter(fails).map((r) => (typeof r[key] === 'number' ? (r[key] as number) : 0)));
  const sizeFail = worstFailing(size, 'faceSizePx');
  const blurFail = worstFailing(blur, 'sharpness');
  const suggestedQuality = {
    floor,
    rule: 'similarity to the enrolled photo must stay >= unknownThreshold + 0.1; limit = 1.3 x the largest failing value, rounded up (size to 4 px, sharpness to 5)',
    largestFailingFaceSizePx: sizeFail,
    largestFailingSharpness: blurFail,
    minFaceSizePx: Math.ceil((sizeFail * 1.3) / 4) * 4,
    minSharpness: Math.ceil((blurFail * 1.3) / 5) * 5,
  };

  const result = {
    startedAt: new Date().toISOString(),
    model: `${engine.modelName}@${engine.modelVersion}`,
    metric: 'cosine similarity of L2-normalised faceres embeddings',
    currentDefaults: DEFAULT_CLASSIFY_THRESHOLDS,
    photos: { faces: samples.length, persons: new Set(samples.map((s) => s.person)).size, skipped, falseDetections },
    sameSession: { ...summary(sameSession.map((p) => p.similarity)), note: 'franck video frames: one person, one session' },
    sameAcrossPhotos: { ...summary(sameAcrossPhotos.map((p) => p.similarity)), pairs: sameAcrossPhotos },
    sameAll: summary(same.map((p) => p.similarity)),
    different: { ...summary(different.map((p) => p.similarity)), top: topDifferent },
    histograms: {
      same: histogram(same.map((p) => p.similarity)),
      different: histogram(different.map((p) => p.similarity)),
    },
    sweep,
    suggested: {
      matchThreshold: suggestedMatch,
      rule: 'worst different-person pair + 0.03, rounded up: no false accept on this set',
      falseRejectsAtSuggested: sweep.find((s) => Math.abs(s.threshold - suggestedMatch) < 1e-6) ?? null,
      falseRejectsAtCurrentDefault: sweep.find((s) => Math.abs(s.threshold - match) < 1e-6) ?? null,
      unknownThreshold: 0.5,
      unknownRule:
        'below every same-person pair seen (hard make-up pair included), so a genuine face is at worst inconclusive; ' +
        'different-person pairs at or above it are inconclusive rather than conclusive strangers',
      differentPairsInconclusiveAt050: different.filter((p) => p.similarity >= 0.5 && p.similarity < suggestedMatch).length,
      samePairsBelow050: same.filter((p) => p.similarity < 0.5).length,
      quality: suggestedQuality,
    },
    faceQualityOfRealPhotos: {
      sharpness: summary(samples.map((s) => s.sharpness)),
      faceSizePx: summary(samples.map((s) => s.faceSizePx)),
      detectorScore: summary(samples.map((s) => s.score)),
    },
    degradation: { blur, size },
  };
  const out = path.join(process.cwd(), 'bench', 'results', 'face-thresholds.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  const { degradation: _d, sweep: _s, histograms: _h, ...brief } = result;
  console.log(JSON.stringify(brief, null, 1).slice(0, 6000));
  console.log(`wrote ${out}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
