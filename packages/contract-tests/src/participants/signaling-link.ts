/**
 * What a published stream or a subscription needs from its participant: requests to the server (with the
 * participant's from-address) and URIs of the session. Kept small so the media side never touches the
 * socket itself.
 */
import type { RaptorKey, RaptorMessage } from '@parley/protocol';
import type { MediaNetwork } from './media/network.js';
import { ParticipantMediaError } from './participant.js';

/** The participant as its streams and subscriptions see it. */
export interface SignalingLink {
  readonly connectionId: string;
  /** ICE settings for new peer connections. */
  readonly network: MediaNetwork;
  /** A URI of the session: `uri(['stream', sid], ['subscriber', subId])`. */
  uri(...pairs: [RaptorKey, string][]): string;
  /** Sends a request to the server and resolves with its 2xx STATUS body. */
  request(message: RaptorMessage): Promise<Record<string, unknown>>;
}

/** A server message about a stream or subscriber, as the participant routes it. */
export interface RoutedMessage {
  method: string;
  content: Record<string, unknown>;
}

/** The fields OpenTok.js echoes from the server's JSEP messages into its own (`peerId`, `sourceStreamId`). */
export function echoedContent(content: Record<string, unknown>): Record<string, unknown> {
  return {
    ...(typeof content.peerId === 'string' ? { peerId: content.peerId } : {}),
    ...(typeof content.sourceStreamId === 'string' ? { sourceStreamId: content.sourceStreamId } : {}),
  };
}

/** The ICE candidate of a `candidate` message, or null when it has none. */
export function candidateOf(
  content: Record<string, unknown>,
): { candidate: string; sdpMid?: string; sdpMLineIndex?: number } | null {
  if (typeof content.candidate !== 'string' || content.candidate === '') return null;
  return {
    candidate: content.candidate,
    ...(typeof content.sdpMid === 'string' ? { sdpMid: content.sdpMid } : {}),
    ...(typeof content.sdpMLineIndex === 'number' ? { sdpMLineIndex: content.sdpMLineIndex } : {}),
  };
}

/** Polls `read` every 50 ms until `done` holds; rejects with `describe(last)` after `timeoutMs`. */
export async function until<T>(
  read: () => T,
  done: (value: T) => boolean,
  timeoutMs: number,
  describe: (value: T) => string,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (done(value)) return value;
    if (performance.now() > deadline) throw new ParticipantMediaError(describe(value));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
