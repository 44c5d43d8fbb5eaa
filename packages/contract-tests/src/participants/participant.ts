/**
 * The headless participant interface: a client that joins a session the way OpenTok.js does (session
 * info over HTTP, then the Rumor/Raptor WebSocket) so the suite can drive operations that need live
 * connections — signals, force-disconnect, streams, moderation, archives — against any compatible target.
 */

/** A connection as the signaling protocol describes it. */
export interface ParticipantConnection {
  id: string;
  creationTime?: number;
  data?: string;
  permissions?: string[];
}

/** A stream as the signaling protocol describes it. */
export interface ParticipantStream {
  id: string;
  name?: string;
  connectionId?: string;
  channel?: { id: string; type: string; active?: boolean }[];
}

/** Something that happened to a participant, in the order it happened. */
export type ParticipantEvent =
  | { kind: 'signal'; type: string; data: string; from: string | null }
  | { kind: 'connectionCreated'; connection: ParticipantConnection }
  | { kind: 'connectionDestroyed'; connectionId: string; reason: string | null }
  | { kind: 'streamCreated'; stream: ParticipantStream }
  | { kind: 'streamDestroyed'; streamId: string; reason: string | null }
  | { kind: 'muteForced'; streamId: string | null; active: boolean }
  /** The participant's own connection was deleted by the server, or its socket closed. */
  | { kind: 'sessionDisconnected'; reason: string | null };

/** Options of a signal. */
export interface SignalOptions {
  type?: string;
  data?: string;
  /** A connection ID; omit to signal the whole session. */
  to?: string;
}

/** Options of a publish. */
export interface PublishOptions {
  name?: string;
  hasAudio?: boolean;
  hasVideo?: boolean;
}

/** A client connected to a session. */
export interface Participant {
  /** The connection ID the participant chose (as OpenTok.js does). */
  readonly connectionId: string;
  readonly sessionId: string;
  /** The connections and streams the server reported at connect time. */
  readonly initialState: { connections: ParticipantConnection[]; streams: ParticipantStream[] };
  /** Every event so far. */
  readonly events: readonly ParticipantEvent[];
  /** Sends a signal; resolves on the server's 2xx STATUS, rejects with {@link ParticipantRequestError}. */
  signal(options: SignalOptions): Promise<void>;
  /**
   * Publishes a stream. In a relayed session this is signaling only; in a routed session it needs WebRTC
   * media, which a signaling-only participant refuses with {@link ParticipantUnsupportedError}.
   */
  publish(options?: PublishOptions): Promise<ParticipantStream>;
  /** Resolves with the first event (already seen or future) matching `predicate`. */
  waitFor<K extends ParticipantEvent['kind']>(
    kind: K,
    predicate?: (event: Extract<ParticipantEvent, { kind: K }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<ParticipantEvent, { kind: K }>>;
  /** Leaves the session cleanly (DISCONNECT, then close 1000). Safe to call more than once. */
  disconnect(): Promise<void>;
}

/** A request the server answered with a non-2xx STATUS. */
export class ParticipantRequestError extends Error {
  override readonly name = 'ParticipantRequestError';
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Something this participant cannot do (e.g. media in a routed session without a WebRTC stack). */
export class ParticipantUnsupportedError extends Error {
  override readonly name = 'ParticipantUnsupportedError';
}

/** Joining failed: session info refused the token, the socket did not open, or connection create failed. */
export class ParticipantJoinError extends Error {
  override readonly name = 'ParticipantJoinError';
}
