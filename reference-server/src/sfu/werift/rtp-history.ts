/**
 * The recent packets of one video producer, kept so that subscribers' NACKs can be answered. One history
 * per producer is shared by all its consumers: a 1→16 fan-out keeps each packet once, not sixteen times.
 *
 * A fixed ring of references indexed by the producer's sequence number. Storing costs one array write
 * and no allocation: the slot array is allocated once, and the packets are the objects werift already
 * created for the producer (werift's sender clones before rewriting, so they are never mutated after
 * the fan-out stripped their header extensions).
 */
import type { RtpPacket } from 'werift';

/**
 * Default capacity: 512 packets is ≈ 2.2 s of a 2 Mbps video stream (≈ 230 packets/s) and ≈ 7 s at
 * 500 kbps; a NACK older than that is of no use to a receiver's jitter buffer anyway.
 */
export const RTP_HISTORY_CAPACITY = 512;

/**
 * Default age limit: packets older than this are released even when the ring has room. A retransmission
 * later than 2 s comes after the receiver's jitter buffer gave up on the packet (mediasoup keeps video for
 * 2 s too); without the limit a low-rate stream held 20 s of packets, ≈ 0.8 MB of RSS per producer.
 */
export const RTP_HISTORY_MAX_AGE_MS = 2000;

/** A ring buffer of the last packets of one RTP stream, looked up by sequence number. */
export class RtpPacketHistory {
  readonly #slots: (RtpPacket | undefined)[];
  readonly #mask: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  /**
   * Arrival order, for releasing packets by age: the slot and the arrival time of each stored packet, in
   * a ring as large as the slots (preallocated: storing allocates nothing).
   */
  readonly #orderSlots: Uint16Array;
  readonly #orderSequence: Uint16Array;
  readonly #orderTimes: Float64Array;
  #orderHead = 0;
  #orderSize = 0;

  /**
   * @param capacity - a power of two from 16 to 32768 (the slot is `sequenceNumber & (capacity - 1)`).
   * @param options.maxAgeMs - packets older than this are released (default {@link RTP_HISTORY_MAX_AGE_MS}).
   * @param options.now - the clock, in ms (tests control it).
   */
  constructor(
    capacity: number = RTP_HISTORY_CAPACITY,
    options: { maxAgeMs?: number; now?: () => number } = {},
  ) {
    if (
      !Number.isInteger(capacity) ||
      capacity < 16 ||
      capacity > 32_768 ||
      (capacity & (capacity - 1)) !== 0
    ) {
      throw new RangeError(`capacity must be a power of two from 16 to 32768, got ${capacity}`);
    }
    const maxAgeMs = options.maxAgeMs ?? RTP_HISTORY_MAX_AGE_MS;
    if (!(maxAgeMs > 0)) throw new RangeError(`maxAgeMs must be a positive number, got ${maxAgeMs}`);
    this.#slots = new Array<RtpPacket | undefined>(capacity).fill(undefined);
    this.#mask = capacity - 1;
    this.#maxAgeMs = maxAgeMs;
    this.#now = options.now ?? (() => performance.now());
    this.#orderSlots = new Uint16Array(capacity);
    this.#orderSequence = new Uint16Array(capacity);
    this.#orderTimes = new Float64Array(capacity);
  }

  /** How many packets the ring holds at most. */
  get capacity(): number {
    return this.#slots.length;
  }

  /** Keeps `packet`, replacing the one `capacity` sequence numbers before it, and releases old packets. */
  put(packet: RtpPacket): void {
    const now = this.#now();
    this.#releaseOlderThan(now - this.#maxAgeMs);
    const sequenceNumber = packet.header.sequenceNumber;
    const slot = sequenceNumber & this.#mask;
    this.#slots[slot] = packet;
    const capacity = this.#slots.length;
    if (this.#orderSize === capacity) {
      // The oldest entry's slot has been overwritten or is about to be: forget it.
      this.#orderHead = (this.#orderHead + 1) & this.#mask;
      this.#orderSize--;
    }
    const tail = (this.#orderHead + this.#orderSize) & this.#mask;
    this.#orderSlots[tail] = slot;
    this.#orderSequence[tail] = sequenceNumber;
    this.#orderTimes[tail] = now;
    this.#orderSize++;
  }

  /** The packet with this sequence number, or `undefined` when it was never stored, overwritten or released. */
  get(sequenceNumber: number): RtpPacket | undefined {
    const packet = this.#slots[sequenceNumber & this.#mask];
    return packet !== undefined && packet.header.sequenceNumber === sequenceNumber ? packet : undefined;
  }

  /** Forgets every packet (the producer closed: release the memory at once). */
  clear(): void {
    this.#slots.fill(undefined);
    this.#orderSize = 0;
  }

  #releaseOlderThan(limit: number): void {
    const slots = this.#slots;
    while (this.#orderSize > 0) {
      const head = this.#orderHead;
      if ((this.#orderTimes[head] as number) >= limit) return;
      const slot = this.#orderSlots[head] as number;
      // Only if the slot still holds that packet (a newer one may have taken it).
      if (slots[slot]?.header.sequenceNumber === this.#orderSequence[head]) slots[slot] = undefined;
      this.#orderHead = (head + 1) & this.#mask;
      this.#orderSize--;
    }
  }
}
