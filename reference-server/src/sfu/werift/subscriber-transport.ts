/**
 * The subscriber leg: the engine offers one sendonly m-section per producer, pinned to the producer's
 * codec, and forwards each producer through a consumer. The subscriber may later offer itself (OpenTok.js
 * restarts ICE that way after a reconnection); the engine answers.
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '@parley/events';
import { MediaStream, type RTCRtpCodecParameters } from 'werift';
import { SfuError } from '../errors.js';
import { selectDatapath } from '../native/datapath.js';
import type { ResolvedSfuEngineOptions } from '../options.js';
import type {
  Consumer,
  IceCandidate,
  SubscriberPreferences,
  SubscriberTransport,
  SubscriberTransportEvents,
  TransportConnectionState,
} from '../types.js';
import { normalizeMimeType, subscriberCodecs, toRtpCodec } from './codecs.js';
import { WeriftConsumer } from './consumer.js';
import { PeerLeg } from './peer-leg.js';
import type { WeriftProducer } from './producer.js';

type InternalEvents = SubscriberTransportEvents & { '@close': [] };

/** A werift subscriber transport. */
export class WeriftSubscriberTransport extends TypedEmitter<InternalEvents> implements SubscriberTransport {
  readonly id = randomUUID();
  readonly kind = 'subscriber' as const;
  readonly streamId: string;
  readonly subscriberId: string;
  readonly #leg: PeerLeg;
  readonly #consumers = new Map<string, WeriftConsumer>();
  #closed = false;

  constructor(
    options: ResolvedSfuEngineOptions,
    init: {
      streamId: string;
      subscriberId: string;
      producers: readonly WeriftProducer[];
      preferences: SubscriberPreferences;
    },
  ) {
    super();
    this.streamId = init.streamId;
    this.subscriberId = init.subscriberId;
    const codecs = subscriberCodecs(init.producers.map((p) => p.codec));
    this.#leg = new PeerLeg(options, codecs, {
      localCandidate: (candidate) => this.emit('localcandidate', candidate),
      stateChange: (state) => this.#onStateChange(state),
    });
    // One MediaStream for the whole OpenTok stream, so the SDP carries `a=msid` (stricter libwebrtc builds
    // reject sendonly sections without it) and the browser groups audio and video for lip sync.
    const stream = new MediaStream({ id: init.streamId });
    for (const producer of init.producers) {
      const transceiver = this.#leg.pc.addTransceiver(producer.kind, {
        direction: 'sendonly',
        streams: [stream],
      });
      // Read back from werift: it assigns the payload types when it takes the configuration.
      const legCodec = this.#leg.pc.config.codecs[producer.kind]?.[0] as RTCRtpCodecParameters;
      const consumer = new WeriftConsumer(producer, transceiver.sender, toRtpCodec(legCodec), {
        paused: init.preferences[producer.kind] === false,
        isConnected: () => this.#leg.state === 'connected',
        datapath: selectDatapath(options.datapath),
      });
      this.#consumers.set(consumer.id, consumer);
      consumer.on('@close', () => this.#consumers.delete(consumer.id));
    }
  }

  get connectionState(): TransportConnectionState {
    return this.#closed ? 'closed' : this.#leg.state;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get consumers(): readonly Consumer[] {
    return [...this.#consumers.values()];
  }

  createOffer(options: { iceRestart?: boolean } = {}): Promise<string> {
    return this.#leg.exclusive(async () => {
      this.#assertOpen();
      return this.#leg.offer(options.iceRestart === true);
    });
  }

  handleAnswer(sdp: string): Promise<void> {
    return this.#leg.exclusive(async () => {
      this.#assertOpen();
      if (this.#leg.signalingState !== 'have-local-offer') {
        throw new SfuError('INVALID_STATE', 'There is no offer to answer: call createOffer() first');
      }
      this.#checkSections(sdp, 'answer');
      await this.#leg.setRemote('answer', sdp);
    });
  }

  handleOffer(sdp: string): Promise<string> {
    return this.#leg.exclusive(async () => {
      this.#assertOpen();
      if (this.#leg.signalingState !== 'stable') {
        // Glare: our own offer is outstanding. The client's offer is a restart; ours is now moot.
        await this.#leg.pc.setLocalDescription({ type: 'rollback' });
      }
      this.#checkSections(sdp, 'offer');
      await this.#leg.setRemote('offer', sdp);
      return this.#leg.answer();
    });
  }

  addRemoteCandidate(candidate: IceCandidate | null): Promise<void> {
    if (this.#closed)
      return Promise.reject(new SfuError('INVALID_STATE', 'The subscriber transport is closed'));
    return this.#leg.addRemoteCandidate(candidate);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const consumer of this.#consumers.values()) consumer.transportClosed();
    this.#consumers.clear();
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

  /**
   * The client's SDP must keep the m-sections the engine offered, in order and kind: the consumers are
   * bound to them. Codecs are checked too, since the subscriber must decode the producer's codec.
   */
  #checkSections(sdp: string, type: 'offer' | 'answer'): void {
    if (typeof sdp !== 'string') throw new SfuError('INVALID_SDP', `The ${type} must be an SDP string`);
    const sections = sdp.split(/\r?\nm=/).slice(1);
    const transceivers = this.#leg.pc.getTransceivers();
    if (sections.length !== transceivers.length) {
      throw new SfuError(
        'INVALID_SDP',
        `The ${type} has ${sections.length} media sections; the subscription has ${transceivers.length}`,
      );
    }
    for (const [index, section] of sections.entries()) {
      const transceiver = transceivers[index];
      if (!transceiver || !section.startsWith(`${transceiver.kind} `)) {
        throw new SfuError(
          'INVALID_SDP',
          `Media section ${index} of the ${type} must be ${transceiver?.kind}`,
        );
      }
      const wanted = normalizeMimeType(transceiver.codecs[0]?.mimeType ?? '').split('/')[1] ?? '';
      const rtpmaps = [...section.matchAll(/^a=rtpmap:\d+ ([^/\s]+)/gm)].map((m) =>
        (m[1] ?? '').toUpperCase(),
      );
      if (section.split('\r\n', 1)[0]?.split(' ')[1] !== '0' && !rtpmaps.includes(wanted.toUpperCase())) {
        throw new SfuError(
          'UNSUPPORTED_CODEC',
          `Media section ${index} of the ${type} does not accept ${wanted}`,
        );
      }
    }
  }

  #onStateChange(state: TransportConnectionState): void {
    this.emit('connectionstatechange', state);
    // A new subscriber needs a keyframe to start decoding; asking now saves waiting for the next one.
    if (state === 'connected') {
      for (const consumer of this.#consumers.values()) {
        if (consumer.kind === 'video' && !consumer.paused) consumer.requestKeyFrame();
      }
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new SfuError('INVALID_STATE', 'The subscriber transport is closed');
  }
}
