/**
 * What the recording pipeline needs from a live session, and nothing more: the streams being published
 * (with their codecs and layout classes), their RTP packets, keyframe requests, and the number of
 * connected clients. The gateway + SFU integration implements {@link MediaSourceProvider}; the archive
 * and broadcast managers never see the gateway's or the SFU's own types, so they are tested with a fake
 * source fed by real RTP (`testing/`).
 */
import type { EventSource, MediaKind, RtpCodec } from '../sfu/types.js';

/** One track of a published stream. */
export interface SourceTrack {
  kind: MediaKind;
  /** The codec the publisher sends (`audio/opus`, `video/VP8` or `video/H264`). */
  codec: RtpCodec;
}

/** A published stream as the recording pipeline sees it. */
export interface SourceStream {
  streamId: string;
  /** The publishing client's connection. */
  connectionId: string;
  /** The publishing connection's data (from its token), `''` when it has none. */
  connectionData: string;
  /** `screen` for screen shares (the layouts' `screenshareType` keys on it). */
  videoType: 'camera' | 'screen' | 'custom';
  /** The stream's layout classes (set by the token or `PUT …/session/{id}/stream`). */
  layoutClassList: readonly string[];
  /** When the stream was published (ms since the Unix epoch). */
  createdAt: number;
  /** The audio track, if the stream has one. */
  audio: SourceTrack | null;
  /** The video track, if the stream has one. */
  video: SourceTrack | null;
  /**
   * Whether the publisher currently sends audio (`publishAudio`) and is not force-muted. A track that is
   * present but not active is left out of the mix.
   */
  audioActive: boolean;
  /** Whether the publisher currently sends video (`publishVideo`); inactive video leaves the layout. */
  videoActive: boolean;
}

/** Events of a {@link MediaSource}. */
export type MediaSourceEvents = {
  /** A stream was published. */
  streamAdded: [stream: SourceStream];
  /** A stream changed: layout classes, `audioActive`/`videoActive`, or a track was (re)negotiated. */
  streamUpdated: [stream: SourceStream];
  /** A stream was unpublished (for any reason). */
  streamRemoved: [streamId: string];
  /** A client connected or disconnected; the argument is the new number of connected clients. */
  connectionCountChanged: [count: number];
  /**
   * The source ended: its session has had no client for a while (the realtime layer keeps a source
   * for 120 s after the last client left, past the 60 s idle stops), or the server is shutting down. It
   * never emits again; clients coming back later get a new source (`sourceOpened`).
   */
  close: [];
};

/** Receives the RTP packets (whole packets, header included) of one track. */
export type RtpSink = (packet: Buffer) => void;

/** The media of one live, routed session. */
export interface MediaSource extends EventSource<MediaSourceEvents> {
  readonly sessionId: string;
  /** The number of clients connected now. */
  connectionCount(): number;
  /** The streams published now, oldest first. */
  streams(): readonly SourceStream[];
  /**
   * Starts handing the RTP packets of one track to `sink`, until the returned function is called or the
   * stream is removed. Packets are passed as received from the publisher (after SRTP decryption, header
   * extensions may be present); the sink must not keep the buffer after returning.
   */
  subscribe(streamId: string, kind: MediaKind, sink: RtpSink): () => void;
  /** Asks the stream's publisher for a video keyframe (RTCP PLI); no-op when it has no video. */
  requestKeyFrame(streamId: string): void;
}

/** Events of a {@link MediaSourceProvider}. */
export type MediaSourceProviderEvents = {
  /**
   * A routed session that had no client on this server got one (an `archiveMode: always` session
   * starts recording here). Fires each time clients return to an empty session: with the same source
   * object when it had not closed yet (recordings on it simply continue), else with a new one.
   */
  sourceOpened: [source: MediaSource];
};

/** Finds the live media of a session. */
export interface MediaSourceProvider extends EventSource<MediaSourceProviderEvents> {
  /**
   * The live media of `sessionId`, or null when it has none on this server: no client connected and no
   * source left open, or media that does not pass through this server (relayed sessions). A source
   * may have no client (`connectionCount() === 0`) for a while after the last one left.
   */
  get(sessionId: string): MediaSource | null;
}

/** An archive as the clients of its session see it. */
export interface ActiveArchive {
  id: string;
  /** The archive's name; null when it has none (clients then see an empty name). */
  name: string | null;
}

/**
 * Tells the clients of a session which archives are recording it. The archive manager calls it whenever
 * that set changes; the realtime layer sends `archiveStarted`/`archiveStopped` to the connected clients and
 * keeps the set for the session-state snapshot of clients that join later (even when the session had no
 * client at the time of the call).
 */
export interface ArchiveNotifier {
  /** The archives recording `sessionId` now (the whole set, not a change); `[]` when none is. */
  archivesChanged(sessionId: string, active: readonly ActiveArchive[]): void;
}
