/**
 * Test camera streams: videos, RTSP (UDP and TCP), MJPEG, and sources that fail in each way.
 * Every server returns `{ url, stop() }`; `stopAllTestStreams()` in an `afterAll` stops whatever is
 * left and removes the shared test video. Child processes also die with the test process.
 *
 * Needs apt: ffmpeg, rtsp-server-perl (UDP RTSP), and for RTSP over TCP python3-gi,
 * gir1.2-gst-rtsp-server-1.0, gstreamer1.0-plugins-{base,good,bad} (driven by /usr/bin/python3).
 */
import { stopAllHlsAndSocketStreams } from './streams-hls';
import { stopAllMjpegServers } from './streams-mjpeg';
import { stopAllSilentServers } from './streams-net';
import { stopAllRtspServers } from './streams-rtsp';
import { removeDefaultTestVideo } from './streams-video';

export { makeTestVideo, defaultTestVideo, type TestVideoOptions } from './streams-video';
export {
  startRtspUdpServer,
  startRtspTcpServer,
  rtspDescribe,
  type RunningStream,
  type RtspServerOptions,
  type RtspTcpServerOptions,
} from './streams-rtsp';
export { startMjpegServer, extractJpegFrames, type MjpegServer, type MjpegServerOptions } from './streams-mjpeg';
export { startSilentServer, refusedPort, type SilentServer } from './streams-net';
export { startHlsServer, startUdpTsStream, type TestStream } from './streams-hls';
export { freeTcpPort, waitUntil, sleep } from './streams-process';
export { isPidAlive, liveChildPids } from '@app/cameras/stream';

/** Stops every server started through this module and removes the shared test video. */
export async function stopAllTestStreams(): Promise<void> {
  await Promise.all([stopAllRtspServers(), stopAllMjpegServers(), stopAllSilentServers(), stopAllHlsAndSocketStreams()]);
  removeDefaultTestVideo();
}
