/**
 * The few private fields of werift's `RTCRtpSender` that answering NACKs needs, behind one typed view.
 *
 * werift's sender answers NACKs itself from a 128-packet cache of its own, with no rate limit and one
 * cache per subscriber. The engine answers them instead, from the producer's shared history
 * (`rtp-history.ts`) and through a per-consumer budget (`nack-responder.ts`), so it takes NACKs away from
 * werift's handler and needs to know how the sender rewrote the packets it forwarded: the sequence-number
 * and timestamp offsets, the RTX payload type and the MID extension. These are TypeScript-private in
 * werift (plain properties at run time); `sender-internals.test.ts` fails if an upgrade renames them.
 */
import {
  GenericNack,
  type RTCRtpSender,
  RTP_EXTENSION_URI,
  type RtcpPacket,
  RtcpTransportLayerFeedback,
  type RtpHeader,
} from 'werift';

/** What the engine reads of a werift sender's private state. */
interface SenderPrivateState {
  seqOffset: number;
  timestampOffset: number;
  rtxPayloadType?: number;
  mid?: string;
  headerExtensions: { uri: string; id: number }[];
  handleRtcpPacket(packet: RtcpPacket): void;
}

/** A typed view of a werift sender's rewriting state (read when needed: negotiation may change it). */
export class SenderInternals {
  readonly #sender: RTCRtpSender;
  readonly #state: SenderPrivateState;

  constructor(sender: RTCRtpSender) {
    this.#sender = sender;
    // The private fields exist at run time; the cast is the one place the engine relies on them.
    this.#state = sender as unknown as SenderPrivateState;
  }

  /** Added (mod 2¹⁶) to each forwarded packet's sequence number since the last re-base. */
  get seqOffset(): number {
    return this.#state.seqOffset;
  }

  /** Added (mod 2³²) to each forwarded packet's timestamp since the last re-base. */
  get timestampOffset(): number {
    return this.#state.timestampOffset;
  }

  /** The SSRC the subscriber receives the media on. */
  get ssrc(): number {
    return this.#sender.ssrc;
  }

  /** The subscriber leg's media payload type, once negotiated. */
  get payloadType(): number | undefined {
    return this.#sender.codec?.payloadType;
  }

  /** RTX toward the subscriber, when it negotiated it. */
  get rtx(): { payloadType: number; ssrc: number } | undefined {
    const payloadType = this.#state.rtxPayloadType;
    return payloadType === undefined ? undefined : { payloadType, ssrc: this.#sender.rtxSsrc };
  }

  /** The id of the MID header extension werift writes on this sender's packets, if negotiated. */
  get midExtensionId(): number | undefined {
    return this.#state.headerExtensions.find((e) => e.uri === RTP_EXTENSION_URI.sdesMid)?.id;
  }

  /** The m-section id of this sender. */
  get mid(): string | undefined {
    return this.#state.mid;
  }

  /** Encrypts and sends one packet on the sender's transport (no-op before DTLS is up). */
  send(header: RtpHeader, payload: Buffer): void {
    const transport = this.#sender.dtlsTransport;
    if (!transport) return;
    transport.sendRtp(payload, header).catch(() => {
      // A send fails only while DTLS goes away; the transport's state change reports that.
    });
  }

  /**
   * Routes the subscriber's generic NACKs to `onNack` instead of werift's own retransmission cache.
   * The NACK still reaches the sender's `onRtcp` and `onGenericNack` listeners; every other RTCP packet
   * goes to werift's handler as before. Returns a function restoring werift's handler.
   */
  interceptNacks(onNack: (nack: GenericNack) => void): () => void {
    const state = this.#state;
    const sender = this.#sender;
    const original = state.handleRtcpPacket;
    // An own property shadows the prototype method: werift's RTCP router calls `handleRtcpPacket` on
    // the sender object, so this is the seam that needs no patch.
    state.handleRtcpPacket = (packet: RtcpPacket): void => {
      if (packet instanceof RtcpTransportLayerFeedback && packet.feedback instanceof GenericNack) {
        onNack(packet.feedback);
        sender.onGenericNack.execute(packet.feedback);
        sender.onRtcp.execute(packet);
        return;
      }
      original.call(sender, packet);
    };
    return () => {
      Reflect.deleteProperty(state, 'handleRtcpPacket');
    };
  }
}
