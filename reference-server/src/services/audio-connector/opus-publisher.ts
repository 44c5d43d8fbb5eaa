/**
 * The WebRTC leg of a server-side publisher: a werift peer connection that sends one Opus audio track to
 * the SFU, exactly as a browser's publisher does (so the stream is routed, subscribed to, recorded and
 * force-muted like any other). It lives in the server process and talks to the SFU over loopback.
 */
import { RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket, useSdesMid } from 'werift';
import type { IceCandidate } from '../../sfu/types.js';
import { OPUS_CLOCK_RATE } from './pcm-decoder.js';

/** The payload type the publisher offers Opus under. */
const OPUS_PAYLOAD_TYPE = 111;

/** 20 ms at the Opus RTP clock. */
const SAMPLES_PER_FRAME = 960;

/** An Opus publisher; see the file comment. */
export class OpusPublisher {
  readonly #pc: RTCPeerConnection;
  readonly #candidates: IceCandidate[] = [];
  readonly #sender;
  readonly #ssrc = (Math.random() * 0xffffffff) >>> 0;
  #sequence = Math.floor(Math.random() * 0xffff);
  #lastTimestamp: number | null = null;
  readonly #clockStart = performance.now();
  readonly #timestampBase = (Math.random() * 0xffffffff) >>> 0;

  constructor() {
    this.#pc = new RTCPeerConnection({
      iceServers: [],
      iceUseIpv4: true,
      iceUseIpv6: false,
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceInterfaceAddresses: { udp4: '127.0.0.1' },
      codecs: {
        audio: [
          new RTCRtpCodecParameters({
            mimeType: 'audio/opus',
            clockRate: OPUS_CLOCK_RATE,
            channels: 2,
            payloadType: OPUS_PAYLOAD_TYPE,
          }),
        ],
        video: [],
      },
      headerExtensions: { audio: [useSdesMid()] },
    });
    this.#pc.onIceCandidate.subscribe((candidate) => {
      if (candidate) this.#candidates.push(candidate.toJSON() as IceCandidate);
    });
    const transceiver = this.#pc.addTransceiver('audio', { direction: 'sendonly' });
    this.#sender = transceiver.sender;
  }

  /**
   * Creates the offer. Returns its SDP without candidates, and the candidates apart, to trickle before
   * the offer as OpenTok.js does.
   */
  async createOffer(): Promise<{ sdp: string; candidates: IceCandidate[] }> {
    await this.#pc.setLocalDescription(await this.#pc.createOffer());
    const sdp = (this.#pc.localDescription?.sdp ?? '')
      .split('\r\n')
      .filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates')
      .join('\r\n');
    return { sdp, candidates: [...this.#candidates] };
  }

  /** Applies the SFU's answer. */
  async setAnswer(sdp: string): Promise<void> {
    await this.#pc.setRemoteDescription({ type: 'answer', sdp });
  }

  /**
   * Sends one 20 ms Opus packet. Its RTP timestamp follows the wall clock, so a pause in the audio is a
   * gap in timestamps (as with a browser's DTX), never a speed-up.
   */
  sendOpus(payload: Buffer): void {
    const elapsed = Math.round(((performance.now() - this.#clockStart) * OPUS_CLOCK_RATE) / 1000);
    const byClock = elapsed - (elapsed % SAMPLES_PER_FRAME);
    // Packets leave the encoder in small bursts: never let the clock put one before its predecessor.
    const offset =
      this.#lastTimestamp === null
        ? byClock
        : Math.max(this.#lastTimestamp + SAMPLES_PER_FRAME, byClock - 2 * SAMPLES_PER_FRAME);
    this.#lastTimestamp = offset;
    const header = new RtpHeader({
      payloadType: OPUS_PAYLOAD_TYPE,
      sequenceNumber: this.#sequence,
      timestamp: (this.#timestampBase + offset) >>> 0,
      ssrc: this.#ssrc,
      marker: false,
    });
    this.#sequence = (this.#sequence + 1) & 0xffff;
    // A packet sent before the transport is up, or after it closed, is simply lost, as on the network.
    this.#sender.sendRtp(new RtpPacket(header, payload)).catch(() => undefined);
  }

  /** Closes the peer connection. */
  async close(): Promise<void> {
    await this.#pc.close();
  }
}
