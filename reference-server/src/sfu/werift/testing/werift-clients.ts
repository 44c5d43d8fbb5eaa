/**
 * Test-only WebRTC clients built on werift: a publisher that sends the pre-encoded fixtures as RTP (paced
 * by their timestamps, looping) and a subscriber that records what arrives. Both stay on 127.0.0.1 and
 * never contact a STUN server.
 */
import { fileURLToPath } from 'node:url';
import {
  GenericNack,
  MediaStreamTrack,
  OpusPacketizer,
  ReceiverEstimatedMaxBitrate,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtcpPayloadSpecificFeedback,
  RtcpTransportLayerFeedback,
  type RtpPacket,
  useSdesMid,
  Vp8Packetizer,
} from 'werift';
import type { IceCandidate } from '../../types.js';
import { type EncodedFrame, readIvf, readOggOpus } from './media-files.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** ICE settings that keep a test client on loopback. */
const LOOPBACK = {
  iceServers: [],
  iceUseIpv4: false,
  iceUseIpv6: false,
  iceAdditionalHostAddresses: ['127.0.0.1'],
  iceInterfaceAddresses: { udp4: '127.0.0.1' },
} as const;

const feedback = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }];

/** Payload types the test publisher uses, deliberately unlike the engine's, to prove rewriting. */
export const PUBLISHER_PAYLOAD_TYPES = { opus: 111, vp8: 120 } as const;

/** A werift publisher of VP8 video and Opus audio from the fixtures. */
export class TestPublisher {
  readonly pc: RTCPeerConnection;
  readonly candidates: IceCandidate[] = [];
  /** Keyframe requests (PLI) the publisher received. */
  pliCount = 0;
  /** The last REMB bitrate received, in bps. */
  rembBitrate: bigint | undefined;
  readonly #video = new MediaStreamTrack({ kind: 'video' });
  readonly #audio = new MediaStreamTrack({ kind: 'audio' });
  #timer: NodeJS.Timeout | undefined;

  constructor() {
    this.pc = new RTCPeerConnection({
      ...LOOPBACK,
      iceAdditionalHostAddresses: [...LOOPBACK.iceAdditionalHostAddresses],
      iceServers: [],
      codecs: {
        audio: [
          new RTCRtpCodecParameters({
            mimeType: 'audio/opus',
            clockRate: 48_000,
            channels: 2,
            payloadType: PUBLISHER_PAYLOAD_TYPES.opus,
          }),
        ],
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/VP8',
            clockRate: 90_000,
            rtcpFeedback: feedback,
            payloadType: PUBLISHER_PAYLOAD_TYPES.vp8,
          }),
        ],
      },
      headerExtensions: { audio: [useSdesMid()], video: [useSdesMid()] },
    });
    this.pc.onIceCandidate.subscribe((candidate) => {
      if (candidate) this.candidates.push(candidate.toJSON() as IceCandidate);
    });
    // Video first, so the m-section order (and MIDs) differ from the subscriber leg's audio-first order.
    const video = this.pc.addTransceiver(this.#video, { direction: 'sendonly' });
    this.pc.addTransceiver(this.#audio, { direction: 'sendonly' });
    video.sender.onPictureLossIndication.subscribe(() => this.pliCount++);
    video.sender.onRtcp.subscribe(() => {
      if (video.sender.receiverEstimatedMaxBitrate > 0n)
        this.rembBitrate = video.sender.receiverEstimatedMaxBitrate;
    });
  }

  /** Creates the offer; returns its SDP without candidates (they are in {@link candidates}, to trickle). */
  async createOffer(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    const sdp = this.pc.localDescription?.sdp ?? '';
    return sdp
      .split('\r\n')
      .filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates')
      .join('\r\n');
  }

  async setAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  /** Starts sending the fixtures in a loop, paced in real time. */
  start(): void {
    const video = pacer(readIvf(`${FIXTURES}testsrc-vp8.ivf`), 90_000, (data, ts) => vp8.packetize(data, ts));
    const audio = pacer(readOggOpus(`${FIXTURES}sine-opus.ogg`), 48_000, (data, ts) =>
      opus.packetize(data, ts),
    );
    const vp8 = new Vp8Packetizer({ payloadType: PUBLISHER_PAYLOAD_TYPES.vp8, ssrc: 1111 });
    const opus = new OpusPacketizer({ payloadType: PUBLISHER_PAYLOAD_TYPES.opus, ssrc: 2222 });
    const started = performance.now();
    this.#timer = setInterval(() => {
      const elapsed = (performance.now() - started) / 1000;
      for (const packet of video(elapsed)) this.#video.writeRtp(packet);
      for (const packet of audio(elapsed)) this.#audio.writeRtp(packet);
    }, 10);
  }

  close(): Promise<void> {
    clearInterval(this.#timer);
    return this.pc.close();
  }
}

/** Returns a function giving the packets due at `elapsed` seconds, looping over the frames. */
function pacer(
  frames: EncodedFrame[],
  clockRate: number,
  packetize: (data: Buffer, timestamp: number) => RtpPacket[],
): (elapsed: number) => RtpPacket[] {
  const last = frames.at(-1);
  const duration =
    (last?.time ?? 0) + (frames.length > 1 ? (frames[1]?.time ?? 0) - (frames[0]?.time ?? 0) : 0.02);
  let next = 0;
  return (elapsed) => {
    const due: RtpPacket[] = [];
    for (;;) {
      const loop = Math.floor(next / frames.length);
      const frame = frames[next % frames.length];
      if (!frame) break;
      const time = loop * duration + frame.time;
      if (time > elapsed) break;
      due.push(...packetize(frame.data, Math.round(time * clockRate) >>> 0));
      next++;
    }
    return due;
  };
}

/** What a subscriber received on one track. */
export interface ReceivedTrack {
  packets: number;
  sequenceNumbers: number[];
  /** RTP timestamps, in arrival order. */
  timestamps: number[];
  payloadTypes: Set<number>;
  /** Extension ids seen on received packets, with their payloads as text. */
  extensions: Map<number, string>;
  ssrc: number | undefined;
}

/** A werift subscriber that answers the engine's offer and records the RTP it receives. */
export class TestSubscriber {
  readonly pc: RTCPeerConnection;
  readonly candidates: IceCandidate[] = [];
  readonly received = { audio: emptyTrack(), video: emptyTrack() };

  /** @param options.rtx - accept RTX for video (retransmissions then arrive on their own SSRC). */
  constructor(options: { rtx?: boolean } = {}) {
    this.pc = new RTCPeerConnection({
      ...LOOPBACK,
      iceAdditionalHostAddresses: [...LOOPBACK.iceAdditionalHostAddresses],
      iceServers: [],
      codecs: {
        audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2 })],
        video: [
          new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90_000, rtcpFeedback: feedback }),
          ...(options.rtx ? [new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90_000 })] : []),
          new RTCRtpCodecParameters({
            mimeType: 'video/H264',
            clockRate: 90_000,
            rtcpFeedback: feedback,
            parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
          }),
        ],
      },
      headerExtensions: { audio: [useSdesMid()], video: [useSdesMid()] },
    });
    this.pc.onIceCandidate.subscribe((candidate) => {
      if (candidate) this.candidates.push(candidate.toJSON() as IceCandidate);
    });
    this.pc.onTrack.subscribe((track) => {
      const record = this.received[track.kind === 'audio' ? 'audio' : 'video'];
      track.onReceiveRtp.subscribe((packet) => {
        record.packets++;
        record.ssrc = packet.header.ssrc;
        record.sequenceNumbers.push(packet.header.sequenceNumber);
        record.timestamps.push(packet.header.timestamp);
        record.payloadTypes.add(packet.header.payloadType);
        for (const extension of packet.header.extensions) {
          record.extensions.set(extension.id, extension.payload.toString());
        }
      });
    });
  }

  /** Answers an offer from the engine. */
  async answer(offer: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    return this.pc.localDescription?.sdp ?? '';
  }

  /**
   * Applies the engine's answer to this client's ICE-restart offer. werift skips ICE when DTLS is already
   * up, so the client restarts its connectivity checks itself (the engine does the same on its side).
   */
  async setRestartAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
    for (const ice of this.pc.iceTransports) {
      if (ice.connection.nominated === undefined) await ice.start();
    }
  }

  /** The payload type this subscriber negotiated for a kind. */
  negotiatedPayloadType(kind: 'audio' | 'video'): number | undefined {
    return this.pc.getTransceivers().find((t) => t.kind === kind)?.codecs[0]?.payloadType;
  }

  /** The MID of a kind's m-section. */
  mid(kind: 'audio' | 'video'): string | undefined {
    return this.pc.getTransceivers().find((t) => t.kind === kind)?.mid ?? undefined;
  }

  /** Sends a keyframe request for the received video, as a decoder that lost sync would. */
  async requestKeyFrame(): Promise<void> {
    const transceiver = this.pc.getTransceivers().find((t) => t.kind === 'video');
    const ssrc = this.received.video.ssrc;
    if (!transceiver || ssrc === undefined) throw new Error('no video received yet');
    await transceiver.receiver.sendRtcpPLI(ssrc);
  }

  /** Sends a generic NACK for the given (received-stream) video sequence numbers. */
  async sendNack(lost: number[]): Promise<void> {
    const { receiver, ssrc } = this.#videoReceiver();
    await receiver.dtlsTransport.sendRtcp([
      new RtcpTransportLayerFeedback({
        feedback: new GenericNack({ senderSsrc: receiver.rtcpSsrc, mediaSourceSsrc: ssrc, lost }),
      }),
    ]);
  }

  /** Sends a REMB for the received video, as Chrome's receive-side estimator does. */
  async sendRemb(bitrate: number): Promise<void> {
    const { receiver, ssrc } = this.#videoReceiver();
    let mantissa = bitrate;
    let exponent = 0;
    while (mantissa > 0x3ffff) {
      mantissa = Math.floor(mantissa / 2);
      exponent++;
    }
    await receiver.dtlsTransport.sendRtcp([
      new RtcpPayloadSpecificFeedback({
        feedback: new ReceiverEstimatedMaxBitrate({
          senderSsrc: receiver.rtcpSsrc,
          mediaSsrc: 0,
          ssrcNum: 1,
          brExp: exponent,
          brMantissa: mantissa,
          bitrate: BigInt(mantissa) << BigInt(exponent),
          ssrcFeedbacks: [ssrc],
        }),
      }),
    ]);
  }

  close(): Promise<void> {
    return this.pc.close();
  }

  #videoReceiver() {
    const transceiver = this.pc.getTransceivers().find((t) => t.kind === 'video');
    const ssrc = this.received.video.ssrc;
    if (!transceiver || ssrc === undefined) throw new Error('no video received yet');
    return { receiver: transceiver.receiver, ssrc };
  }
}

function emptyTrack(): ReceivedTrack {
  return {
    packets: 0,
    sequenceNumbers: [],
    timestamps: [],
    payloadTypes: new Set(),
    extensions: new Map(),
    ssrc: undefined,
  };
}
