/**
 * One composer process for one {@link ComposerPlan}: reserves loopback ports, writes the SDP, starts
 * ffmpeg, forwards the planned tracks to it and asks the video publishers for keyframes (a decoder can
 * start only on one; see keyframe-requests.ts). A recorder replaces the segment when the plan changes.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Resolution, resolutionSize } from '../layouts.js';
import type { MediaSource } from '../media-source.js';
import { type ComposerOutput, composerArgs, type VideoEncoding } from './ffmpeg-args.js';
import { type FfmpegExit, FfmpegProcess } from './ffmpeg-process.js';
import { buildFilterGraph, type VideoTileInput } from './filter-graph.js';
import { requestKeyframesWhileNeeded } from './keyframe-requests.js';
import type { ComposerPlan } from './plan.js';
import { releasePortPair, reservePortPair, waitUntilBound } from './ports.js';
import { rtpReceiveBufferBytes } from './receive-buffer.js';
import { type ForwardedTrack, RtpForwarder } from './rtp-forwarder.js';
import { buildSdp, type SdpTrack, sdpCodecFor } from './sdp.js';

/**
 * How long a new composer may take to output its first frame. Measured on a 2-core machine at load ≈ 50,
 * healthy composers took over 10 s; a composer that never outputs (an input with no decodable frame)
 * costs this long of a second process before it is replaced.
 */
export const FIRST_OUTPUT_TIMEOUT_MS = 15_000;

/**
 * How long packets are held for a starting ffmpeg before they are sent anyway: the recorder's
 * first-output timeout, after which a process that has not bound its ports is replaced.
 */
const BIND_TIMEOUT_MS = FIRST_OUTPUT_TIMEOUT_MS;

/** Options of {@link ComposerSegment.start}. */
export interface ComposerSegmentOptions {
  source: MediaSource;
  plan: ComposerPlan;
  resolution: Resolution;
  hasAudio: boolean;
  hasVideo: boolean;
  encoding: VideoEncoding;
  outputs: readonly ComposerOutput[];
  /** Where the SDP file is written. */
  workDirectory: string;
  /** A name unique within `workDirectory` for this segment's files. */
  name: string;
  ffmpegPath?: string;
}

/** A running composer process; see the file comment. */
export class ComposerSegment {
  /**
   * When forwarding to it started (ms since the epoch): time 0 of its output. ffmpeg times each track
   * from its first packet, which arrives within a frame interval, however long ffmpeg takes to start.
   */
  readonly startedAt: number;
  readonly process: FfmpegProcess;
  readonly #forwarder: RtpForwarder;
  readonly #ports: number[];
  readonly #firstOutput: Promise<boolean>;

  private constructor(process: FfmpegProcess, forwarder: RtpForwarder, ports: number[], startedAt: number) {
    this.process = process;
    this.#forwarder = forwarder;
    this.#ports = ports;
    this.startedAt = startedAt;
    this.#firstOutput = new Promise((resolve) => {
      process.on('progress', (p) => {
        if (p.frame > 0 || p.outTimeSeconds > 0) resolve(true);
      });
      process.once('exit', () => resolve(false));
    });
    void process.exited().then(() => this.#release());
  }

  /** Starts a segment. Rejects only when the plan has a codec ffmpeg cannot receive. */
  static async start(options: ComposerSegmentOptions): Promise<ComposerSegment> {
    const { source, plan } = options;
    const streams = new Map(source.streams().map((s) => [s.streamId, s]));
    const sdpTracks: SdpTrack[] = [];
    const forwarded: ForwardedTrack[] = [];
    const video: VideoTileInput[] = [];
    const audio: string[] = [];
    const ports: number[] = [];
    const add = async (streamId: string, kind: 'audio' | 'video'): Promise<string | null> => {
      const track = streams.get(streamId)?.[kind];
      if (!track) return null;
      const codec = sdpCodecFor(track.codec);
      const port = await reservePortPair();
      ports.push(port);
      sdpTracks.push({ codec, port });
      forwarded.push({ streamId, kind, port, payloadType: codec.payloadType });
      return `0:${sdpTracks.length - 1}`;
    };
    try {
      for (const tile of plan.tiles) {
        const input = await add(tile.streamId, 'video');
        if (input) video.push({ input, tile });
      }
      for (const streamId of plan.audioStreamIds) {
        const input = await add(streamId, 'audio');
        if (input) audio.push(input);
      }
    } catch (error) {
      for (const port of ports) releasePortPair(port);
      throw error;
    }
    if (sdpTracks.length === 0) throw new RangeError('plan must include at least one track');
    const sdpPath = join(options.workDirectory, `${options.name}.sdp`);
    await writeFile(sdpPath, buildSdp(sdpTracks));
    const { width, height } = resolutionSize(options.resolution);
    const graph = buildFilterGraph({
      width,
      height,
      frameRate: options.encoding.frameRate ?? 25,
      hasAudio: options.hasAudio,
      hasVideo: options.hasVideo,
      video,
      audio,
    });
    const receiveBufferBytes = await rtpReceiveBufferBytes();
    const args = composerArgs({
      sdpPath,
      graph,
      encoding: options.encoding,
      outputs: options.outputs,
      ...(receiveBufferBytes === null ? {} : { receiveBufferBytes }),
    });
    // Packets are held from here until ffmpeg listens (see RtpForwarder): ffmpeg times each track from
    // its first packet, so the segment's time 0 is this moment, however long ffmpeg takes to start.
    let listening: (bound: Promise<void>) => void = () => undefined;
    const forwarder = new RtpForwarder(
      source,
      forwarded,
      new Promise<void>((resolve) => {
        listening = resolve;
      }),
    );
    const startedAt = Date.now();
    const process = new FfmpegProcess(args, options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {});
    const exited = new AbortController();
    void process.exited().then(() => exited.abort());
    // Held until the ports are bound, however long that takes within the first-output timeout: packets
    // sent before would be lost, and the segment's time 0 would move to whenever ffmpeg got going.
    listening(waitUntilBound(ports, BIND_TIMEOUT_MS, exited.signal));
    const segment = new ComposerSegment(process, forwarder, ports, startedAt);
    // Packets are held until ffmpeg listens, so a keyframe asked for now is not lost; see
    // keyframe-requests.ts for when the composer asks again.
    if (video.length > 0) {
      requestKeyframesWhileNeeded(process, segment.firstOutput(), () => {
        for (const { tile } of video) source.requestKeyFrame(tile.streamId);
      });
    }
    return segment;
  }

  /**
   * Resolves true once ffmpeg outputs its first frame; false if it exits before, or if `timeoutMs`
   * passes first (an input that never delivers a decodable frame holds the whole graph).
   */
  firstOutput(timeoutMs?: number): Promise<boolean> {
    if (timeoutMs === undefined) return this.#firstOutput;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    return Promise.race([this.#firstOutput, timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * Stops gracefully. ffmpeg may run behind real time (its input queue absorbs bursts) and `q` drops
   * whatever is still queued, so it first waits (up to `drainTimeoutMs`) until the output has reached
   * the moment `at` (default now: when the stop was asked for), then sends `q` so ffmpeg finishes its
   * files; kills after `timeoutMs`.
   */
  async stop(
    options: { at?: number; drainTimeoutMs?: number; timeoutMs?: number } = {},
  ): Promise<FfmpegExit> {
    const target = ((options.at ?? Date.now()) - this.startedAt) / 1000;
    const deadline = Date.now() + (options.drainTimeoutMs ?? 15_000);
    while (!this.process.exitInfo && this.process.progress.outTimeSeconds < target && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const exit = await this.process.stop(options.timeoutMs);
    this.#release();
    return exit;
  }

  /** Kills the process at once (its file ends at its last complete fragment). */
  kill(): void {
    this.process.kill('SIGKILL');
    this.#release();
  }

  #released = false;

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#forwarder.close();
    for (const port of this.#ports) releasePortPair(port);
  }
}
