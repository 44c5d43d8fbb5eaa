import { describe, expect, it } from 'vitest';
import { RtpPacket } from 'werift';
import { RtpSequenceRewriter } from './rtp-rewriter.js';

/** A real RTP packet on the wire: V=2, PT 96, the given numbers, a 4-byte VP8 payload. */
function rtpBytes(sequenceNumber: number, timestamp: number, ssrc: number): Buffer {
  const bytes = Buffer.alloc(16);
  bytes[0] = 0x80;
  bytes[1] = 96;
  bytes.writeUInt16BE(sequenceNumber, 2);
  bytes.writeUInt32BE(timestamp >>> 0, 4);
  bytes.writeUInt32BE(ssrc, 8);
  bytes.set([0x10, 0x00, 0x00, 0x00], 12);
  return bytes;
}

/** Rewrites one packet as the consumer does and returns the bytes that would go out. */
function forward(rewriter: RtpSequenceRewriter, bytes: Buffer, nowMs: number): Buffer | null {
  const packet = RtpPacket.deSerialize(bytes);
  if (!rewriter.accept(packet.header, nowMs)) return null;
  packet.header.sequenceNumber = rewriter.sequenceNumberOf(packet.header.sequenceNumber);
  packet.header.timestamp = rewriter.timestampOf(packet.header.timestamp);
  return packet.serialize();
}

const seqOf = (bytes: Buffer | null): number => (bytes as Buffer).readUInt16BE(2);
const tsOf = (bytes: Buffer | null): number => (bytes as Buffer).readUInt32BE(4);

describe('RtpSequenceRewriter', () => {
  it('passes the first stream through unchanged', () => {
    const rewriter = new RtpSequenceRewriter(90_000);
    const out = [100, 101, 102].map((seq, i) => forward(rewriter, rtpBytes(seq, 5000 + i * 3000, 1), i * 33));
    expect(out.map(seqOf)).toEqual([100, 101, 102]);
    expect(out.map(tsOf)).toEqual([5000, 8000, 11000]);
  });

  it('continues sequence numbers and timestamps across a switch to another SSRC', () => {
    const rewriter = new RtpSequenceRewriter(90_000);
    forward(rewriter, rtpBytes(65_534, 4_294_960_000, 1), 0);
    const last = forward(rewriter, rtpBytes(65_535, 4_294_963_000, 1), 33);
    rewriter.rebase();
    // The new layer has its own random numbers; 50 ms later it starts.
    const first = forward(rewriter, rtpBytes(20_000, 777_000, 2), 83);
    const second = forward(rewriter, rtpBytes(20_001, 780_000, 2), 116);
    expect(seqOf(last)).toBe(65_535);
    expect(seqOf(first)).toBe(0); // wraps
    expect(seqOf(second)).toBe(1);
    // 50 ms at 90 kHz after the last timestamp sent (which wrapped past 2^32).
    expect(tsOf(first)).toBe((4_294_963_000 + 4_500) >>> 0);
    expect(tsOf(second)).toBe((tsOf(first) + 3_000) >>> 0);
    // The original bytes are untouched by the rewrite (the consumer restores the shared packet).
    expect(rtpBytes(20_000, 777_000, 2).readUInt16BE(2)).toBe(20_000);
  });

  it('keeps reordered packets of the epoch and drops late packets from before it', () => {
    const rewriter = new RtpSequenceRewriter(90_000);
    forward(rewriter, rtpBytes(10, 0, 1), 0);
    forward(rewriter, rtpBytes(11, 3000, 1), 33);
    rewriter.rebase();
    expect(seqOf(forward(rewriter, rtpBytes(500, 90_000, 1), 66))).toBe(12);
    expect(seqOf(forward(rewriter, rtpBytes(502, 90_000, 1), 67))).toBe(14);
    // 501 arrives late but is after the epoch start: it fills the hole.
    expect(seqOf(forward(rewriter, rtpBytes(501, 90_000, 1), 68))).toBe(13);
    // 499 precedes the epoch: it would reuse a sequence number already sent.
    expect(forward(rewriter, rtpBytes(499, 87_000, 1), 69)).toBeNull();
    // The highest sequence number stays the reference for the next switch.
    rewriter.rebase();
    expect(seqOf(forward(rewriter, rtpBytes(9, 1, 3), 100))).toBe(15);
  });

  it('advances the timestamp by at least one tick, and uses the codec clock', () => {
    const audio = new RtpSequenceRewriter(48_000);
    forward(audio, rtpBytes(1, 960, 7), 1000);
    audio.rebase();
    // Resumed 2 s later: 96 000 ticks of a 48 kHz clock.
    expect(tsOf(forward(audio, rtpBytes(90, 5, 7), 3000))).toBe(960 + 96_000);
    audio.rebase();
    // Same millisecond: still one tick later, never the same timestamp for another frame.
    expect(tsOf(forward(audio, rtpBytes(300, 40, 8), 3000))).toBe(960 + 96_000 + 1);
    expect(() => new RtpSequenceRewriter(0)).toThrow(/clockRate/);
  });
});
