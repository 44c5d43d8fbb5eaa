/**
 * The publisher's peer connections ("legs"): one to the SFU in a routed session, one per subscriber in a
 * relayed one. The server drives the negotiation — it asks for an offer (`generateoffer`) on the leg's
 * URI, and sends the answer and candidates back on it — so a leg is found by who it goes to (the
 * subscriber, or `server`), the server's `peerId` and the `sourceStreamId`. Kept apart from the
 * `Publisher` so its public surface (media, properties, events) is not mixed with WebRTC bookkeeping.
 */
import type { Logger } from '../logger.js';
import { toCandidate } from '../media/candidates.js';
import type { MediaPeer } from '../media/handler.js';
import type { SessionLink } from '../session/link.js';

/** One leg: its peer connection, where its messages go, and the fields every message of it carries. */
interface SendLeg {
  peer: MediaPeer;
  link: SessionLink;
  uri: string;
  defaults: Record<string, unknown>;
}

/** What a new leg is negotiated with. */
export interface NegotiationRequest {
  link: SessionLink;
  mediaStream: MediaStream;
  iceServers: RTCIceServer[];
  /** The URI the server asked on (`…/stream/{id}` or `…/stream/{id}/subscriber/{subId}`). */
  uri: string;
  /** The `generateoffer` content (`peerId`, `sourceStreamId`). */
  content: Record<string, unknown>;
}

/** The key of the leg a server message is about; see the file comment. */
export function legKey(subscriberId: string | undefined, content: Record<string, unknown>): string {
  return `${subscriberId ?? 'server'}~${String(content.peerId ?? '')}~${String(content.sourceStreamId ?? 'MANTIS')}`;
}

/** The legs of one publisher; see the file comment. */
export class SendLegs {
  readonly #legs = new Map<string, SendLeg>();
  readonly #log: Logger;
  readonly #destroyed: () => boolean;

  /** @param destroyed Whether the publisher was destroyed (an offer finished afterwards is not sent). */
  constructor(log: Logger, destroyed: () => boolean) {
    this.#log = log;
    this.#destroyed = destroyed;
  }

  /**
   * Answers a `generateoffer`: creates the leg on first use (tracks added, candidates trickled), then
   * sends an offer; a repeated request for an existing leg restarts ICE.
   */
  async negotiate(key: string, request: NegotiationRequest): Promise<void> {
    const { link, uri, content } = request;
    const defaults: Record<string, unknown> = {};
    if (content.peerId !== undefined) defaults.peerId = content.peerId;
    if (content.sourceStreamId !== undefined) defaults.sourceStreamId = content.sourceStreamId;
    let leg = this.#legs.get(key);
    const restart = leg !== undefined;
    if (!leg) {
      const peer = link.options.mediaHandler.createPeer({
        direction: 'send',
        iceServers: request.iceServers,
        relayOnly: link.info.relayOnly,
        cryptor: link.e2ee,
        candidateReadyTimeoutMs: link.options.candidateReadyTimeoutMs,
      });
      leg = { peer, link, uri, defaults };
      this.#legs.set(key, leg);
      peer.addTracks(request.mediaStream);
      peer.on('candidate', (candidate) => link.notify('candidate', uri, { ...defaults, ...candidate }));
      peer.on('connectionState', (state) => this.#log.debug('peer state', { key, state }));
    }
    await this.#offer(leg, restart);
  }

  /** Applies the answer of a leg (ignored when there is no such leg). */
  acceptAnswer(key: string, sdp: string): void {
    void this.#legs
      .get(key)
      ?.peer.acceptAnswer(sdp)
      .catch((error: unknown) => this.#log.warn('answer rejected', { error: String(error) }));
  }

  /** Adds a remote candidate of a leg (ignored when there is no such leg). */
  addRemoteCandidate(key: string, content: Record<string, unknown>): void {
    void this.#legs
      .get(key)
      ?.peer.addRemoteCandidate(toCandidate(content))
      .catch((error: unknown) => this.#log.debug('candidate rejected', { error: String(error) }));
  }

  /** Closes the legs to a subscriber that went away. */
  closeSubscriber(subscriberId: string | undefined): void {
    for (const [key, leg] of this.#legs) {
      if (key.startsWith(`${subscriberId}~`)) {
        leg.peer.close();
        this.#legs.delete(key);
      }
    }
  }

  /** Restarts ICE on every leg: a fresh offer with new ICE credentials on the leg's URI. */
  restartIce(): void {
    for (const [key, leg] of this.#legs) {
      this.#log.info('restarting ICE', { leg: key });
      void this.#offer(leg, true).catch((error: unknown) =>
        this.#log.warn('ICE restart failed', { leg: key, error: String(error) }),
      );
    }
  }

  /** WebRTC statistics of every leg, by leg key. */
  stats(): Promise<{ peerId: string; stats: RTCStatsReport }[]> {
    const entries = [...this.#legs.entries()];
    return Promise.all(entries.map(async ([peerId, leg]) => ({ peerId, stats: await leg.peer.getStats() })));
  }

  /** Closes every leg. */
  closeAll(): void {
    for (const leg of this.#legs.values()) leg.peer.close();
    this.#legs.clear();
  }

  async #offer(leg: SendLeg, iceRestart: boolean): Promise<void> {
    const sdp = await leg.peer.createOffer({ iceRestart });
    if (this.#destroyed()) return;
    leg.link.notify('offer', leg.uri, { ...leg.defaults, type: 'offer', sdp });
  }
}
