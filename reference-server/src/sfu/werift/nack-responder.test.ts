import { describe, expect, it } from 'vitest';
import { GenericNack, RtcpPacketConverter, RtcpTransportLayerFeedback, RtpHeader, RtpPacket } from 'werift';
import { NackResponder, type NackResponderOptions, type RetransmissionTarget } from './nack-responder.js';
import { RtpPacketHistory } from './rtp-history.js';

const PUBLISHER_SSRC = 0x1111;
const SUBSCRIBER_SSRC = 0x2222;
const RTX_SSRC = 0x3333;
/** How the (simulated) werift sender rewrote the producer's packets for this subscriber. */
const SEQ_OFFSET = 1000;
const TS_OFFSET = 0xffff_ff00; // wraps the 32-bit timestamp

/** A producer packet as it arrives from the publisher: through real RTP bytes. */
function producerPacket(sequenceNumber: number): RtpPacket {
  const payload = Buffer.alloc(40, sequenceNumber & 0xff);
  const built = new RtpPacket(
    new RtpHeader({
      payloadType: 120,
      sequenceNumber,
      timestamp: 90_000 + sequenceNumber * 3000,
      ssrc: PUBLISHER_SSRC,
      marker: sequenceNumber % 3 === 0,
    }),
    payload,
  );
  return RtpPacket.deSerialize(built.serialize());
}

/** The subscriber's NACK, serialised and parsed back as the engine receives it. */
function nackFromSubscriber(lost: number[]): number[] {
  const bytes = new RtcpTransportLayerFeedback({
    feedback: new GenericNack({ senderSsrc: 1, mediaSourceSsrc: SUBSCRIBER_SSRC, lost }),
  }).serialize();
  const [parsed] = RtcpPacketConverter.deSerialize(bytes);
  if (!(parsed instanceof RtcpTransportLayerFeedback) || !(parsed.feedback instanceof GenericNack)) {
    throw new Error('not a generic NACK');
  }
  return parsed.feedback.lost;
}

interface Setup {
  responder: NackResponder;
  /** What went out on the wire, parsed from its bytes. */
  sent: RtpPacket[];
  clock: { now: number };
  /** Forwards producer packets `from`..`to` (inclusive) through the history and the responder. */
  forward(from: number, to: number): void;
}

function setup(options: { rtx: boolean; capacity?: number } & NackResponderOptions): Setup {
  const history = new RtpPacketHistory(options.capacity ?? 64);
  const sent: RtpPacket[] = [];
  const target: RetransmissionTarget = {
    ssrc: SUBSCRIBER_SSRC,
    payloadType: 96,
    rtx: options.rtx ? { payloadType: 97, ssrc: RTX_SSRC } : undefined,
    midExtensionId: 1,
    mid: '1',
    send: (header, payload) => sent.push(RtpPacket.deSerialize(new RtpPacket(header, payload).serialize())),
  };
  const clock = { now: 0 };
  const responder = new NackResponder(history, target, { now: () => clock.now, ...options });
  let started = false;
  return {
    responder,
    sent,
    clock,
    forward(from, to) {
      for (let seq = from; seq <= to; seq++) {
        const packet = producerPacket(seq & 0xffff);
        history.put(packet);
        if (!started) {
          started = true;
          responder.startEpoch(packet.header.sequenceNumber, SEQ_OFFSET, TS_OFFSET);
        } else {
          responder.packetSent();
        }
      }
    },
  };
}

describe('NackResponder', () => {
  it('retransmits a NACKed packet as RTX: original sequence number first, RTX SSRC and payload type, MID', () => {
    const { responder, sent, forward } = setup({ rtx: true });
    forward(10, 40);
    // The subscriber saw producer packet 20 as 1020 and lost it.
    responder.handleNack(nackFromSubscriber([1020]));
    expect(sent).toHaveLength(1);
    const rtx = sent[0] as RtpPacket;
    const original = producerPacket(20);
    expect(rtx.header.ssrc).toBe(RTX_SSRC);
    expect(rtx.header.payloadType).toBe(97);
    expect(rtx.payload.readUInt16BE(0)).toBe(1020);
    expect(rtx.payload.subarray(2)).toEqual(original.payload);
    expect(rtx.header.timestamp).toBe((original.header.timestamp + TS_OFFSET) >>> 0);
    expect(rtx.header.marker).toBe(original.header.marker);
    expect(rtx.header.extensions).toEqual([{ id: 1, payload: Buffer.from('1') }]);
    expect(responder.stats).toMatchObject({ requested: 1, retransmitted: 1, missing: 0 });

    // RTX packets get their own consecutive sequence numbers.
    responder.handleNack(nackFromSubscriber([1021, 1022]));
    const rtxSeqs = sent.map((p) => p.header.sequenceNumber);
    expect(((rtxSeqs[1] as number) - (rtxSeqs[0] as number)) & 0xffff).toBe(1);
    expect(((rtxSeqs[2] as number) - (rtxSeqs[1] as number)) & 0xffff).toBe(1);
  });

  it('resends the original packet when the subscriber did not negotiate RTX', () => {
    const { responder, sent, forward } = setup({ rtx: false });
    forward(65_530, 65_545); // across the producer's sequence-number wrap
    const subscriberSeq = (65_535 + SEQ_OFFSET) & 0xffff;
    responder.handleNack(nackFromSubscriber([subscriberSeq]));
    expect(sent).toHaveLength(1);
    const resent = sent[0] as RtpPacket;
    expect(resent.header).toMatchObject({
      ssrc: SUBSCRIBER_SSRC,
      payloadType: 96,
      sequenceNumber: subscriberSeq,
    });
    expect(resent.payload).toEqual(producerPacket(65_535).payload);
  });

  it('ignores NACKs for packets no longer in history, never sent, or sent before the last re-base', () => {
    const { responder, sent, forward } = setup({ rtx: true, capacity: 16 });
    forward(10, 60);
    responder.handleNack(nackFromSubscriber([1010, 1044, 1061, 1500]));
    // 1010: overwritten (history of 16); 1061, 1500: never sent. Only 1044 remains… but it is not in the
    // last 16 either (45–60 are): nothing goes out.
    expect(sent).toHaveLength(0);
    responder.handleNack(nackFromSubscriber([1050]));
    expect(sent).toHaveLength(1);
    expect(responder.stats).toMatchObject({ requested: 5, retransmitted: 1, missing: 4 });

    // A re-base (resume after a pause): the same producer packets now map to other subscriber numbers.
    responder.startEpoch(61, 5000, 0);
    expect(responder.stats.missing).toBe(4);
    responder.handleNack(nackFromSubscriber([1055]));
    expect(sent).toHaveLength(1);
    expect(responder.stats.missing).toBe(5);
  });

  it('does not resend one packet twice within the interval, and keeps to its budget', () => {
    const { responder, sent, forward, clock } = setup({
      rtx: true,
      burst: 4,
      budgetPerPacket: 0.25,
      minResendIntervalMs: 20,
    });
    forward(0, 40); // plenty of packets: the budget is full (4)
    responder.handleNack(nackFromSubscriber([1030]));
    clock.now = 10;
    responder.handleNack(nackFromSubscriber([1030])); // repeated while the first is in flight
    expect(sent).toHaveLength(1);
    clock.now = 25;
    responder.handleNack(nackFromSubscriber([1030]));
    expect(sent).toHaveLength(2);
    expect(responder.stats).toMatchObject({ requested: 3, distinct: 1 });

    // Two tokens left; a burst of 6 gets 2.
    responder.handleNack(nackFromSubscriber([1031, 1032, 1033, 1034, 1035, 1036]));
    expect(sent).toHaveLength(4);
    expect(responder.stats.limited).toBe(5);
    // Each forwarded packet earns a quarter of a retransmission.
    forward(41, 44);
    responder.handleNack(nackFromSubscriber([1037, 1038]));
    expect(sent).toHaveLength(5);
  });
});
