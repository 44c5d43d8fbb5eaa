/**
 * A published stream (OpenTok.js `Stream`): who publishes it and what it carries. Its properties change
 * when the publisher toggles audio, video or captions or changes resolution; the session then emits
 * `streamPropertyChanged`.
 */
import type { ProtocolStream } from '@parley/protocol';
import type { Connection } from './Connection.js';

/** What a stream's video shows. */
export type VideoType = 'camera' | 'screen' | 'custom';

/** Video dimensions in pixels. */
export interface VideoDimensions {
  width: number;
  height: number;
}

/** A stream property that can change. */
export type StreamProperty =
  | 'hasAudio'
  | 'hasVideo'
  | 'hasCaptions'
  | 'videoDimensions'
  | 'videoType'
  | 'name';

/** One property change. */
export interface StreamPropertyChange {
  changedProperty: StreamProperty;
  oldValue: unknown;
  newValue: unknown;
}

/** A stream channel's attributes, as sent in the stream hash or in `updated …/channel/{id}`. */
export interface ChannelUpdate {
  id?: string | undefined;
  type?: unknown;
  active?: unknown;
  source?: unknown;
  width?: unknown;
  height?: unknown;
  frameRate?: unknown;
}

/** A stream published in the session. */
export class Stream {
  /** The stream ID (chosen by the publishing client). */
  readonly streamId: string;
  /** The publisher's connection. */
  readonly connection: Connection;
  /** When the stream was created, in ms since the epoch. */
  readonly creationTime: number;
  /** The media path: `MANTIS` (routed through the SFU) or `P2P` (relayed). */
  readonly sourceStreamId: 'MANTIS' | 'P2P' | undefined;
  /** The stream name given by the publisher. */
  name: string;
  /** Whether the publisher is sending audio. */
  hasAudio = false;
  /** Whether the publisher is sending video. */
  hasVideo = false;
  /**
   * Whether the publisher sends its audio for live captioning (`publishCaptions`, the stream's `caption1`
   * channel). Captions are produced only while a captioning of the session runs (started through the REST
   * API), and reach the subscribers that call `subscribeToCaptions(true)`.
   */
  hasCaptions = false;
  /** What the video shows, when the stream has a video channel. */
  videoType: VideoType | undefined;
  /** The published video size, when known. */
  videoDimensions: VideoDimensions | undefined;
  /** The published frame rate, when known. */
  frameRate: number | undefined;

  /** @internal */
  constructor(hash: ProtocolStream, connection: Connection) {
    this.streamId = hash.id;
    this.connection = connection;
    this.creationTime = hash.creationTime;
    this.name = hash.name ?? '';
    this.sourceStreamId = hash.sourceStreamId;
    for (const channel of hash.channel ?? []) this.applyChannel(channel);
  }

  /** The same as `streamId` (OpenTok.js offers both). */
  get id(): string {
    return this.streamId;
  }

  /** @internal Applies a channel update; returns what changed, for `streamPropertyChanged`. */
  applyChannel(channel: ChannelUpdate): StreamPropertyChange[] {
    const changes: StreamPropertyChange[] = [];
    const set = <K extends 'hasAudio' | 'hasVideo' | 'hasCaptions' | 'videoType'>(
      property: K,
      value: this[K],
    ): void => {
      if (this[property] === value) return;
      changes.push({ changedProperty: property, oldValue: this[property], newValue: value });
      this[property] = value;
    };
    const isAudio = channel.type === 'audio' || channel.id === 'audio1';
    const isVideo = channel.type === 'video' || channel.id === 'video1';
    // Only `caption1` is the caption channel: other data channels (`downlinkStats1`) say nothing about it.
    const isCaptions = channel.id === 'caption1';
    if (isAudio && typeof channel.active === 'boolean') set('hasAudio', channel.active);
    if (isCaptions && typeof channel.active === 'boolean') set('hasCaptions', channel.active);
    if (isVideo) {
      if (typeof channel.active === 'boolean') set('hasVideo', channel.active);
      if (channel.source === 'camera' || channel.source === 'screen' || channel.source === 'custom') {
        set('videoType', channel.source);
      }
      if (typeof channel.width === 'number' && typeof channel.height === 'number') {
        const old = this.videoDimensions;
        if (!old || old.width !== channel.width || old.height !== channel.height) {
          const next = { width: channel.width, height: channel.height };
          changes.push({ changedProperty: 'videoDimensions', oldValue: old, newValue: next });
          this.videoDimensions = next;
        }
      }
      if (typeof channel.frameRate === 'number') this.frameRate = channel.frameRate;
    }
    return changes;
  }
}
