/**
 * A stream the participant publishes, on the protocol side: it answers the target's `generateoffer` with
 * an offer from a new peer connection — one to the media server when asked on the stream URI (routed),
 * one per subscriber when asked on a subscriber URI (relayed) — applies the answers and candidates, and
 * replays the fixtures into every peer connection. Forced mutes are obeyed as OpenTok.js obeys them.
 */
import { MediaSender, type OfferDirection, type SendCounters } from './media/media-sender.js';
import type { MediaKind } from './media/recording.js';
import type { PublisherStats } from './media/stats.js';
import { ParticipantMediaError, type ParticipantStream, type PublishedStream } from './participant.js';
import {
  candidateOf,
  echoedContent,
  type RoutedMessage,
  type SignalingLink,
  until,
} from './signaling-link.js';

/** The key of the peer connection to the media server (no subscriber in the URI). */
const SERVER_PEER = 'server';

interface Peer {
  sender: MediaSender;
  /** Candidates that arrived before the answer, applied once it is. */
  pending: { candidate: string; sdpMid?: string; sdpMLineIndex?: number }[] | null;
}

/** A published stream, with its peer connections. */
export class Publication implements PublishedStream {
  readonly id: string;
  name?: string;
  connectionId?: string;
  channel?: ParticipantStream['channel'];
  readonly #link: SignalingLink;
  readonly #kinds: MediaKind[];
  readonly #direction: OfferDirection;
  readonly #peers = new Map<string, Peer>();
  readonly #counters: SendCounters;
  /** The first media failure, reported by {@link failure} and by `publish()`. */
  #failure: ParticipantMediaError | null = null;
  #failed: (error: ParticipantMediaError) => void = () => {};
  /** Rejects when media fails; `publish()` races it against the stream's announcement. */
  readonly failure: Promise<never>;
  #ended = false;

  constructor(link: SignalingLink, id: string, kinds: MediaKind[], direction: OfferDirection) {
    this.#link = link;
    this.id = id;
    this.#kinds = kinds;
    this.#direction = direction;
    this.#counters = {
      audio: { packets: 0, bytes: 0, enabled: kinds.includes('audio') },
      video: { packets: 0, bytes: 0, enabled: kinds.includes('video') },
    };
    this.failure = new Promise<never>((_, reject) => {
      this.#failed = reject;
    });
    this.failure.catch(() => undefined);
  }

  /** Takes the stream's fields from the server's announcement. */
  announced(stream: ParticipantStream): void {
    this.name = stream.name;
    this.connectionId = stream.connectionId;
    this.channel = stream.channel;
  }

  /** Handles a server message on the stream URI (`subscriberId` null) or on one of its subscriber URIs. */
  handle(message: RoutedMessage, subscriberId: string | null): void {
    const key = subscriberId ?? SERVER_PEER;
    const uri = subscriberId
      ? this.#link.uri(['stream', this.id], ['subscriber', subscriberId])
      : this.#link.uri(['stream', this.id]);
    const work = (async () => {
      switch (message.method) {
        case 'generateoffer':
          await this.#offer(key, uri, message.content);
          break;
        case 'answer':
        case 'pranswer':
          await this.#answer(key, message.content);
          break;
        case 'candidate':
          await this.#candidate(key, message.content);
          break;
        case 'deleted':
          // Relayed: the subscriber left, so its peer connection goes.
          if (subscriberId) await this.#closePeer(key);
          break;
      }
    })();
    work.catch((error: unknown) =>
      this.#fail(`${message.method} on ${uri} failed: ${(error as Error).message ?? String(error)}`),
    );
  }

  stats(): PublisherStats {
    return {
      audio: { ...this.#counters.audio },
      video: { ...this.#counters.video },
      peers: [...this.#peers].map(([key, peer]) => ({ key, connectionState: peer.sender.connectionState })),
    };
  }

  async publishAudio(enabled: boolean): Promise<void> {
    await this.#setChannel('audio', enabled);
  }

  async publishVideo(enabled: boolean): Promise<void> {
    await this.#setChannel('video', enabled);
  }

  waitForSent(kind: MediaKind, packets: number, timeoutMs = 15_000): Promise<PublisherStats> {
    return until(
      () => this.stats(),
      (stats) => stats[kind].packets >= packets,
      timeoutMs,
      (stats) =>
        `stream ${this.id} sent ${stats[kind].packets} of ${packets} ${kind} packets within ${timeoutMs} ms (peers: ${JSON.stringify(stats.peers)})${this.#failure ? `; ${this.#failure.message}` : ''}`,
    );
  }

  /** A moderator force-muted the stream: stop sending audio and say so, as `publishAudio(false)`. */
  forceMuted(): void {
    this.publishAudio(false).catch((error: unknown) =>
      this.#fail(`muting after a forced mute failed: ${(error as Error).message}`),
    );
  }

  /** The server told the publisher to start muted (mute on entry): audio stays off until re-enabled. */
  startMuted(): void {
    this.#counters.audio.enabled = false;
  }

  async stop(): Promise<void> {
    if (!this.#ended) {
      this.#ended = true;
      await this.#link
        .request({ method: 'delete', uri: this.#link.uri(['stream', this.id]), content: {} })
        .catch(() => undefined); // Already gone (force-unpublished, disconnected): nothing to undo.
    }
    await this.close();
  }

  /** The stream ended (deleted by the server, or the participant left): closes every peer connection. */
  async close(): Promise<void> {
    this.#ended = true;
    await Promise.all([...this.#peers.keys()].map((key) => this.#closePeer(key)));
  }

  async #offer(key: string, uri: string, content: Record<string, unknown>): Promise<void> {
    if (this.#ended) return;
    let peer = this.#peers.get(key);
    if (!peer) {
      peer = {
        sender: new MediaSender(this.#link.network, this.#kinds, this.#counters, this.#direction),
        pending: [],
      };
      this.#peers.set(key, peer);
      peer.sender.start();
    }
    // A repeated generateoffer is a renegotiation: the same peer connection offers again.
    peer.pending ??= [];
    const sdp = await peer.sender.createOffer();
    await this.#link.request({
      method: 'offer',
      uri,
      content: { ...echoedContent(content), type: 'offer', sdp },
    });
  }

  async #answer(key: string, content: Record<string, unknown>): Promise<void> {
    const peer = this.#peers.get(key);
    if (!peer) throw new Error('an answer arrived for a peer connection that made no offer');
    if (typeof content.sdp !== 'string') throw new Error('the answer has no sdp');
    await peer.sender.applyAnswer(content.sdp);
    const pending = peer.pending ?? [];
    peer.pending = null;
    for (const candidate of pending) await peer.sender.addCandidate(candidate);
  }

  async #candidate(key: string, content: Record<string, unknown>): Promise<void> {
    const candidate = candidateOf(content);
    const peer = this.#peers.get(key);
    if (!candidate || !peer) return;
    if (peer.pending) peer.pending.push(candidate);
    else await peer.sender.addCandidate(candidate);
  }

  async #closePeer(key: string): Promise<void> {
    const peer = this.#peers.get(key);
    this.#peers.delete(key);
    await peer?.sender.close();
  }

  async #setChannel(kind: MediaKind, enabled: boolean): Promise<void> {
    if (!this.#kinds.includes(kind)) throw new ParticipantMediaError(`stream ${this.id} has no ${kind}`);
    this.#counters[kind].enabled = enabled;
    const channelId = kind === 'audio' ? 'audio1' : 'video1';
    await this.#link.request({
      method: 'update',
      uri: this.#link.uri(['stream', this.id], ['channel', channelId]),
      content: { active: enabled },
    });
  }

  #fail(message: string): void {
    if (this.#failure) return;
    this.#failure = new ParticipantMediaError(`stream ${this.id}: ${message}`);
    this.#failed(this.#failure);
  }
}
