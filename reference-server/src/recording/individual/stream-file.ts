/**
 * One stream recorded to its own file, as received (no decoding, no re-encoding): the stream's RTP is
 * put back in order, reassembled into frames and muxed into WebM (VP8 video, Opus audio) or, when the
 * video is H.264 (which WebM does not allow), into Matroska (`.mkv`), the container WebM is a subset of.
 *
 * - Video starts at a keyframe: one is requested as soon as the file starts (and every second until it
 *   comes), and again after a lost packet, whose following frames are skipped until the keyframe.
 * - The track header needs the picture size (and H.264's parameter sets), which only a keyframe tells,
 *   so the file's header is written at the first video keyframe; audio received meanwhile is kept and
 *   written after it. If no keyframe comes within {@link StreamFileOptions.headerWaitMs} the file is
 *   written without video and {@link StreamFileOptions.onLateVideo} fires when video finally arrives
 *   (the recorder then starts a new file for the stream, with both tracks).
 * - Frames reach the disk one cluster (≤ 1 s of media, and never held more than about a second of wall
 *   time, even when the stream goes silent), so a crash loses at most the last second and the file
 *   stays playable (see `matroska-writer.ts`).
 */
import { join } from 'node:path';
import { RtpPacket } from 'werift';
import type { MediaSource, SourceStream } from '../media-source.js';
import { type MatroskaTrack, MatroskaWriter } from './matroska/matroska-writer.js';
import { Interleaver, type TimedFrame } from './media/interleaver.js';
import { type OrderedPacket, ReorderBuffer } from './media/rtp-reorder.js';
import { TrackClock } from './media/track-clock.js';
import { type EncodedFrame, type TrackCodec, TrackFrames, trackCodecOf } from './media/track-frames.js';

/** Which tracks of a stream a file records. */
export interface StreamTracks {
  audio: boolean;
  video: boolean;
}

/** Track numbers in a file: video first when present. */
const VIDEO = 1;

/** The tracks of `stream` a file can record given `wanted`, with their codecs (unsupported codecs left out). */
export function recordableTracks(
  stream: SourceStream,
  wanted: StreamTracks,
): { audio: TrackCodec | null; video: TrackCodec | null } {
  const video = wanted.video && stream.video ? trackCodecOf(stream.video.codec.mimeType) : null;
  const audio = wanted.audio && stream.audio ? trackCodecOf(stream.audio.codec.mimeType) : null;
  return { audio: audio === 'opus' ? audio : null, video: video === 'opus' ? null : video };
}

/** The container for a file with these codecs: WebM, or Matroska when the video is H.264. */
export function containerFor(videoCodec: TrackCodec | null): {
  docType: 'webm' | 'matroska';
  extension: string;
} {
  return videoCodec === 'h264'
    ? { docType: 'matroska', extension: 'mkv' }
    : { docType: 'webm', extension: 'webm' };
}

/** Options of {@link StreamFile}. */
export interface StreamFileOptions {
  source: MediaSource;
  stream: SourceStream;
  tracks: StreamTracks;
  directory: string;
  /** The file's name without extension; the container decides it ({@link StreamFile.filename}). */
  baseName: string;
  /** How long the header waits for the first video keyframe, ms. Default 5000. */
  headerWaitMs?: number;
  /** Video arrived after the file was written without it. */
  onLateVideo?: () => void;
  /** Writing failed (disk full…); the file stops recording. */
  onError?: (error: Error) => void;
}

/** A frame on its way to the file. */
interface QueuedFrame extends TimedFrame {
  keyframe: boolean;
  data: Buffer;
}

/** Per-track state while recording. */
interface TrackState {
  number: number;
  codec: TrackCodec;
  reorder: ReorderBuffer;
  frames: TrackFrames;
  clock: TrackClock;
  unsubscribe: () => void;
}

/** See the file comment. */
export class StreamFile {
  /** When recording started (ms since the epoch): time 0 of the file. */
  readonly startedAt = Date.now();
  /** The file name within the directory. */
  readonly filename: string;
  readonly #options: StreamFileOptions;
  readonly #docType: 'webm' | 'matroska';
  readonly #video: TrackState | null;
  readonly #audio: TrackState | null;
  readonly #interleaver: Interleaver<QueuedFrame>;
  #writer: MatroskaWriter | null = null;
  /** Frames received before the header could be written (the first video keyframe). */
  #early: QueuedFrame[] = [];
  /** Video frames are skipped until a keyframe (at start, after a loss). */
  #waitingForKeyframe: boolean;
  /** The header was written without video (no keyframe in time). */
  #videoDropped = false;
  #videoHeader: { width: number; height: number; codecPrivate?: Buffer } | null = null;
  #lastKeyframeRequest = 0;
  #timers: NodeJS.Timeout[] = [];
  #closed = false;

  constructor(options: StreamFileOptions) {
    this.#options = options;
    const { stream, tracks } = options;
    const codecs = recordableTracks(stream, tracks);
    if (!codecs.audio && !codecs.video) {
      throw new RangeError(
        `stream ${stream.streamId} has none of the requested tracks in a recordable codec`,
      );
    }
    const container = containerFor(codecs.video);
    this.#docType = container.docType;
    this.filename = `${options.baseName}.${container.extension}`;
    this.#video = codecs.video ? this.#track('video', VIDEO, codecs.video) : null;
    this.#audio = codecs.audio ? this.#track('audio', codecs.video ? VIDEO + 1 : VIDEO, codecs.audio) : null;
    this.#waitingForKeyframe = this.#video !== null;
    this.#interleaver = new Interleaver(
      [this.#video?.number, this.#audio?.number].filter((n): n is number => n !== undefined),
    );
    if (this.#video) {
      this.#requestKeyframe(true);
      const retry = setInterval(() => {
        if (this.#waitingForKeyframe) this.#requestKeyframe(true);
      }, 1000);
      retry.unref();
      this.#timers.push(retry);
      const giveUp = setTimeout(() => this.#openWithoutVideo(), options.headerWaitMs ?? 5000);
      giveUp.unref();
      this.#timers.push(giveUp);
    } else {
      this.#open();
    }
  }

  /** Bytes written so far. */
  get bytesWritten(): number {
    return this.#writer?.bytesWritten ?? 0;
  }

  /** Whether the file holds the stream's video (false until the header is written, or when dropped). */
  get hasVideo(): boolean {
    return this.#writer !== null && this.#video !== null && !this.#videoDropped;
  }

  /** Stops recording and finishes the file (index, duration). */
  stop(): void {
    if (this.#closed) return;
    this.#release();
    for (const track of [this.#video, this.#audio]) {
      if (!track) continue;
      for (const ordered of track.reorder.flush()) this.#ordered(track, ordered);
    }
    if (!this.#writer && this.#early.length > 0) this.#openWithoutVideo();
    this.#writeAll(this.#interleaver.flush());
    this.#closed = true;
    this.#writer?.close();
  }

  /** Stops at once, leaving the file as a crash would (playable up to its last cluster, unfinished). */
  kill(): void {
    if (this.#closed) return;
    this.#release();
    this.#closed = true;
    this.#writer?.abandon();
  }

  #track(kind: 'audio' | 'video', number: number, codec: TrackCodec): TrackState {
    const { source, stream } = this.#options;
    const clockRate = stream[kind]?.codec.clockRate ?? (kind === 'audio' ? 48_000 : 90_000);
    const state: TrackState = {
      number,
      codec,
      reorder: new ReorderBuffer(),
      frames: new TrackFrames(codec),
      clock: new TrackClock(clockRate, this.startedAt),
      unsubscribe: () => undefined,
    };
    state.unsubscribe = source.subscribe(stream.streamId, kind, (raw) => this.#receive(state, raw));
    return state;
  }

  #receive(track: TrackState, raw: Buffer): void {
    if (this.#closed) return;
    let packet: RtpPacket;
    try {
      // The sink must not keep the source's buffer: the packet is parsed from a copy.
      packet = RtpPacket.deSerialize(Buffer.from(raw));
    } catch {
      return;
    }
    for (const ordered of track.reorder.push(packet)) this.#ordered(track, ordered);
  }

  /** Takes the next packet of a track in sequence order. */
  #ordered(track: TrackState, ordered: OrderedPacket): void {
    const pushed = track.frames.push(ordered);
    if (pushed.lost && track === this.#video) {
      this.#waitingForKeyframe = true;
      this.#requestKeyframe(false);
    }
    const ssrc = ordered.packet.header.ssrc;
    const now = Date.now();
    for (const frame of pushed.frames) {
      if (track === this.#video) {
        if (!this.#acceptVideo(frame)) continue;
      }
      const queued: QueuedFrame = {
        track: track.number,
        timeMs: track.clock.timeMs(frame.rtpTimestamp, ssrc, now),
        keyframe: frame.keyframe,
        data: frame.data,
      };
      if (this.#writer) {
        this.#writeAll(this.#interleaver.push(queued));
      } else {
        // Before the header nothing is interleaved: audio must not run ahead of the video to come.
        this.#early.push(queued);
        if (this.#videoHeader) this.#open();
      }
    }
  }

  /** Whether a video frame goes into the file; the first usable keyframe gives the header its size. */
  #acceptVideo(frame: EncodedFrame): boolean {
    if (this.#videoDropped) {
      // Only a keyframe a header can be written from (H.264: with readable parameter sets) is worth
      // a new file.
      if (frame.keyframe && frame.size) {
        const late = this.#options.onLateVideo;
        this.#options.onLateVideo = undefined;
        late?.();
      }
      return false;
    }
    if (this.#waitingForKeyframe) {
      if (!frame.keyframe) return false;
      if (!this.#writer) {
        if (!frame.size) return false; // an H.264 keyframe without readable parameter sets
        this.#videoHeader = {
          ...frame.size,
          ...(frame.codecPrivate ? { codecPrivate: frame.codecPrivate } : {}),
        };
      }
      this.#waitingForKeyframe = false;
    }
    return true;
  }

  #openWithoutVideo(): void {
    if (this.#writer || this.#closed) return;
    this.#videoDropped = this.#video !== null;
    this.#waitingForKeyframe = false;
    this.#open();
  }

  #open(): void {
    const tracks: MatroskaTrack[] = [];
    if (this.#video && !this.#videoDropped && this.#videoHeader) {
      const header = this.#videoHeader;
      tracks.push({
        number: this.#video.number,
        kind: 'video',
        codecId: this.#video.codec === 'h264' ? 'V_MPEG4/ISO/AVC' : 'V_VP8',
        width: header.width,
        height: header.height,
        ...(header.codecPrivate ? { codecPrivate: header.codecPrivate } : {}),
      });
    }
    if (this.#audio) tracks.push(opusTrack(this.#audio.number));
    try {
      this.#writer = MatroskaWriter.create(join(this.#options.directory, this.filename), {
        docType: this.#docType,
        tracks,
        startedAt: this.startedAt,
      });
    } catch (error) {
      this.#fail(error as Error);
      return;
    }
    for (const timer of this.#timers.splice(0)) clearTimeout(timer);
    if (this.#video && !this.#videoDropped) this.#timers.push(this.#keyframeRetry());
    const flush = setInterval(() => {
      try {
        this.#writer?.flushStale();
      } catch (error) {
        this.#fail(error as Error);
      }
    }, 500);
    flush.unref();
    this.#timers.push(flush);
    const early = this.#early.sort((a, b) => a.timeMs - b.timeMs);
    this.#early = [];
    for (const frame of early) this.#writeAll(this.#interleaver.push(frame));
  }

  /** After the header: keeps asking for a keyframe while video waits for one (after a loss). */
  #keyframeRetry(): NodeJS.Timeout {
    const timer = setInterval(() => {
      if (this.#waitingForKeyframe) this.#requestKeyframe(true);
    }, 1000);
    timer.unref();
    return timer;
  }

  #writeAll(frames: readonly QueuedFrame[]): void {
    if (frames.length === 0) return;
    const writer = this.#writer;
    if (!writer) return;
    const droppedVideo = this.#videoDropped ? this.#video?.number : undefined;
    try {
      for (const frame of frames) {
        if (frame.track === droppedVideo) continue;
        writer.write(frame.track, frame.timeMs, frame.keyframe, frame.data);
      }
    } catch (error) {
      this.#fail(error as Error);
    }
  }

  #requestKeyframe(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.#lastKeyframeRequest < 500) return;
    this.#lastKeyframeRequest = now;
    this.#options.source.requestKeyFrame(this.#options.stream.streamId);
  }

  #fail(error: Error): void {
    if (this.#closed) return;
    this.kill();
    this.#options.onError?.(error);
  }

  #release(): void {
    for (const timer of this.#timers.splice(0)) clearTimeout(timer);
    this.#video?.unsubscribe();
    this.#audio?.unsubscribe();
  }
}

/**
 * The Opus track: stereo at 48 kHz as WebRTC negotiates it, with the OpusHead the decoder needs. The
 * pre-skip is in the OpusHead only: with a `CodecDelay` as well, ffmpeg shifts the audio's timestamps
 * by it and its decoder then reports overlapping frames when the audio starts before the video.
 */
function opusTrack(number: number): MatroskaTrack {
  const PRE_SKIP = 312; // samples at 48 kHz: libopus' encoder delay, Chrome's and Firefox's value
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'ascii');
  head[8] = 1; // version
  head[9] = 2; // channels
  head.writeUInt16LE(PRE_SKIP, 10);
  head.writeUInt32LE(48_000, 12);
  head.writeInt16LE(0, 16); // output gain
  head[18] = 0; // mapping family: mono or stereo
  return {
    number,
    kind: 'audio',
    codecId: 'A_OPUS',
    codecPrivate: head,
    sampleRate: 48_000,
    channels: 2,
    seekPreRollNs: 80_000_000,
  };
}
