/**
 * The publisher leg: the publisher offers, the engine answers, and each received track becomes a
 * producer. While connected the engine sends REMB once a second so the publisher's encoder targets what
 * its subscribers can take (each video producer's `SubscriberFeedbackEstimator`, within
 * `publisherMaxBitrate`).
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '@parley/events';
import type { MediaStreamTrack, RTCRtpTransceiver } from 'werift';
import { SfuError } from '../errors.js';
import type { ResolvedSfuEngineOptions } from '../options.js';
import type {
  IceCandidate,
  Producer,
  PublisherTransport,
  PublisherTransportEvents,
  TransportConnectionState,
} from '../types.js';
import { negotiatedCodec, publisherCodecs } from './codecs.js';
import { PeerLeg } from './peer-leg.js';
import { WeriftProducer } from './producer.js';
import { buildRemb } from './rtcp.js';

type InternalEvents = PublisherTransportEvents & { '@close': [] };

/** How often REMB goes to the publisher (libwebrtc sends it about once a second too). */
const REMB_INTERVAL_MS = 1000;

/** A werift publisher transport. */
export class WeriftPublisherTransport extends TypedEmitter<InternalEvents> implements PublisherTransport {
  readonly id = randomUUID();
  readonly kind = 'publisher' as const;
  readonly streamId: string;
  readonly #leg: PeerLeg;
  readonly #producers = new Map<string, WeriftProducer>();
  /** The m-sections that already have a producer (re-offers fire `track` again for them). */
  readonly #producingTransceivers = new Set<string>();
  readonly #maxBitrate: number;
  #rembTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(streamId: string, options: ResolvedSfuEngineOptions) {
    super();
    this.streamId = streamId;
    this.#maxBitrate = options.publisherMaxBitrate;
    this.#leg = new PeerLeg(options, publisherCodecs(), {
      localCandidate: (candidate) => this.emit('localcandidate', candidate),
      stateChange: (state) => this.#onStateChange(state),
    });
    this.#leg.pc.ontrack = ({ track, transceiver }) => this.#onTrack(track, transceiver);
  }

  get connectionState(): TransportConnectionState {
    return this.#closed ? 'closed' : this.#leg.state;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get producers(): readonly Producer[] {
    return [...this.#producers.values()];
  }

  handleOffer(sdp: string): Promise<string> {
    return this.#leg.exclusive(async () => {
      if (this.#closed) throw new SfuError('INVALID_STATE', 'The publisher transport is closed');
      if (/^a=sendrecv|^a=recvonly/m.test(sdp) && !/^a=sendonly/m.test(sdp)) {
        // OpenTok.js publishers send sendonly; anything else means the wrong SDP reached this leg.
        throw new SfuError('INVALID_SDP', 'A publisher offer must have sendonly media sections');
      }
      await this.#leg.setRemote('offer', sdp);
      this.#checkCodecs();
      return this.#leg.answer();
    });
  }

  addRemoteCandidate(candidate: IceCandidate | null): Promise<void> {
    if (this.#closed)
      return Promise.reject(new SfuError('INVALID_STATE', 'The publisher transport is closed'));
    return this.#leg.addRemoteCandidate(candidate);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopRemb();
    for (const producer of this.#producers.values()) producer.transportClosed();
    this.#producers.clear();
    this.#leg.close();
    this.emit('connectionstatechange', 'closed');
    this.emit('close');
    this.emit('@close');
  }

  /** Engine-internal: the router closed. */
  routerClosed(): void {
    if (this.#closed) return;
    this.emit('routerclose');
    this.close();
  }

  #onTrack(track: MediaStreamTrack, transceiver: RTCRtpTransceiver): void {
    if (this.#closed) return;
    // One producer per m-section: simulcast rid tracks of the same section arrive here too and are
    // layers of the same producer (layer selection is a later feature).
    if (this.#producingTransceivers.has(transceiver.id)) return;
    const kind = transceiver.kind === 'audio' ? 'audio' : 'video';
    let codec: ReturnType<typeof negotiatedCodec>;
    try {
      codec = negotiatedCodec(transceiver);
    } catch {
      return; // #checkCodecs reports it to the caller of handleOffer.
    }
    const producer = new WeriftProducer(
      this.streamId,
      kind,
      codec,
      { track, receiver: transceiver.receiver },
      this.#maxBitrate,
    );
    this.#producingTransceivers.add(transceiver.id);
    this.#producers.set(producer.id, producer);
    producer.on('@close', () => this.#producers.delete(producer.id));
    this.emit('producer', producer);
  }

  /** Rejects an offer whose media sections all lack a supported codec (the answer would carry nothing). */
  #checkCodecs(): void {
    const live = this.#leg.pc.getTransceivers().filter((t) => !t.stopped);
    if (live.length === 0 || live.every((t) => t.codecs.length === 0)) {
      throw new SfuError('UNSUPPORTED_CODEC', 'The offer has no Opus, VP8 or H.264 media section');
    }
  }

  #onStateChange(state: TransportConnectionState): void {
    if (state === 'connected') this.#startRemb();
    else if (state === 'failed' || state === 'closed') this.#stopRemb();
    this.emit('connectionstatechange', state);
  }

  #startRemb(): void {
    if (this.#rembTimer) return;
    this.#sendRemb();
    this.#rembTimer = setInterval(() => this.#sendRemb(), REMB_INTERVAL_MS);
    // REMB must never keep the process alive on its own.
    this.#rembTimer.unref();
  }

  #stopRemb(): void {
    clearInterval(this.#rembTimer);
    this.#rembTimer = undefined;
  }

  #sendRemb(): void {
    const video = [...this.#producers.values()].filter(
      (p) => p.kind === 'video' && p.mediaSsrc !== undefined,
    );
    const first = this.#leg.pc.getTransceivers().find((t) => t.kind === 'video' && !t.stopped);
    if (video.length === 0 || !first) return;
    // One REMB covers every listed SSRC: the sum of the tracks' estimates, within the configured ceiling.
    let bitrate = 0;
    for (const producer of video) bitrate += producer.bitrateEstimator?.currentBitrate() ?? this.#maxBitrate;
    const packet = buildRemb(
      first.receiver.rtcpSsrc,
      video.map((p) => p.mediaSsrc as number),
      Math.min(this.#maxBitrate, bitrate),
    );
    first.receiver.dtlsTransport?.sendRtcp([packet]).catch(() => {
      // DTLS is going away; the next tick (or close) settles it.
    });
  }
}
