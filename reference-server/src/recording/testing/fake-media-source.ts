/**
 * A {@link MediaSource} for tests: streams are added and removed by the test, and their packets come from
 * {@link RtpTestSource}s (real encoded RTP) or from nowhere (a stream that never sends).
 */
import { TypedEmitter } from '@parley/events';
import type { MediaKind } from '../../sfu/types.js';
import type { MediaSource, MediaSourceEvents, RtpSink, SourceStream } from '../media-source.js';
import type { RtpTestSource } from './rtp-test-source.js';

const CODECS = {
  vp8: { mimeType: 'video/VP8', payloadType: 100, clockRate: 90_000 },
  h264: { mimeType: 'video/H264', payloadType: 125, clockRate: 90_000, parameters: 'packetization-mode=1' },
  opus: { mimeType: 'audio/opus', payloadType: 109, clockRate: 48_000, channels: 2 },
} as const;

/** A fake live session; see the file comment. */
export class FakeMediaSource extends TypedEmitter<MediaSourceEvents> implements MediaSource {
  readonly #streams = new Map<string, { stream: SourceStream; media: RtpTestSource | null }>();
  #connections = 1;
  /** Tracks whose packets are held back (`<streamId>/<kind>`). */
  readonly #held = new Set<string>();
  /** Keyframe requests received, by stream. */
  readonly keyFrameRequests: string[] = [];

  constructor(readonly sessionId: string) {
    super();
  }

  connectionCount(): number {
    return this.#connections;
  }

  /** Sets the number of connected clients and emits `connectionCountChanged`. */
  setConnectionCount(count: number): void {
    this.#connections = count;
    this.emit('connectionCountChanged', count);
  }

  streams(): readonly SourceStream[] {
    return [...this.#streams.values()].map((entry) => entry.stream);
  }

  /**
   * Publishes a stream whose media comes from `media` (its codec settings decide the tracks), or a
   * stream that announces VP8 + Opus but never sends when `media` is null.
   */
  addStream(
    streamId: string,
    media: RtpTestSource | null,
    options: Partial<
      Pick<SourceStream, 'connectionId' | 'connectionData' | 'videoType' | 'layoutClassList'>
    > = {},
  ): SourceStream {
    const video = media ? media.options.video : 'vp8';
    const audio = media ? media.options.audio : true;
    const stream: SourceStream = {
      streamId,
      connectionId: options.connectionId ?? `conn-${streamId}`,
      connectionData: options.connectionData ?? '',
      videoType: options.videoType ?? 'camera',
      layoutClassList: options.layoutClassList ?? [],
      createdAt: Date.now(),
      audio: audio ? { kind: 'audio', codec: CODECS.opus } : null,
      video: video ? { kind: 'video', codec: CODECS[video] } : null,
      audioActive: audio,
      videoActive: video !== null,
    };
    this.#streams.set(streamId, { stream, media });
    this.emit('streamAdded', stream);
    return stream;
  }

  /** Changes a stream (layout classes, active tracks) and emits `streamUpdated`. */
  updateStream(
    streamId: string,
    changes: Partial<Pick<SourceStream, 'layoutClassList' | 'audioActive' | 'videoActive'>>,
  ): void {
    const entry = this.#streams.get(streamId);
    if (!entry) throw new Error(`No stream ${streamId}`);
    entry.stream = { ...entry.stream, ...changes };
    this.emit('streamUpdated', entry.stream);
  }

  /** Unpublishes a stream and emits `streamRemoved`. */
  removeStream(streamId: string): void {
    if (this.#streams.delete(streamId)) this.emit('streamRemoved', streamId);
  }

  /**
   * Holds back (or releases again) the packets of one track of a stream, as a publisher whose video
   * starts late would; subscriptions stay in place.
   */
  holdTrack(streamId: string, kind: MediaKind, held: boolean): void {
    const key = `${streamId}/${kind}`;
    if (held) this.#held.add(key);
    else this.#held.delete(key);
  }

  subscribe(streamId: string, kind: MediaKind, sink: RtpSink): () => void {
    const media = this.#streams.get(streamId)?.media;
    const key = `${streamId}/${kind}`;
    return media
      ? media.subscribe(kind, (packet) => {
          if (!this.#held.has(key)) sink(packet);
        })
      : () => undefined;
  }

  requestKeyFrame(streamId: string): void {
    this.keyFrameRequests.push(streamId);
  }

  /** Ends the session. */
  end(): void {
    this.emit('close');
  }
}
