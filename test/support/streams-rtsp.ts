import { randomBytes, randomInt } from 'node:crypto';
import { connect } from 'node:net';
import { canConnect, freeTcpPort, startProcess, waitUntil, type ManagedProcess } from './streams-process';
import { defaultTestVideo } from './streams-video';

/** A running test stream: its URL, and `stop()` which kills every process behind it. */
export interface RunningStream {
  url: string;
  /** Pids of the processes serving it (server, publisher). */
  pids: number[];
  stop(): Promise<void>;
}

export interface RtspServerOptions {
  /** H.264 MP4 to loop (see `makeTestVideo`). Default: the shared test video. */
  video?: string;
  /** Mount path, default a fresh `/cam-<random>`. */
  path?: string;
  /** Readiness bound. Default 15000 ms. */
  readyTimeoutMs?: number;
}

export interface RtspTcpServerOptions extends RtspServerOptions {
  /** Require RTSP Basic authentication with these credentials (put in the returned URL). */
  username?: string;
  password?: string;
}

const running = new Set<RunningStream>();

/** Stops every RTSP server this module started and is still running. */
export async function stopAllRtspServers(): Promise<void> {
  await Promise.all([...running].map((stream) => stream.stop()));
}

const freshPath = (): string => `/cam-${randomBytes(4).toString('hex')}`;

/**
 * rtsp-server-perl (Debian `rtsp-server-perl`) with its RTP port base chosen per server, exiting
 * when its stdin closes. Its own script hard-codes the base (20000) that parallel servers would fight
 * over, and it resets to that base whenever its last mount goes away.
 */
const PERL_SERVER = `
use strict; use warnings;
use AnyEvent; use RTSP::Server;
my $rtp = shift @ARGV;
$RTSP::Server::RTP_START_PORT = $rtp;
my $srv = RTSP::Server->new_with_options(rtp_start_port => $rtp);
$srv->listen;
my $cv = AnyEvent->condvar;
my $stdin = AnyEvent->io(fh => \\*STDIN, poll => 'r', cb => sub {
  my $n = sysread(STDIN, my $buf, 1024);
  $cv->send unless $n;
});
$SIG{INT} = $SIG{TERM} = sub { $cv->send };
$cv->recv;
`;

/**
 * GStreamer RTSP server (RTSP over TCP or UDP, as IP cameras do), driven by /usr/bin/python3.
 * The video arrives as MPEG-TS over UDP from an ffmpeg publisher (which loops and paces it); the
 * server relays it as H.264 RTP. Prints {"rtspPort", "udpPort"} once listening; exits when stdin
 * closes. Optional Basic authentication.
 */
const PYTHON_SERVER = `
import argparse, ctypes, json, signal, socket, sys
import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer

try:
    ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
except OSError:
    pass

parser = argparse.ArgumentParser()
parser.add_argument("--mount", required=True)
parser.add_argument("--user", default="")
parser.add_argument("--password", default="")
args = parser.parse_args()

Gst.init(None)
loop = GLib.MainLoop()
probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
probe.bind(("127.0.0.1", 0))
udp_port = probe.getsockname()[1]
probe.close()

server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service("0")
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    '( udpsrc address=127.0.0.1 port=%d caps="video/mpegts,systemstream=(boolean)true" '
    '! tsdemux latency=0 ! h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96 config-interval=-1 )'
    % udp_port
)
factory.set_shared(True)
if args.user:
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
    server.set_auth(auth)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_permission_for_role("user", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
    permissions.add_permission_for_role("user", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
    factory.set_permissions(permissions)
server.get_mount_points().add_factory(args.mount, factory)
if server.attach(None) == 0:
    print("could not attach the RTSP server", file=sys.stderr)
    sys.exit(1)

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
print(json.dumps({"rtspPort": server.get_bound_port(), "udpPort": udp_port}), flush=True)
loop.run()
`;

const PYTHON = '/usr/bin/python3';

/** Publisher arguments common to both servers: loop the file forever at its own pace, no re-encode. */
const publisherInput = (video: string): string[] => [
  '-hide_banner',
  '-nostdin',
  '-loglevel',
  'error',
  '-re',
  '-stream_loop',
  '-1',
  '-i',
  video,
  '-map',
  '0:v:0',
  '-c',
  'copy',
];

/**
 * Sends an RTSP DESCRIBE and resolves with the status code (0 when there was no answer).
 * A mount answers 200 only once its publisher is delivering video.
 */
export function rtspDescribe(url: string, timeoutMs = 3000): Promise<number> {
  const parsed = new URL(url);
  const port = Number(parsed.port || 554);
  const host = parsed.hostname;
  const auth =
    parsed.username !== ''
      ? `Authorization: Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}\r\n`
      : '';
  const bare = `rtsp://${host}:${port}${parsed.pathname}`;
  return new Promise<number>((resolve) => {
    const socket = connect({ host, port });
    let answer = '';
    const done = (status: number): void => {
      socket.destroy();
      resolve(status);
    };
    socket.setTimeout(timeoutMs, () => done(0));
    socket.once('error', () => done(0));
    socket.once('connect', () => {
      socket.write(`DESCRIBE ${bare} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n${auth}\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      const match = /^RTSP\/1\.0 (\d{3})/.exec(answer);
      if (match) done(Number(match[1]));
    });
  });
}

function track(processes: ManagedProcess[], url: string): RunningStream {
  let stopping: Promise<void> | null = null;
  const stream: RunningStream = {
    url,
    pids: processes.map((p) => p.pid),
    stop: () => {
      stopping ??= Promise.all(processes.map((p) => p.stop())).then(() => {
        running.delete(stream);
      });
      return stopping;
    },
  };
  running.add(stream);
  return stream;
}

function exitedReason(processes: ManagedProcess[]): string | null {
  const dead = processes.find((p) => p.exited());
  return dead ? `${dead.name} exited: ${dead.stderrTail().trim().slice(-500) || 'no output'}` : null;
}

/**
 * rtsp-server-perl plus an ffmpeg publisher (RTSP over UDP only: clients must ask for
 * `rtsp_transport udp`). A fresh mount path per call. Resolves once the stream plays.
 */
export async function startRtspUdpServer(options: RtspServerOptions = {}): Promise<RunningStream> {
  const video = options.video ?? (await defaultTestVideo());
  const path = options.path ?? freshPath();
  let lastError: unknown;
  // A port picked a moment ago can be taken by then; try again with new ports.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const clientPort = await freeTcpPort();
    const sourcePort = await freeTcpPort();
    const rtpStart = 2 * randomInt(10_000, 30_000);
    const server = startProcess(
      'rtsp-server-perl',
      'perl',
      [
        '-e',
        PERL_SERVER,
        '--',
        String(rtpStart),
        '--clientport',
        String(clientPort),
        '--serverport',
        String(sourcePort),
        '--client_listen_address',
        '127.0.0.1',
        '--source_listen_address',
        '127.0.0.1',
        '--loglevel',
        '1',
      ],
      { stdinPipe: true },
    );
    const processes: ManagedProcess[] = [server];
    const url = `rtsp://127.0.0.1:${clientPort}${path}`;
    try {
      const ready = Date.now() + (options.readyTimeoutMs ?? 15_000);
      await waitUntil(
        'rtsp-server-perl',
        async () => (await canConnect(sourcePort)) && canConnect(clientPort),
        10_000,
        () => exitedReason(processes),
      );
      processes.push(
        startProcess('ffmpeg publisher', 'ffmpeg', [
          ...publisherInput(video),
          '-f',
          'rtsp',
          '-rtsp_transport',
          'udp',
          `rtsp://127.0.0.1:${sourcePort}${path}`,
        ]),
      );
      await waitUntil(
        'RTSP (UDP) stream',
        async () => (await rtspDescribe(url)) === 200,
        Math.max(1000, ready - Date.now()),
        () => exitedReason(processes),
      );
      return track(processes, url);
    } catch (error) {
      lastError = error;
      await Promise.all(processes.map((p) => p.stop()));
    }
  }
  throw lastError;
}

/**
 * GStreamer's RTSP server plus an ffmpeg publisher: RTSP over TCP (the default of FfmpegClient and
 * of most IP cameras) and UDP. Optional Basic authentication; the returned URL then carries the
 * credentials. Resolves once the stream plays.
 */
export async function startRtspTcpServer(options: RtspTcpServerOptions = {}): Promise<RunningStream> {
  const video = options.video ?? (await defaultTestVideo());
  const path = options.path ?? freshPath();
  let stdout = '';
  const announced: { ports: { rtspPort: number; udpPort: number } | null } = { ports: null };
  const args = ['-c', PYTHON_SERVER, '--mount', path];
  if (options.username !== undefined) args.push('--user', options.username, '--password', options.password ?? '');
  const server = startProcess('gst-rtsp-server', PYTHON, args, {
    stdinPipe: true,
    onStdout: (chunk) => {
      stdout += chunk.toString('utf8');
      const line = stdout.split('\n')[0];
      if (!announced.ports && stdout.includes('\n')) announced.ports = JSON.parse(line) as { rtspPort: number; udpPort: number };
    },
  });
  const processes: ManagedProcess[] = [server];
  try {
    await waitUntil(
      'gst-rtsp-server',
      async () => announced.ports !== null,
      10_000,
      () => exitedReason(processes),
    );
    if (!announced.ports) throw new Error('gst-rtsp-server announced no ports');
    const { rtspPort, udpPort } = announced.ports;
    processes.push(
      startProcess('ffmpeg publisher', 'ffmpeg', [
        ...publisherInput(video),
        '-muxdelay',
        '0',
        '-muxpreload',
        '0',
        '-flush_packets',
        '1',
        '-f',
        'mpegts',
        `udp://127.0.0.1:${udpPort}?pkt_size=1316`,
      ]),
    );
    const credentials =
      options.username !== undefined ? `${encodeURIComponent(options.username)}:${encodeURIComponent(options.password ?? '')}@` : '';
    const url = `rtsp://${credentials}127.0.0.1:${rtspPort}${path}`;
    await waitUntil(
      'RTSP (TCP) stream',
      async () => (await rtspDescribe(url)) === 200,
      options.readyTimeoutMs ?? 15_000,
      () => exitedReason(processes),
    );
    return track(processes, url);
  } catch (error) {
    await Promise.all(processes.map((p) => p.stop()));
    throw error;
  }
}
