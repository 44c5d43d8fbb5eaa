/**
 * Test-only simulcast publisher. werift can receive simulcast but cannot send it, so this client
 * negotiates like a browser that does (its offer munged into legacy `a=ssrc-group:SIM` or RID
 * `a=rid`/`a=simulcast` form) and writes the RTP of three layers itself: synthetic VP8 frames whose
 * keyframes announce each layer's size, a keyframe every {@link KEYFRAME_EVERY} frames, larger layers with
 * more and bigger packets. The last payload byte of every packet is its layer index, so a subscriber can
 * tell which layer each packet it receives came from.
 */
import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtpHeader,
  useRepairedRtpStreamId,
  useSdesMid,
  useSdesRTPStreamId,
} from 'werift';
import type { IceCandidate } from '../../types.js';

/** The layers, lowest first: size, packets per frame and payload bytes per packet. */
export const SIMULCAST_TEST_LAYERS = [
  { rid: 'q', ssrc: 0x1000_0001, width: 320, height: 180, packets: 1, bytes: 300 },
  { rid: 'h', ssrc: 0x1000_0002, width: 640, height: 360, packets: 2, bytes: 700 },
  { rid: 'f', ssrc: 0x1000_0003, width: 1280, height: 720, packets: 3, bytes: 1100 },
] as const;

/** Frames between keyframes (at 20 fps: two keyframes a second per layer). */
export const KEYFRAME_EVERY = 10;
const FRAME_INTERVAL_MS = 50;
const PAYLOAD_TYPE = 120;
const RTX_PAYLOAD_TYPE = 121;

/** Which simulcast signalling the offer uses. */
export type SimulcastMode = 'ssrc-group' | 'rid';

/** A werift client that publishes three synthetic VP8 simulcast layers. */
export class SimulcastTestPublisher {
  readonly pc: RTCPeerConnection;
  readonly candidates: IceCandidate[] = [];
  readonly mode: SimulcastMode;
  #timer: NodeJS.Timeout | undefined;
  #frame = 0;
  readonly #sequence = SIMULCAST_TEST_LAYERS.map((_, i) => 1000 * (i + 1) * 7);
  #ridExtensionId: number | undefined;
  #repairedRidExtensionId: number | undefined;
  #rtxSequence = 500;
  /** How many more packets of the top layer to withhold (see {@link holdBack}). */
  #holdNext = 0;
  /** The top layer's packets withheld and then retransmitted as RTX. */
  retransmitted: number[] = [];

  constructor(mode: SimulcastMode) {
    this.mode = mode;
    this.pc = new RTCPeerConnection({
      iceServers: [],
      iceUseIpv4: false,
      iceUseIpv6: false,
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceInterfaceAddresses: { udp4: '127.0.0.1' },
      codecs: {
        audio: [],
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/VP8',
            clockRate: 90_000,
            payloadType: PAYLOAD_TYPE,
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }],
          }),
          new RTCRtpCodecParameters({
            mimeType: 'video/rtx',
            clockRate: 90_000,
            payloadType: RTX_PAYLOAD_TYPE,
            parameters: `apt=${PAYLOAD_TYPE}`,
          }),
        ],
      },
      headerExtensions: {
        audio: [],
        video: [useSdesMid(), useSdesRTPStreamId(), useRepairedRtpStreamId()],
      },
    });
    this.pc.onIceCandidate.subscribe((candidate) => {
      if (candidate) this.candidates.push(candidate.toJSON() as IceCandidate);
    });
    this.pc.addTransceiver('video', { direction: 'sendonly' });
  }

  /** The offer, munged into the mode's simulcast form, without candidates (they are trickled). */
  async createOffer(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    const lines = (this.pc.localDescription?.sdp ?? '')
      .split('\r\n')
      .filter(
        (line) =>
          !line.startsWith('a=candidate:') &&
          line !== 'a=end-of-candidates' &&
          !line.startsWith('a=ssrc') &&
          line !== '',
      );
    const added =
      this.mode === 'rid'
        ? [
            ...SIMULCAST_TEST_LAYERS.map((layer) => `a=rid:${layer.rid} send`),
            `a=simulcast:send ${SIMULCAST_TEST_LAYERS.map((layer) => layer.rid).join(';')}`,
          ]
        : [
            `a=ssrc-group:SIM ${SIMULCAST_TEST_LAYERS.map((layer) => layer.ssrc).join(' ')}`,
            ...SIMULCAST_TEST_LAYERS.map((layer) => `a=ssrc-group:FID ${layer.ssrc} ${layer.ssrc + 0x100}`),
            ...SIMULCAST_TEST_LAYERS.map((layer) => `a=ssrc:${layer.ssrc} cname:simulcast-test`),
            ...SIMULCAST_TEST_LAYERS.map((layer) => `a=ssrc:${layer.ssrc + 0x100} cname:simulcast-test`),
          ];
    return `${[...lines, ...added].join('\r\n')}\r\n`;
  }

  async setAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
    const match = /^a=extmap:(\d+)\S* urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id/m.exec(sdp);
    this.#ridExtensionId = match ? Number(match[1]) : undefined;
    const repaired = /^a=extmap:(\d+)\S* urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id/m.exec(sdp);
    this.#repairedRidExtensionId = repaired ? Number(repaired[1]) : undefined;
  }

  /**
   * Withholds the next `count` packets of the top layer and sends each, 30 ms later, only as an RTX
   * retransmission on its own SSRC (RID mode: tagged with the repaired rid, as Chrome does), so the
   * subscriber receives them only if the engine routes and unwraps that RTX.
   */
  holdBack(count: number): void {
    this.#holdNext = count;
  }

  /** Starts sending the three layers at 20 fps. */
  start(): void {
    this.#timer = setInterval(() => this.#sendFrame(), FRAME_INTERVAL_MS);
  }

  close(): Promise<void> {
    clearInterval(this.#timer);
    return this.pc.close();
  }

  #retransmit(original: RtpHeader, payload: Buffer): void {
    const transport = this.pc.getTransceivers()[0]?.sender.dtlsTransport;
    const layer = SIMULCAST_TEST_LAYERS[SIMULCAST_TEST_LAYERS.length - 1];
    if (!transport || !layer) return;
    // RFC 4588: the original sequence number, then the original payload.
    const rtxPayload = Buffer.alloc(payload.length + 2);
    rtxPayload.writeUInt16BE(original.sequenceNumber, 0);
    payload.copy(rtxPayload, 2);
    const header = new RtpHeader({
      payloadType: RTX_PAYLOAD_TYPE,
      sequenceNumber: this.#rtxSequence++,
      timestamp: original.timestamp,
      ssrc: layer.ssrc + 0x100,
      marker: original.marker,
      extensions:
        this.mode === 'rid' && this.#repairedRidExtensionId !== undefined
          ? [{ id: this.#repairedRidExtensionId, payload: Buffer.from(layer.rid) }]
          : [],
    });
    this.retransmitted.push(original.sequenceNumber);
    transport.sendRtp(rtxPayload, header).catch(() => undefined);
  }

  #sendFrame(): void {
    const transport = this.pc.getTransceivers()[0]?.sender.dtlsTransport;
    if (!transport || this.pc.connectionState !== 'connected') return;
    const keyFrame = this.#frame % KEYFRAME_EVERY === 0;
    const timestamp = (this.#frame * 4500) >>> 0;
    this.#frame++;
    for (const [index, layer] of SIMULCAST_TEST_LAYERS.entries()) {
      for (let packet = 0; packet < layer.packets; packet++) {
        const payload = vp8Payload(index, packet === 0, keyFrame, layer.width, layer.height, layer.bytes);
        const sequenceNumber = this.#sequence[index] as number;
        this.#sequence[index] = (sequenceNumber + 1) & 0xffff;
        const header = new RtpHeader({
          payloadType: PAYLOAD_TYPE,
          sequenceNumber,
          timestamp: (timestamp + index * 1_000_000) >>> 0,
          ssrc: layer.ssrc,
          marker: packet === layer.packets - 1,
          extensions:
            this.mode === 'rid' && this.#ridExtensionId !== undefined
              ? [{ id: this.#ridExtensionId, payload: Buffer.from(layer.rid) }]
              : [],
        });
        if (index === SIMULCAST_TEST_LAYERS.length - 1 && this.#holdNext > 0 && packet > 0) {
          this.#holdNext--;
          setTimeout(() => this.#retransmit(header, payload), 30);
          continue;
        }
        transport.sendRtp(payload, header).catch(() => undefined);
      }
    }
  }
}

/** A VP8 RTP payload: descriptor, frame header (with the size on keyframes), filler, layer index last. */
function vp8Payload(
  layer: number,
  startsFrame: boolean,
  keyFrame: boolean,
  width: number,
  height: number,
  bytes: number,
): Buffer {
  const payload = Buffer.alloc(bytes);
  // Descriptor: S bit on a frame's first packet, partition 0.
  payload[0] = startsFrame ? 0x10 : 0x00;
  if (startsFrame) {
    // Frame tag: bit 0 is 0 for a keyframe; show_frame set.
    payload[1] = keyFrame ? 0x10 : 0x11;
    if (keyFrame) {
      payload.set([0x9d, 0x01, 0x2a], 4);
      payload.writeUInt16LE(width, 7);
      payload.writeUInt16LE(height, 9);
    }
  }
  payload[bytes - 1] = layer;
  return payload;
}
