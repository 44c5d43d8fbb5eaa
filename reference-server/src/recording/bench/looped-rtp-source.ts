/**
 * A stand-in publisher that keeps real time however loaded the machine is: a short clip of test media
 * (a lavfi pattern and a sine tone, VP8 or H.264 + Opus, a keyframe every second) is encoded once and
 * cached, then replayed in a loop at its native rate by `ffmpeg -re -stream_loop -1 -c copy -f rtp`,
 * whose cost is a few milliseconds of CPU a second per stream.
 *
 * Why not encode live, as {@link RtpTestSource} does (issue #8): the recording benchmark's composer
 * produced 2–7 s of output for 12 s recorded with two 640x480@30 stand-ins, while using ~5 % of a core.
 * The composer was not slow — the stand-ins were. ffmpeg runs libvpx with `-threads auto`, and libvpx's
 * multi-threaded VP8 encoder synchronises its threads by spinning: on 2 cores shared with other work,
 * 2 s of 640x480@30 `testsrc` cost 3.1 CPU-seconds with the default threads and 0.25 with
 * `-threads 1` (ffmpeg 5.1, `-deadline realtime`); two live senders ran at 0.36x and 0.55x of real
 * time with the default threads and at 1.00x with one thread. Two `RtpTestSource`s under a load of 4–15
 * delivered 13 frames a second instead of 30 (counted on their RTP: 3.0 s of media timestamps in
 * 7.1 s). An encoder that falls behind stamps its frames by frame count, not by the clock, so their
 * media simply covered less time than was recorded; `strace` of the composer showed it polling its
 * sockets and receiving each stream's packets at that rate, with no loss in `/proc/net/udp`. Replayed
 * clips (this class) give 9.3 s of output for 9.1 s recorded with 2, 4 and 16 such streams under the
 * same load, so the composer keeps real time once its input does. A real publisher
 * (a browser) stamps frames by capture time, so a CPU-starved browser sends fewer frames but still
 * media that follows the clock. A copied clip follows the clock too, and leaves the CPU to the composer
 * under measurement.
 *
 * It extends {@link RtpTestSource} only to be accepted where one is (`FakeMediaSource.addStream`); it
 * overrides everything that sends or delivers media.
 */
import { createHash } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultFfmpegPath, FfmpegProcess } from '../compositor/ffmpeg-process.js';
import type { RtpSink } from '../media-source.js';
import { RtpTestSource, type RtpTestSourceOptions } from '../testing/rtp-test-source.js';

/** Options of {@link LoopedRtpSource}. */
export interface LoopedRtpSourceOptions extends RtpTestSourceOptions {
  /** Video bitrate (bps). Default ≈ 0.05 bits per pixel per frame: 460 kbps at 640x480@30, 1.4 Mbps at 720p30. */
  videoBitrate?: number;
  /** Length of the looped clip, whole seconds from 1 to 60. Default 4. */
  clipSeconds?: number;
  /** Where clips are cached. Default `<os tmpdir>/parley-stand-in-clips`. */
  cacheDirectory?: string;
  ffmpegPath?: string;
}

/** The default video bitrate for a size and frame rate; see {@link LoopedRtpSourceOptions.videoBitrate}. */
export function defaultVideoBitrate(size: string, frameRate: number): number {
  const { width, height } = parseSize(size);
  return Math.round((width * height * frameRate * 0.05) / 1000) * 1000;
}

function parseSize(size: string): { width: number; height: number } {
  const match = /^(\d{2,4})x(\d{2,4})$/.exec(size);
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || width % 2 !== 0 || height % 2 !== 0) {
    throw new RangeError(`size must be WIDTHxHEIGHT with even numbers from 10 to 9998, got ${size}`);
  }
  return { width, height };
}

/** Clips being encoded by this process, by path: sources starting together with the same clip encode it once. */
const encoding = new Map<string, Promise<void>>();

/** Replays a cached clip as RTP in real time; see the file comment. */
export class LoopedRtpSource extends RtpTestSource {
  readonly #sockets: Socket[] = [];
  readonly #sinks = { audio: new Set<RtpSink>(), video: new Set<RtpSink>() };
  readonly #videoBitrate: number;
  readonly #clipSeconds: number;
  readonly #cacheDirectory: string;
  readonly #ffmpegPath: string;
  #process: FfmpegProcess | null = null;

  constructor(options: LoopedRtpSourceOptions = {}) {
    super(options);
    const { video, audio, size, frameRate } = this.options;
    if (!video && !audio) throw new RangeError('video and audio cannot both be off');
    parseSize(size);
    if (!Number.isInteger(frameRate) || frameRate < 1 || frameRate > 60) {
      throw new RangeError(`frameRate must be an integer from 1 to 60, got ${frameRate}`);
    }
    this.#clipSeconds = options.clipSeconds ?? 4;
    if (!Number.isInteger(this.#clipSeconds) || this.#clipSeconds < 1 || this.#clipSeconds > 60) {
      throw new RangeError(`clipSeconds must be an integer from 1 to 60, got ${options.clipSeconds}`);
    }
    this.#videoBitrate = options.videoBitrate ?? defaultVideoBitrate(size, frameRate);
    if (!Number.isInteger(this.#videoBitrate) || this.#videoBitrate < 10_000) {
      throw new RangeError(`videoBitrate must be an integer of at least 10000, got ${options.videoBitrate}`);
    }
    this.#cacheDirectory = options.cacheDirectory ?? join(tmpdir(), 'parley-stand-in-clips');
    this.#ffmpegPath = options.ffmpegPath ?? defaultFfmpegPath();
  }

  override subscribe(kind: 'audio' | 'video', sink: RtpSink): () => void {
    this.#sinks[kind].add(sink);
    return () => this.#sinks[kind].delete(sink);
  }

  /** Encodes the clip unless cached, then starts sending. Rejects with ffmpeg's reason if encoding fails. */
  override async start(): Promise<void> {
    if (this.#process) throw new Error('already started');
    const clip = await this.#clip();
    const { video, audio } = this.options;
    const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1'];
    args.push('-re', '-stream_loop', '-1', '-i', clip);
    // `connect=1`: once this process's socket is gone (closed, or Node died without close()), sends
    // fail and ffmpeg exits instead of looping forever.
    // `rtcpport`: RTCP goes to the same socket (which drops it); the default, port + 1, has no listener,
    // and the ICMP errors its sender reports would fail the connected socket and end ffmpeg after a
    // few seconds.
    const target = (port: number) => `rtp://127.0.0.1:${port}?pkt_size=1200&connect=1&rtcpport=${port}`;
    if (video) {
      const port = await this.#bind('video');
      // Matroska stores H.264 length-prefixed with SPS/PPS out of band; browsers send Annex B with
      // SPS/PPS before every keyframe, which `h264_mp4toannexb` restores.
      const annexB = video === 'h264' ? ['-bsf:v', 'h264_mp4toannexb'] : [];
      args.push('-map', '0:v', '-c', 'copy', ...annexB, '-f', 'rtp', target(port));
    }
    if (audio) {
      const port = await this.#bind('audio');
      args.push('-map', '0:a', '-c', 'copy', '-f', 'rtp', target(port));
    }
    this.#process = new FfmpegProcess(args, { ffmpegPath: this.#ffmpegPath });
  }

  override async close(): Promise<void> {
    this.#process?.kill('SIGKILL');
    await this.#process?.exited();
    for (const socket of this.#sockets.splice(0)) socket.close();
  }

  async #bind(kind: 'audio' | 'video'): Promise<number> {
    // A loaded event loop stalls now and then; the kernel's default buffer (208 KiB) would then drop
    // packets of a 720p stand-in before Node reads them (the kernel caps this at `net.core.rmem_max`).
    const socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
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

  /** The clip's path, encoding it first unless a previous run (or a concurrent source) did. */
  async #clip(): Promise<string> {
    const args = this.#encodeArgs();
    const key = createHash('sha256')
      .update(JSON.stringify([this.#ffmpegPath, args]))
      .digest('hex');
    const path = join(this.#cacheDirectory, `${key.slice(0, 24)}.mkv`);
    let pending = encoding.get(path);
    if (!pending) {
      pending = this.#encode(args, path);
      encoding.set(path, pending);
      // Forgotten once settled: a later start looks at the file again (it may have been deleted).
      const forget = () => void encoding.delete(path);
      pending.then(forget, forget);
    }
    await pending;
    return path;
  }

  async #encode(args: string[], path: string): Promise<void> {
    if (
      await stat(path).then(
        (s) => s.size > 0,
        () => false,
      )
    )
      return;
    await mkdir(this.#cacheDirectory, { recursive: true });
    // Written aside and renamed: another process reading the cache never sees half a clip.
    const partial = `${path}.${process.pid}.${Date.now()}.partial.mkv`;
    const exit = await new FfmpegProcess([...args, partial], { ffmpegPath: this.#ffmpegPath }).exited();
    if (!exit.ok) {
      await rm(partial, { force: true });
      throw new Error(`Encoding the stand-in clip failed: ${exit.reason}`);
    }
    await rename(partial, path);
  }

  /** The clip's encoding command without its output path. */
  #encodeArgs(): string[] {
    const { video, audio, size, frameRate, toneHz, pattern } = this.options;
    const seconds = String(this.#clipSeconds);
    const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats', '-y'];
    const separator = pattern.includes('=') ? ':' : '=';
    if (video) args.push('-f', 'lavfi', '-i', `${pattern}${separator}size=${size}:rate=${frameRate}`);
    if (audio) args.push('-f', 'lavfi', '-i', `sine=frequency=${toneHz}:sample_rate=48000`);
    if (video) {
      const codec =
        video === 'vp8'
          ? // One thread: libvpx's threads spin while they wait for each other (see the file comment).
            ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-threads', '1']
          : ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-profile:v', 'baseline'];
      args.push(
        '-map',
        '0:v',
        '-pix_fmt',
        'yuv420p',
        ...codec,
        '-b:v',
        String(this.#videoBitrate),
        '-g',
        String(frameRate),
        // Every second, and so on the first frame of every loop: a decoder can join at any loop.
        '-force_key_frames',
        'expr:gte(t,n_forced*1)',
      );
    }
    if (audio) args.push('-map', `${video ? 1 : 0}:a`, '-c:a', 'libopus', '-b:a', '48k');
    args.push('-t', seconds, '-f', 'matroska');
    return args;
  }
}
