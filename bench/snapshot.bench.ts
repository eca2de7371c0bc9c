/**
 * Snapshot figures for the camera stream layer. Run:
 *   npx tsx bench/snapshot.bench.ts            (SNAPSHOT_N=20 for more samples)
 * Writes bench/results/snapshot.json:
 *  - grabFrame latency (one JPEG, one ffmpeg spawn per snapshot) from RTSP over TCP and UDP, MJPEG
 *    and a local file, p50/p95 over N;
 *  - probe (test-connection) duration and its reported latency;
 *  - FrameSampler time to first frame (one long-lived ffmpeg per camera);
 *  - the CPU cost of 16 samplers at one frame per 2 s against that of grabbing the same frames.
 * Timings are wall clock on this machine (2 cores, shared): compare figures from the same run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { FfmpegClient, FrameSampler, inputArgs, type StreamSource } from '@app/cameras/stream';
import { makeTestVideo, startMjpegServer, startRtspTcpServer, startRtspUdpServer, stopAllTestStreams } from '../test/support/streams';

interface Stats {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  const r = (v: number): number => Math.round(v);
  return {
    n: s.length,
    min: r(s[0]),
    p50: r(q(0.5)),
    p95: r(q(0.95)),
    max: r(s[s.length - 1]),
    mean: r(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

const N = Number(process.env.SNAPSHOT_N ?? 10);
const WIDTH = 1920;
const HEIGHT = 1080;
const FPS = 15;
const GOP_SECONDS = 1;
const SAMPLERS = 16;
const SAMPLER_INTERVAL_MS = 2000;
const LOAD_WINDOW_MS = 20_000;

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), counted from after the command name.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function timeGrabs(client: FfmpegClient, source: StreamSource, n: number): Promise<{ ms: Stats; bytes: number }> {
  const samples: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i += 1) {
    const started = performance.now();
    const frame = await client.grabFrame(source);
    samples.push(performance.now() - started);
    bytes = frame.length;
  }
  return { ms: stats(samples), bytes };
}

async function timeProbes(
  client: FfmpegClient,
  source: StreamSource,
  n: number,
): Promise<{ durationMs: Stats; latencyMs: Stats; bitrateMbps: number; fps: number }> {
  const durations: number[] = [];
  const latencies: number[] = [];
  let last = { bitrate: 0, fps: 0 };
  for (let i = 0; i < n; i += 1) {
    const started = performance.now();
    const result = await client.probe(source);
    if (!result.success) throw new Error(`probe failed: ${result.message}`);
    durations.push(performance.now() - started);
    latencies.push(result.latencyMs);
    last = result;
  }
  return { durationMs: stats(durations), latencyMs: stats(latencies), bitrateMbps: last.bitrate, fps: last.fps };
}

async function timeFirstFrames(source: StreamSource, n: number): Promise<Stats> {
  const samples: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const sampler = new FrameSampler({ source, intervalMs: SAMPLER_INTERVAL_MS });
    sampler.start();
    try {
      await sampler.waitForFrame(20_000);
      samples.push(sampler.stats().firstFrameMs ?? NaN);
    } finally {
      await sampler.stop();
    }
  }
  return stats(samples);
}

/** 16 samplers on one RTSP stream for a window: frames delivered and CPU used by their ffmpegs. */
async function samplerLoad(source: StreamSource): Promise<Record<string, number>> {
  const pids: number[] = [];
  const samplers = Array.from(
    { length: SAMPLERS },
    () => new FrameSampler({ source, intervalMs: SAMPLER_INTERVAL_MS, onSpawn: (pid) => pids.push(pid) }),
  );
  samplers.forEach((sampler) => sampler.start());
  try {
    await Promise.all(samplers.map((sampler) => sampler.waitForFrame(30_000)));
    const framesBefore = samplers.reduce((sum, s) => sum + s.stats().frames, 0);
    const cpuBefore = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    await new Promise((resolve) => setTimeout(resolve, LOAD_WINDOW_MS));
    const cpuUsed = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - cpuBefore;
    const frames = samplers.reduce((sum, s) => sum + s.stats().frames, 0) - framesBefore;
    return {
      samplers: SAMPLERS,
      intervalMs: SAMPLER_INTERVAL_MS,
      windowMs: LOAD_WINDOW_MS,
      framesDelivered: frames,
      framesExpected: Math.floor((SAMPLERS * LOAD_WINDOW_MS) / SAMPLER_INTERVAL_MS),
      cpuCoresUsed: Math.round((cpuUsed / (LOAD_WINDOW_MS / 1000)) * 1000) / 1000,
      cpuMsPerFrame: frames ? Math.round((cpuUsed * 1000) / frames) : 0,
      restarts: samplers.reduce((sum, s) => sum + s.stats().restarts, 0),
    };
  } finally {
    await Promise.all(samplers.map((sampler) => sampler.stop()));
  }
}

/**
 * CPU per snapshot when each one spawns ffmpeg (connect, analyse, decode to the first keyframe,
 * encode one JPEG): the same input arguments as grabFrame, timed by ffmpeg's own `-benchmark`.
 */
function grabCpuMs(source: StreamSource, n: number): number {
  const samples: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const result = spawnSync(
      'ffmpeg',
      [
        '-hide_banner',
        '-nostdin',
        '-benchmark',
        ...inputArgs(source, { socketTimeoutMs: 5000, analyzeDurationUs: 300_000, probeSize: 1_000_000 }),
        '-map',
        '0:v:0',
        '-frames:v',
        '1',
        '-q:v',
        '3',
        '-f',
        'image2pipe',
        '-vcodec',
        'mjpeg',
        'pipe:1',
      ],
      { encoding: 'buffer', timeout: 15_000, maxBuffer: 64 * 1024 * 1024 },
    );
    const match = /bench: utime=([\d.]+)s stime=([\d.]+)s/.exec(result.stderr.toString('utf8'));
    if (match) samples.push((Number(match[1]) + Number(match[2])) * 1000);
  }
  return samples.length ? stats(samples).p50 : NaN;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'snapshot-bench-'));
  const client = new FfmpegClient({ socketTimeoutMs: 5000 });
  try {
    const video = await makeTestVideo(dir, { seconds: 6, width: WIDTH, height: HEIGHT, fps: FPS, gopSeconds: GOP_SECONDS, text: 'BENCH' });
    const [tcp, udp, mjpeg] = await Promise.all([
      startRtspTcpServer({ video }),
      startRtspUdpServer({ video }),
      startMjpegServer({ fps: 10, source: video, seconds: 2 }),
    ]);
    const sources: Record<string, StreamSource> = {
      rtspTcp: { type: 'RTSP', url: tcp.url },
      rtspUdp: { type: 'RTSP', url: udp.url, rtspTransport: 'udp' },
      mjpeg: { type: 'HTTP', url: mjpeg.url },
      file: { type: 'Local File', url: video },
    };
    // Warm up: fluent-ffmpeg checks ffmpeg's formats/encoders once per process.
    await client.grabFrame(sources.file);

    const grab: Record<string, unknown> = {};
    for (const [name, source] of Object.entries(sources)) {
      grab[name] = await timeGrabs(client, source, N);
      console.log('grabFrame', name, JSON.stringify(grab[name]));
    }
    // The same grab with the probe's 1 s analysis, to show what the shorter default saves.
    const slowAnalyse = new FfmpegClient({ socketTimeoutMs: 5000, grabAnalyzeDurationUs: 1_000_000 });
    grab.rtspTcpAnalyze1s = await timeGrabs(slowAnalyse, sources.rtspTcp, N);
    grab.rtspUdpAnalyze1s = await timeGrabs(slowAnalyse, sources.rtspUdp, N);
    console.log('grabFrame RTSP, analyzeduration 1 s', JSON.stringify([grab.rtspTcpAnalyze1s, grab.rtspUdpAnalyze1s]));

    const probe: Record<string, unknown> = {};
    for (const name of ['rtspTcp', 'rtspUdp', 'mjpeg', 'file']) {
      probe[name] = await timeProbes(client, sources[name], Math.min(N, 5));
      console.log('probe', name, JSON.stringify(probe[name]));
    }

    const firstFrame: Record<string, Stats> = {};
    for (const [name, source] of Object.entries(sources)) {
      firstFrame[name] = await timeFirstFrames(source, Math.min(N, 5));
      console.log('sampler first frame', name, JSON.stringify(firstFrame[name]));
    }

    const load = await samplerLoad(sources.rtspTcp);
    const grabCpu = grabCpuMs(sources.rtspTcp, 5);
    console.log('16 samplers', JSON.stringify(load), 'cpu ms per grabFrame', grabCpu);

    const results = {
      generatedAt: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
        node: process.version,
        ffmpeg: execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0],
      },
      config: {
        n: N,
        video: `${WIDTH}x${HEIGHT} H.264 ${FPS} fps, keyframe every ${GOP_SECONDS} s`,
        grab: 'analyzeduration 0.3 s (probe: 1 s), probesize 1 MB, socket timeout 5 s',
        sampler: `interval ${SAMPLER_INTERVAL_MS} ms, keyframes only`,
        servers: { rtspTcp: 'GStreamer rtsp-server', rtspUdp: 'rtsp-server-perl', mjpeg: 'Node multipart server, 10 fps' },
      },
      grabFrameMs: grab,
      probe,
      samplerFirstFrameMs: firstFrame,
      samplerLoad16: {
        ...load,
        cpuMsPerGrabFrame: grabCpu,
        // The same 16 cameras at one frame per 2 s with a spawn per frame.
        grabEquivalentCpuCores: Math.round(((SAMPLERS * 1000) / SAMPLER_INTERVAL_MS) * grabCpu) / 1000,
      },
    };
    const out = path.join(__dirname, 'results', 'snapshot.json');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`wrote ${out}`);
  } finally {
    await stopAllTestStreams();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
