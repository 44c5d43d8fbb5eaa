/**
 * The live state of a session as the signaling gateway, the REST live operations, the webhooks and the
 * recording code see it: connections, streams and subscribers, plus how to reach a connected client.
 */
import type { TokenRole } from '../../store/types.js';

/** A permission of a connection, as listed in its connection hash. */
export type Permission = 'publish' | 'subscribe' | 'forceunpublish' | 'forcedisconnect' | 'forcemute';

/** Why a connection ended (Vonage's session-monitoring reasons). */
export type ConnectionEndReason = 'clientDisconnected' | 'forceDisconnected' | 'networkDisconnected';

/** Why a stream ended (Vonage's session-monitoring reasons). */
export type StreamEndReason = ConnectionEndReason | 'forceUnpublished' | 'mediaStopped';

/** How media flows in a session: through the SFU (`routed`) or peer to peer (`relayed`). */
export type MediaMode = 'routed' | 'relayed';

/** The `sourceStreamId` of a media path: `MANTIS` (routed) or `P2P` (relayed). */
export type SourceStreamId = 'MANTIS' | 'P2P';

/**
 * A message for one client: a Raptor message plus the address it comes from. `from` is the symphony
 * address for server messages, the sender's connection ID for relayed or client-originated messages, and
 * `''` for server signals (OpenTok.js then reports `from = null`).
 *
 * A broadcast hands the same object to every recipient's endpoint, and the gateway encodes it once for
 * all of them (keyed by the object): a message must not change once it was sent. Build a new one instead.
 */
export interface OutboundMessage {
  readonly method: string;
  readonly uri: string;
  readonly content: Record<string, unknown>;
  readonly reason?: string;
  readonly from?: string;
}

/** How the session reaches a connected client. The gateway implements it; tests may too. */
export interface ClientEndpoint {
  /**
   * Queues a message for the client; delivered at least once, deduplicated by the client. Pass the same
   * message object to every recipient of a broadcast: its encoding is shared.
   */
  send(message: OutboundMessage): void;
  /** Ends the client's transport (after the goodbye messages were queued). */
  close(code: number, reason: string): void;
}

/** One connection to a live session. */
export interface LiveConnection {
  /** The client-chosen connection ID, bound to its socket. */
  readonly id: string;
  readonly sessionId: string;
  readonly role: TokenRole;
  readonly permissions: readonly Permission[];
  /** The token's connection data ('' when none). */
  readonly data: string;
  /** The token's initial layout class list, applied to this connection's streams. */
  readonly initialLayoutClassList: readonly string[];
  readonly creationTime: number;
  /** Whether the client asked not to receive other clients' connection events. */
  readonly connectionEventsSuppressed: boolean;
  /** The client's `userAgent` from connection create (for logs). */
  readonly userAgent: string;
  state: 'connecting' | 'connected' | 'disconnected';
  readonly endpoint: ClientEndpoint;
}

/** One channel of a published stream (`audio1`, `video1`, `caption1`, …), as the client described it. */
export interface StreamChannel {
  id: string;
  type: 'audio' | 'video' | 'data';
  active: boolean;
  /** Every other attribute the client sent (width, height, orientation, frameRate, source, fitMode, …). */
  attributes: Record<string, unknown>;
}

/** One stream published in a live session. */
export interface LiveStream {
  readonly id: string;
  readonly connectionId: string;
  readonly name: string;
  readonly creationTime: number;
  readonly channels: Map<string, StreamChannel>;
  readonly customProperties: Record<string, unknown>;
  readonly publisherAudioFallbackEnabled: boolean;
  readonly subscriberAudioFallbackEnabled: boolean;
  readonly sourceStreamId: SourceStreamId;
  layoutClassList: string[];
  /** False until the stream was announced with `created` (routed streams wait for their media). */
  announced: boolean;
  readonly subscribers: Map<string, LiveSubscriber>;
}

/** One subscription of a connection to a stream. */
export interface LiveSubscriber {
  readonly id: string;
  readonly streamId: string;
  readonly connectionId: string;
  readonly creationTime: number;
  /**
   * Whether the subscriber receives the stream's live captions (`subscribeToCaptions`: channel
   * `caption1` active in the subscriber create or a later update). Absent means off.
   */
  captionsActive?: boolean;
}

/** An archive as clients see it in the session state and in archive events. */
export interface LiveArchive {
  id: string;
  name: string;
  status: 'started' | 'stopped';
}

/** The permissions of each role (spec: `ProtocolPermission`). */
export const ROLE_PERMISSIONS: Readonly<Record<TokenRole, readonly Permission[]>> = {
  subscriber: ['subscribe'],
  publisher: ['publish', 'subscribe'],
  publisheronly: ['publish'],
  moderator: ['publish', 'subscribe', 'forceunpublish', 'forcedisconnect', 'forcemute'],
};

/** The `videoType` of a stream: the `source` of its video channel; undefined for audio-only streams. */
export function streamVideoType(stream: LiveStream): 'camera' | 'screen' | 'custom' | undefined {
  const video = stream.channels.get('video1');
  if (!video) return undefined;
  const source = video.attributes.source;
  return source === 'screen' || source === 'custom' ? source : 'camera';
}
