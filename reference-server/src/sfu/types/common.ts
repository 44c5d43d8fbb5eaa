/**
 * Types every part of the SFU engine interface shares: its event subscription, media kinds, connection
 * states, ICE servers and candidates, port ranges and codecs. Part of the engine interface described in
 * `../types.ts`.
 */
import type { BaseEvents, EventMap, Listener } from '@parley/events';

/**
 * The subscribe side of a `TypedEmitter` from `@parley/events`: what callers of the engine may do with
 * its events (emitting stays with the engine). A listener that throws is reported as `listenerError`.
 */
export interface EventSource<E extends EventMap> {
  /** Adds a listener; returns `this` for chaining. */
  on<K extends keyof (E & BaseEvents) & string>(event: K, listener: Listener<E & BaseEvents, K>): this;
  /** Adds a listener that runs at most once. */
  once<K extends keyof (E & BaseEvents) & string>(event: K, listener: Listener<E & BaseEvents, K>): this;
  /** Removes a listener. */
  off<K extends keyof (E & BaseEvents) & string>(event: K, listener: Listener<E & BaseEvents, K>): this;
  /** How many listeners an event has. */
  listenerCount(event: keyof (E & BaseEvents) & string): number;
}

/** A media kind. */
export type MediaKind = 'audio' | 'video';

/** The peer connection state as the W3C `RTCPeerConnectionState` names it. */
export type TransportConnectionState =
  | 'new'
  | 'connecting'
  | 'connected'
  | 'disconnected'
  | 'failed'
  | 'closed';

/** An ICE server handed to clients (the `iceServers` of the session info / stream create answer). */
export interface IceServer {
  /** `stun:`, `turn:` or `turns:` URLs. */
  urls: string | string[];
  /** TURN user name. */
  username?: string;
  /** TURN credential. */
  credential?: string;
}

/** An inclusive UDP port range. */
export interface PortRange {
  /** The lowest port (1024–65535). */
  min: number;
  /** The highest port; greater than `min`. */
  max: number;
}

/** A codec as negotiated on a transport (names as in SDP `a=rtpmap`, e.g. `audio/opus`, `video/H264`). */
export interface RtpCodec {
  /** `audio/opus`, `video/VP8` or `video/H264` (note the uppercase `H264`). */
  mimeType: string;
  /** The payload type on this transport (differs between the publisher's and each subscriber's leg). */
  payloadType: number;
  /** RTP clock rate (48 000 for Opus, 90 000 for video). */
  clockRate: number;
  /** Audio channels (2 for Opus). */
  channels?: number;
  /** The `a=fmtp` parameters, e.g. `profile-level-id=42e01f;packetization-mode=1`. */
  parameters?: string;
}

/** A trickled ICE candidate, as the browser's `RTCIceCandidateInit`. */
export interface IceCandidate {
  /** The `candidate:` line without the `a=` prefix. An empty string marks the end of candidates. */
  candidate: string;
  /** The m-section's `a=mid`. */
  sdpMid?: string | null;
  /** The m-section's index. */
  sdpMLineIndex?: number | null;
  /** The ICE ufrag the candidate belongs to. */
  usernameFragment?: string | null;
}
