/**
 * The media bridge of relayed (peer-to-peer) sessions: no server media. The server asks the publisher to
 * offer to each new subscriber (`generateoffer` on the subscriber URI, from the subscriber's address) and
 * relays offers, answers and candidates between the two clients unchanged, each from its sender's address,
 * so the publisher keys one peer connection per subscriber.
 */
import { SignalingError } from '../errors.js';
import type { LiveSession } from '../session/live-session.js';
import type { LiveConnection, LiveStream, LiveSubscriber } from '../session/types.js';
import type { JsepMessage, MediaBridge } from './types.js';

/** Relays negotiation between the publisher and each subscriber of a relayed session. */
export class RelayedMedia implements MediaBridge {
  readonly ready = true;
  readonly #session: LiveSession;

  constructor(session: LiveSession) {
    this.#session = session;
  }

  streamCreated(stream: LiveStream): void {
    // Nothing to set up on the server: the stream exists as soon as it is announced.
    this.#session.announceStream(stream.id);
  }

  streamRemoved(): void {
    // Each client closes its own peer connections when it learns the stream is gone.
  }

  subscriberCreated(stream: LiveStream, subscriber: LiveSubscriber): void {
    this.#session.sendTo(stream.connectionId, {
      method: 'generateoffer',
      uri: this.#session.uri(['stream', stream.id], ['subscriber', subscriber.id]),
      content: { sourceStreamId: 'P2P' },
      from: subscriber.connectionId,
    });
  }

  subscriberRemoved(stream: LiveStream, subscriber: LiveSubscriber): void {
    // The publisher drops the peer connection it kept for this subscriber.
    this.#session.sendTo(stream.connectionId, {
      method: 'deleted',
      uri: this.#session.uri(['stream', stream.id], ['subscriber', subscriber.id]),
      content: {},
      from: subscriber.connectionId,
    });
  }

  subscriberChannelChanged(): void {
    // Peer to peer: the subscriber's own browser stops rendering the track; the server carries no media.
  }

  audioForceMuted(): void {
    // Peer to peer: the audio never passes through the server, so only the publisher's client can mute it.
  }

  jsep({ method, from, stream, subscriber, content }: JsepMessage): void {
    if (!subscriber) {
      throw new SignalingError('BAD_REQUEST', 'A relayed session has no media server to negotiate with');
    }
    const peer = this.#peerOf(from, stream, subscriber);
    this.#session.sendTo(peer, {
      method,
      uri: this.#session.uri(['stream', stream.id], ['subscriber', subscriber.id]),
      content,
      from: from.id,
    });
  }

  close(): void {}

  /** The other end of a subscriber's peer connection; only its two ends may negotiate it. */
  #peerOf(from: LiveConnection, stream: LiveStream, subscriber: LiveSubscriber): string {
    if (from.id === stream.connectionId) return subscriber.connectionId;
    if (from.id === subscriber.connectionId) return stream.connectionId;
    throw new SignalingError(
      'PERMISSION_DENIED',
      'Only the publisher and the subscriber negotiate a subscription',
    );
  }
}
