/**
 * A subscription on the protocol side: the target offers on the subscriber URI (the media server in
 * routed sessions, the publisher in relayed ones), the participant answers from a new peer connection and
 * counts what arrives.
 */
import { MediaReceiver } from './media/media-receiver.js';
import type { MediaKind } from './media/recording.js';
import type { SubscriberStats } from './media/stats.js';
import { ParticipantMediaError, type Subscription } from './participant.js';
import {
  candidateOf,
  echoedContent,
  type RoutedMessage,
  type SignalingLink,
  until,
} from './signaling-link.js';

/** A subscription to a stream. */
export class StreamSubscription implements Subscription {
  readonly id: string;
  readonly streamId: string;
  readonly #link: SignalingLink;
  readonly #receiver: MediaReceiver;
  /** Candidates that arrived before the offer, applied once it is. */
  #pending: { candidate: string; sdpMid?: string; sdpMLineIndex?: number }[] | null = [];
  #failure: string | null = null;
  #ended = false;

  constructor(link: SignalingLink, id: string, streamId: string) {
    this.#link = link;
    this.id = id;
    this.streamId = streamId;
    this.#receiver = new MediaReceiver(link.network);
  }

  /** Handles a server message on the subscriber URI. */
  handle(message: RoutedMessage): void {
    const work = (async () => {
      if (message.method === 'offer') await this.#answer(message.content);
      else if (message.method === 'candidate') await this.#candidate(message.content);
    })();
    work.catch((error: unknown) => {
      this.#failure ??= `${message.method} failed: ${(error as Error).message ?? String(error)}`;
    });
  }

  stats(): SubscriberStats {
    const copy = (kind: MediaKind) => {
      const track = this.#receiver.tracks[kind];
      return {
        ...track,
        ssrcs: [...track.ssrcs],
        payloadTypes: [...track.payloadTypes],
        negotiated: { ...track.negotiated },
      };
    };
    return { audio: copy('audio'), video: copy('video'), connectionState: this.#receiver.connectionState };
  }

  waitForPackets(minimum: Partial<Record<MediaKind, number>>, timeoutMs = 15_000): Promise<SubscriberStats> {
    const kinds = Object.entries(minimum) as [MediaKind, number][];
    return until(
      () => this.stats(),
      (stats) => kinds.every(([kind, count]) => stats[kind].packets >= count),
      timeoutMs,
      (stats) =>
        `subscriber ${this.id} of stream ${this.streamId} received ${kinds
          .map(([kind, count]) => `${stats[kind].packets}/${count} ${kind}`)
          .join(', ')} packets within ${timeoutMs} ms (peer connection ${stats.connectionState})${
          this.#failure ? `; ${this.#failure}` : ''
        }`,
    );
  }

  async stop(): Promise<void> {
    if (!this.#ended) {
      this.#ended = true;
      await this.#link
        .request({
          method: 'delete',
          uri: this.#link.uri(['stream', this.streamId], ['subscriber', this.id]),
          content: {},
        })
        .catch(() => undefined); // The stream already ended: nothing to undo.
    }
    await this.close();
  }

  /** The stream ended or the participant left: closes the peer connection. */
  async close(): Promise<void> {
    this.#ended = true;
    await this.#receiver.close();
  }

  async #answer(content: Record<string, unknown>): Promise<void> {
    if (this.#ended) return;
    if (typeof content.sdp !== 'string') throw new ParticipantMediaError('the offer has no sdp');
    const sdp = await this.#receiver.answer(content.sdp);
    const pending = this.#pending ?? [];
    this.#pending = null;
    for (const candidate of pending) await this.#receiver.addCandidate(candidate);
    await this.#link.request({
      method: 'answer',
      uri: this.#link.uri(['stream', this.streamId], ['subscriber', this.id]),
      content: { ...echoedContent(content), type: 'answer', sdp },
    });
  }

  async #candidate(content: Record<string, unknown>): Promise<void> {
    const candidate = candidateOf(content);
    if (!candidate) return;
    if (this.#pending) this.#pending.push(candidate);
    else await this.#receiver.addCandidate(candidate);
  }
}
