import { describe, expect, it } from 'vitest';
import { ReceiverEstimatedMaxBitrate, RtcpPayloadSpecificFeedback } from 'werift';
import { buildRemb, encodeRembBitrate } from './rtcp.js';

describe('REMB', () => {
  it('encodes a bitrate as mantissa × 2^exponent, never above the input', () => {
    for (const bitrate of [0, 1000, 262_143, 262_144, 2_000_000, 1_500_000_000]) {
      const { exponent, mantissa } = encodeRembBitrate(bitrate);
      expect(mantissa).toBeLessThanOrEqual(0x3ffff);
      const decoded = mantissa * 2 ** exponent;
      expect(decoded).toBeLessThanOrEqual(bitrate);
      expect(decoded).toBeGreaterThan(bitrate * 0.99999 - 1);
    }
  });

  it('builds a packet that werift parses back to the same bitrate and SSRCs', () => {
    const packet = buildRemb(1, [1234, 5678], 2_000_000);
    const parsed = RtcpPayloadSpecificFeedback.deSerialize(packet.serialize().subarray(4), {
      type: 206,
      count: 15,
      length: 0,
      padding: false,
      version: 2,
    } as never);
    const remb = parsed.feedback as ReceiverEstimatedMaxBitrate;
    expect(remb).toBeInstanceOf(ReceiverEstimatedMaxBitrate);
    expect(Number(remb.bitrate)).toBe(2_000_000); // 250 000 × 2³, exact
    expect(remb.ssrcFeedbacks).toEqual([1234, 5678]);
  });
});
