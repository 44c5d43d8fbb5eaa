/**
 * Test media: an ffmpeg process that encodes a test pattern (`testsrc`) and a sine tone as real VP8 or
 * H.264 and Opus RTP, sent to UDP sockets this helper owns, so tests hand real publisher-like packets to
 * the recording pipeline. Loopback only. Keyframes come every second (a real publisher sends one on PLI).
 */
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { FfmpegProcess } from '../compositor/ffmpeg-process.js';
import type { RtpSink } from '../media-source.js';

/** Options of {@link RtpTestSource}. */
export interface RtpTestSourceOptions {
  /** Video codec, or null for audio only. Default `vp8`. */
  video?: 'vp8' | 'h264' | null;
  /** Whether to send Opus audio. Default true. */
  audio?: boolean;
  /** Video size. Default `320x240`. */
  size?: string;
  /** Frames per second. Default 15. */
  frameRate?: number;
  /** The sine tone's frequency. Default 440. */
  toneHz?: number;
  /** The lavfi video source, optionally with options (`color=c=red`). Default `testsrc`. */
  pattern?: string;
}

/** Sends test RTP until closed; see the file comment. */
export class RtpTestSource {
  readonly #sockets: Socket[] = [];
  readonly #sinks = { audio: new Set<RtpSink>(), video: new Set<RtpSink>() };
  #process: FfmpegProcess | null = null;
  readonly options: Required<RtpTestSourceOptions>;

  constructor(options: RtpTestSourceOptions = {}) {
    this.options = {
      video: options.video === undefined ? 'vp8' : options.video,
      audio: options.audio ?? true,
      size: options.size ?? '320x240',
      frameRate: options.frameRate ?? 15,
      toneHz: options.toneHz ?? 440,
      pattern: options.pattern ?? 'testsrc',
    };
  }

  /** Adds a receiver of one track's packets; returns a function that removes it. */
  subscribe(kind: 'audio' | 'video', sink: RtpSink): () => void {
    this.#sinks[kind].add(sink);
    return () => this.#sinks[kind].delete(sink);
  }

  async #bind(kind: 'audio' | 'video'): Promise<number> {
    const socket = createSocket('udp4');
    this.#sockets.push(socket);
    socket.on('message', (packet) => {
      // RTCP (payload types 200–204 in byte 1) is not media.
      const pt = packet[1] ?? 0;
      if (pt >= 200 && pt <= 204) return;
      for (const sink of this.#sinks[kind]) sink(packet);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return (socket.address() as AddressInfo).port;
  }

  /** Starts sending. */
  async start(): Promise<void> {
    const { video, audio, size, frameRate, toneHz, pattern } = this.options;
    const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1'];
    const separator = pattern.includes('=') ? ':' : '=';
    if (video) args.push('-re', '-f', 'lavfi', '-i', `${pattern}${separator}size=${size}:rate=${frameRate}`);
    if (audio) args.push('-re', '-f', 'lavfi', '-i', `sine=frequency=${toneHz}:sample_rate=48000`);
    if (video) {
      const port = await this.#bind('video');
      const codec =
        video === 'vp8'
          ? // One thread: libvpx's threads spin while they wait for each other, and on two busy cores the
            // encoder then falls behind real time, sending less media than the wall clock (measured:
            // 3 s of 640x480@30 in 7 s), so a recording of it comes out short.
            ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-threads', '1', '-b:v', '300k']
          : // Browsers repeat SPS/PPS in band with every keyframe; ffmpeg's RTP muxer does not unless told.
            [
              '-c:v',
              'libx264',
              '-preset',
              'ultrafast',
              '-tune',
              'zerolatency',
              '-profile:v',
              'baseline',
              '-bsf:v',
              'dump_extra=freq=keyframe',
            ];
      args.push(
        '-map',
        '0:v',
        '-pix_fmt',
        'yuv420p',
        ...codec,
        '-g',
        String(frameRate),
        '-f',
        'rtp',
        `rtp://127.0.0.1:${port}?pkt_size=1200`,
      );
    }
    if (audio) {
      const port = await this.#bind('audio');
      args.push(
        '-map',
        `${video ? 1 : 0}:a`,
        '-c:a',
        'libopus',
        '-b:a',
        '48k',
        '-f',
        'rtp',
        `rtp://127.0.0.1:${port}?pkt_size=1200`,
      );
    }
    this.#process = new FfmpegProcess(args);
  }

  /** Stops sending and closes the sockets. */
  async close(): Promise<void> {
    this.#process?.kill('SIGKILL');
    await this.#process?.exited();
    for (const socket of this.#sockets.splice(0)) socket.close();
  }
}
