import { describe, expect, it } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { RTP_HISTORY_INITIAL_BYTES, RTP_HISTORY_MAX_BYTES, RtpPacketHistory } from './rtp-history.js';

/** A payload whose bytes all derive from the sequence number, so any mix-up in the ring shows. */
function payloadOf(sequenceNumber: number, length: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (sequenceNumber * 7 + i) & 0xff));
}

function packet(sequenceNumber: number, length = 4, marker = false): RtpPacket {
  // Through real bytes, as the producer receives them.
  const built = new RtpPacket(
    new RtpHeader({
      payloadType: 96,
      sequenceNumber,
      timestamp: 1000 + sequenceNumber * 3000,
      ssrc: 42,
      marker,
    }),
    payloadOf(sequenceNumber, length),
  );
  return RtpPacket.deSerialize(built.serialize());
}

/** What a retransmission uses of a stored packet. */
function expectStored(history: RtpPacketHistory, original: RtpPacket): void {
  const stored = history.get(original.header.sequenceNumber);
  expect(stored).toBeDefined();
  expect(stored?.header.sequenceNumber).toBe(original.header.sequenceNumber);
  expect(stored?.header.timestamp).toBe(original.header.timestamp);
  expect(stored?.header.marker).toBe(original.header.marker);
  expect(stored?.payload.equals(original.payload)).toBe(true);
  expect(history.has(original.header.sequenceNumber)).toBe(true);
}

describe('RtpPacketHistory', () => {
  it('returns a stored packet by its sequence number, across the 16-bit wrap', () => {
    const history = new RtpPacketHistory(16);
    const stored = [65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2].map((seq) => packet(seq));
    for (const p of stored) history.put(p);
    for (const p of stored) expectStored(history, p);
    expect(history.has(3)).toBe(false);
  });

  it('keeps copies: neither the stored packet nor a returned one shares bytes with the ring', () => {
    const history = new RtpPacketHistory(16);
    const original = packet(5, 8, true);
    const kept = Buffer.from(original.payload);
    history.put(original);
    original.payload.fill(0);
    const first = history.get(5);
    expect(first?.payload.equals(kept)).toBe(true);
    first?.payload.fill(0xff);
    expect(history.get(5)?.payload.equals(kept)).toBe(true);
    expect(history.get(5)?.header.marker).toBe(true);
  });

  it('grows its payload ring to the stream and keeps every payload intact across wraps and growth', () => {
    let now = 0;
    const history = new RtpPacketHistory(512, { maxAgeMs: 1000, now: () => now });
    expect(history.byteCapacity).toBe(RTP_HISTORY_INITIAL_BYTES);
    const recent: RtpPacket[] = [];
    // 100 packets/s of 700–1,300 bytes for 5 s: ≈ 100 KB live at the 1 s age limit.
    for (let seq = 0; seq < 500; seq++) {
      const p = packet(seq, 700 + ((seq * 37) % 600));
      history.put(p);
      recent.push(p);
      if (recent.length > 100) recent.shift();
      now += 10;
      if (seq % 50 === 49) for (const kept of recent.slice(1)) expectStored(history, kept);
    }
    expect(history.byteCapacity).toBeGreaterThanOrEqual(100_000);
    expect(history.byteCapacity).toBeLessThanOrEqual(256 * 1024);
    // Older than the age limit at the last put (4,990 ms): released.
    expect(history.get(0)).toBeUndefined();
    expect(history.has(398)).toBe(false);
    expect(history.has(399)).toBe(true);
  });

  it('releases the oldest packets early when the ring reaches its byte limit', () => {
    const history = new RtpPacketHistory(4096, { maxAgeMs: 60_000, now: () => 0 });
    const size = 1200;
    const count = Math.ceil((RTP_HISTORY_MAX_BYTES * 1.5) / size);
    for (let seq = 0; seq < count; seq++) history.put(packet(seq, size));
    expect(history.byteCapacity).toBe(RTP_HISTORY_MAX_BYTES);
    expect(history.get(0)).toBeUndefined();
    expectStored(history, packet(count - 1, size));
    expectStored(history, packet(count - 3000, size));
  });

  it('forgets a packet once `capacity` newer ones overwrote its slot, and never returns another one', () => {
    const history = new RtpPacketHistory(16);
    for (let seq = 100; seq < 120; seq++) history.put(packet(seq));
    expect(history.get(103)).toBeUndefined(); // overwritten by 119
    expectStored(history, packet(104));
    expect(history.get(119)?.header.sequenceNumber).toBe(119);
    expect(history.get(120)).toBeUndefined(); // same slot as 104, never stored
    expect(history.get(88)).toBeUndefined();
  });

  it('clear() forgets everything', () => {
    const history = new RtpPacketHistory(16);
    history.put(packet(7));
    history.clear();
    expect(history.get(7)).toBeUndefined();
    expect(history.has(7)).toBe(false);
    history.put(packet(8));
    expectStored(history, packet(8));
  });

  it('rejects a capacity that is not a power of two in range', () => {
    for (const capacity of [0, 8, 100, 65_536, 1.5]) {
      expect(() => new RtpPacketHistory(capacity)).toThrow(/capacity must be a power of two/);
    }
    expect(new RtpPacketHistory().capacity).toBe(512);
  });

  it('releases packets older than its age limit even when the ring has room', () => {
    let now = 0;
    const history = new RtpPacketHistory(64, { maxAgeMs: 2000, now: () => now });
    for (let seq = 0; seq < 10; seq++) {
      history.put(packet(seq));
      now += 100; // 10 packets/s: the ring would otherwise hold 6.4 s of them
    }
    now = 2050;
    history.put(packet(10));
    // Stored at 0 ms (seq 0) is older than 2 s at 2,050 ms; seq 1 (100 ms) is not.
    expect(history.get(0)).toBeUndefined();
    expect(history.get(1)?.header.sequenceNumber).toBe(1);
    now = 10_000;
    history.put(packet(11));
    for (let seq = 0; seq <= 10; seq++) expect(history.get(seq)).toBeUndefined();
    expect(history.get(11)?.header.sequenceNumber).toBe(11);
  });

  it('keeps a newer packet when an expired entry names the slot it took over', () => {
    let now = 0;
    const history = new RtpPacketHistory(16, { maxAgeMs: 1000, now: () => now });
    history.put(packet(3));
    now = 500;
    history.put(packet(19)); // same slot (19 & 15 = 3)
    now = 1200; // seq 3's entry expires; the slot holds 19 (stored at 500 ms), which must stay
    history.put(packet(20));
    expect(history.get(19)?.header.sequenceNumber).toBe(19);
    expect(() => new RtpPacketHistory(16, { maxAgeMs: 0 })).toThrow(/maxAgeMs/);
  });
});
