/**
 * Every event of `@parley/client`, with the names and payloads of OpenTok.js so that handlers port
 * unchanged: each listener receives one event object whose `type` is the event name.
 *
 * ```ts
 * session.on('streamCreated', (event) => session.subscribe(event.stream));
 * session.on('signal:chat', (event) => console.log(event.from?.connectionId, event.data));
 * ```
 *
 * A listener that throws does not break the SDK: the error is re-emitted as `listenerError` on the same
 * object (and reported through `reportError` when nothing listens to that).
 */
import type { Connection } from './Connection.js';
import type { ParleyClientError } from './errors.js';
import type { Stream, StreamProperty } from './Stream.js';

/** Why a connection or the session ended. */
export type DisconnectReason = 'clientDisconnected' | 'forceDisconnected' | 'networkDisconnected';

/** Why a stream ended. */
export type StreamDestroyedReason =
  | 'clientDisconnected'
  | 'forceDisconnected'
  | 'forceUnpublished'
  | 'networkDisconnected'
  | 'mediaStopped'
  | (string & {});

/** `sessionConnected`: the client joined. Lists the connections and streams already there. */
export interface SessionConnectEvent {
  type: 'sessionConnected';
  connections: Connection[];
  streams: Stream[];
}

/** `sessionDisconnected`: the client left, was force-disconnected, or lost the network for good. */
export interface SessionDisconnectEvent {
  type: 'sessionDisconnected';
  reason: DisconnectReason;
}

/** `sessionReconnecting` / `sessionReconnected`: the signaling connection dropped / came back. */
export interface SessionReconnectEvent {
  type: 'sessionReconnecting' | 'sessionReconnected';
}

/** `connectionCreated` / `connectionDestroyed`. */
export interface ConnectionEvent {
  type: 'connectionCreated' | 'connectionDestroyed';
  connection: Connection;
  /** Why the connection ended (`connectionDestroyed` only). */
  reason?: DisconnectReason;
}

/** `streamCreated` / `streamDestroyed` (on the session, and on the publisher for its own stream). */
export interface StreamEvent {
  type: 'streamCreated' | 'streamDestroyed';
  stream: Stream;
  /** Why the stream ended (`streamDestroyed` only). */
  reason?: StreamDestroyedReason;
}

/** `streamPropertyChanged`: a stream's audio, video, captions, dimensions, video type or name changed. */
export interface StreamPropertyChangedEvent {
  type: 'streamPropertyChanged';
  stream: Stream;
  changedProperty: StreamProperty;
  oldValue: unknown;
  newValue: unknown;
}

/** `signal` and `signal:<type>`: a signal arrived. */
export interface SignalEvent {
  /** `signal:<type>` for a typed signal, `signal` for an untyped one. */
  type: 'signal' | `signal:${string}`;
  /** The signal's type (`''` when it has none). */
  signalType: string;
  /** The signal's data (`''` when it has none). */
  data: string;
  /** The sender's connection; `null` for a signal sent by the server (REST API). */
  from: Connection | null;
}

/** `archiveStarted` / `archiveStopped`. */
export interface ArchiveEvent {
  type: 'archiveStarted' | 'archiveStopped';
  /** The archive ID, as in the REST API. */
  id: string;
  /** The archive name (`''` when it has none). */
  name: string;
}

/** `muteForced` on the session: a moderator muted everyone (`active: true`) or lifted it (`false`). */
export interface SessionMuteForcedEvent {
  type: 'muteForced';
  active: boolean;
}

/** A media failure not tied to a call the app made (a subscriber's `error` event). */
export interface ExceptionEvent {
  type: 'exception';
  error: ParleyClientError;
}

/** The session's events. */
export type SessionEvents = {
  /** The client joined. Fires once per `connect()`. args: the event. */
  sessionConnected: [event: SessionConnectEvent];
  /** The client left the session; every publisher and subscriber has been destroyed. args: the event. */
  sessionDisconnected: [event: SessionDisconnectEvent];
  /** The signaling connection dropped; the client is reconnecting and queues signals. args: the event. */
  sessionReconnecting: [event: SessionReconnectEvent];
  /** The signaling connection is back; queued signals are sent. args: the event. */
  sessionReconnected: [event: SessionReconnectEvent];
  /** A client joined (for every connection at connect time too, the client's own included). */
  connectionCreated: [event: ConnectionEvent];
  /** A client left. */
  connectionDestroyed: [event: ConnectionEvent];
  /** Another client published a stream (for every existing stream at connect time too). */
  streamCreated: [event: StreamEvent];
  /** Another client's stream ended. */
  streamDestroyed: [event: StreamEvent];
  /** A stream's properties changed. */
  streamPropertyChanged: [event: StreamPropertyChangedEvent];
  /** A signal arrived (any type). */
  signal: [event: SignalEvent];
  /** An archive started recording the session (also at connect time for a running archive). */
  archiveStarted: [event: ArchiveEvent];
  /** An archive stopped. */
  archiveStopped: [event: ArchiveEvent];
  /** A moderator force-muted the session, or lifted it. */
  muteForced: [event: SessionMuteForcedEvent];
} & {
  /** A signal of one type arrived. */
  [event: `signal:${string}`]: [event: SignalEvent];
};

/** `muteForced` on a publisher: a moderator muted its audio. */
export interface PublisherMuteForcedEvent {
  type: 'muteForced';
}

/** `mediaStopped`: a captured track ended (e.g. the user stopped screen sharing). */
export interface MediaStoppedEvent {
  type: 'mediaStopped';
  /** The track that ended. */
  track: MediaStreamTrack | undefined;
}

/** `accessDenied`: the user or browser refused camera, microphone or screen access. */
export interface AccessDeniedEvent {
  type: 'accessDenied';
  error: ParleyClientError;
}

/** `destroyed` on a publisher or subscriber. */
export interface DestroyedEvent {
  type: 'destroyed';
  reason: StreamDestroyedReason | 'unpublished' | 'unsubscribed' | 'sessionDisconnected';
}

/** The publisher's events. */
export type PublisherEvents = {
  /** The publisher's stream is live in the session. */
  streamCreated: [event: StreamEvent];
  /** The publisher's stream ended (unpublished, force-unpublished, disconnected). */
  streamDestroyed: [event: StreamEvent];
  /** A moderator muted this publisher's audio; `publishAudio` is now false. */
  muteForced: [event: PublisherMuteForcedEvent];
  /** A captured track ended; for screen sharing the stream is unpublished. */
  mediaStopped: [event: MediaStoppedEvent];
  /** Media access was refused. */
  accessDenied: [event: AccessDeniedEvent];
  /** Media access was granted. */
  accessAllowed: [event: { type: 'accessAllowed' }];
  /** The publisher was destroyed and released its media. */
  destroyed: [event: DestroyedEvent];
};

/** `videoDisabled` / `videoEnabled` on a subscriber. */
export interface VideoEnabledChangedEvent {
  type: 'videoDisabled' | 'videoEnabled';
  /** `publishVideo`: the publisher toggled video; `subscribeToVideo`: this subscriber did; `quality`: congestion. */
  reason: 'publishVideo' | 'subscribeToVideo' | 'quality';
}

/** `encryptionSecretMismatch` / `encryptionSecretMatch`: media of an end-to-end encrypted stream could (not) be decrypted. */
export interface EncryptionSecretEvent {
  type: 'encryptionSecretMismatch' | 'encryptionSecretMatch';
}

/**
 * `captionReceived` on a subscriber that called `subscribeToCaptions(true)`: live captions of the stream's
 * speech (OpenTok.js `CaptionReceivedEvent`). Partial results (`isFinal: false`) refine as the speaker goes
 * on; the final one for an utterance replaces them.
 */
export interface CaptionReceivedEvent {
  type: 'captionReceived';
  /** The stream whose audio was transcribed. */
  streamId: string;
  /** The transcribed text. */
  caption: string;
  /** Whether this is the final text of the utterance (`false` for a partial result). */
  isFinal: boolean;
}

/** The subscriber's events. */
export type SubscriberEvents = {
  /** Media is flowing from the stream. */
  connected: [event: { type: 'connected' }];
  /** The subscriber stopped receiving (its stream ended or it was unsubscribed). */
  destroyed: [event: DestroyedEvent];
  /** Video stopped (the publisher turned it off, this subscriber did, or congestion). */
  videoDisabled: [event: VideoEnabledChangedEvent];
  /** Video resumed. */
  videoEnabled: [event: VideoEnabledChangedEvent];
  /** The stream is end-to-end encrypted and this client's secret does not decrypt it: media stays blank. */
  encryptionSecretMismatch: [event: EncryptionSecretEvent];
  /** After a mismatch, frames decrypt again (the secrets now match). */
  encryptionSecretMatch: [event: EncryptionSecretEvent];
  /** The media connection failed after subscribing. */
  error: [event: ExceptionEvent];
  /** A live caption of the stream arrived (only while `isSubscribedToCaptions()`). */
  captionReceived: [event: CaptionReceivedEvent];
};
