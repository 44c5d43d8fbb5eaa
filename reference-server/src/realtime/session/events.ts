/**
 * The typed events of live sessions, emitted by {@link LiveSessionRegistry}. The session-monitoring
 * webhooks, the REST live operations and the recording code consume them.
 */
import type { LiveSession } from './live-session.js';
import type { ConnectionEndReason, LiveConnection, LiveStream, StreamEndReason } from './types.js';

/** The force-mute state of a session. */
export interface MuteState {
  active: boolean;
  /** Streams the mute does not apply to (only meaningful while `active`). */
  excludedStreamIds: readonly string[];
}

/** Events of every live session, each with the session first. */
export type LiveSessionEvents = {
  /** The first connection joined a session that had none. Args: the session. */
  sessionStarted: [session: LiveSession];
  /** The last connection left. Args: the session, `forceDisconnected` when the server ended it. */
  sessionEnded: [session: LiveSession, reason: 'forceDisconnected' | null];
  /** A client finished joining (connection create succeeded). */
  connectionCreated: [session: LiveSession, connection: LiveConnection];
  /** A connection ended, with why. Its streams were destroyed first. */
  connectionDestroyed: [session: LiveSession, connection: LiveConnection, reason: ConnectionEndReason];
  /** A stream was announced to the session (relayed: at once; routed: once its media flows). */
  streamCreated: [session: LiveSession, stream: LiveStream, publisher: LiveConnection];
  /** A stream ended, with why. */
  streamDestroyed: [
    session: LiveSession,
    stream: LiveStream,
    publisher: LiveConnection,
    reason: StreamEndReason,
  ];
  /** A stream's channels, name or layout classes changed. */
  streamUpdated: [session: LiveSession, stream: LiveStream];
  /** The session's force-mute state changed. */
  muteChanged: [session: LiveSession, state: MuteState];
};
