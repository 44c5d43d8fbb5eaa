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
import { registerSsrcSimulcast } from './legacy-simulcast.js';
import { PeerLeg } from './peer-leg.js';
import { WeriftProducer } from './producer.js';
import { routeRidRetransmissions } from './rid-rtx.js';
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
  /** The producer of each m-section (re-offers fire `track` again for them; simulcast layers join it). */
  readonly #producingTransceivers = new Map<string, WeriftProducer>();
  readonly #maxBitrate: number;
  #rembTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(streamId: string, options: ResolvedSfuEngineOptions) {
    super();
    this.streamId = streamId;
    this.#maxBitrate = options.publisherMaxBitrate;
    this.#leg = new PeerLeg(
      options,
      publisherCodecs(),
      {
        localCandidate: (candidate) => this.emit('localcandidate', candidate),
        stateChange: (state) => this.#onStateChange(state),
      },
      'publisher',
    );
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
      // Legacy simulcast: the SIM layers werift did not register join their section's producer.
      for (const [transceiver, tracks] of registerSsrcSimulcast(this.#leg.pc, sdp)) {
        const producer = this.#producingTransceivers.get(transceiver.id);
        for (const track of tracks) producer?.addTrack(track);
      }
      // RID simulcast: the layers' retransmissions come on SSRCs only their repaired-rid names.
      if (/^a=simulcast:/m.test(sdp)) {
        routeRidRetransmissions(this.#leg.pc, (receiver, rid) => {
          const transceiver = this.#leg.pc.getTransceivers().find((t) => t.receiver === receiver);
          const producer = transceiver && this.#producingTransceivers.get(transceiver.id);
          return producer?.layers.find((layer) => layer.rid === rid)?.ssrc;
        });
      }
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
    // One producer per m-section, whose layers are the section's simulcast encodings (rid tracks are
    // all on the receiver already; legacy SIM SSRCs are added after the offer is applied).
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
      { track, receiver: transceiver.receiver, tracks: ridTracks(transceiver) },
      this.#maxBitrate,
    );
    this.#producingTransceivers.set(transceiver.id, producer);
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
    const video = [...this.#producers.values()].filter((p) => p.kind === 'video' && p.mediaSsrcs.length > 0);
    const first = this.#leg.pc.getTransceivers().find((t) => t.kind === 'video' && !t.stopped);
    if (video.length === 0 || !first) return;
    // One REMB covers every listed SSRC: the sum of the tracks' estimates, within the configured ceiling.
    let bitrate = 0;
    for (const producer of video) bitrate += producer.bitrateEstimator?.currentBitrate() ?? this.#maxBitrate;
    const packet = buildRemb(
      first.receiver.rtcpSsrc,
      video.flatMap((p) => p.mediaSsrcs),
      Math.min(this.#maxBitrate, bitrate),
    );
    first.receiver.dtlsTransport?.sendRtcp([packet]).catch(() => {
      // DTLS is going away; the next tick (or close) settles it.
    });
  }
}

/** The rid tracks of a RID-simulcast section, in `a=simulcast` order; empty without RID simulcast. */
function ridTracks(transceiver: RTCRtpTransceiver): MediaStreamTrack[] {
  return transceiver.receiver.tracks.filter((track) => track.rid !== undefined);
}
