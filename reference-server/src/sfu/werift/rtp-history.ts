/**
 * The recent packets of one video producer, kept so that subscribers' NACKs can be answered. One history
 * per producer is shared by all its consumers: a 1→16 fan-out keeps each packet once, not sixteen times.
 *
 * What a retransmission needs of a packet is its sequence number, timestamp, marker and payload; the
 * history keeps exactly that, in typed arrays indexed by the sequence number and a byte ring holding the
 * payloads in arrival order. It does not keep werift's packet objects: a packet kept 2 s survives several
 * young-generation collections, so V8 promotes it (its header, extension list, buffer views and the
 * decrypted datagram's backing store) to the old generation, where it stays as garbage until the next
 * full collection. Keeping copies instead lowered RSS per forwarded stream at 1:1 × 64 from ≈ 1.28 to
 * ≈ 1.08 MB and made each scavenge cheaper (SFU-PROFILE.md §8). Storing copies one payload (≈ 1 KB) and
 * allocates nothing once the ring has grown to the stream's rate; {@link RtpPacketHistory.get} builds a
 * packet, which happens only for a NACK or a duplicate (use {@link RtpPacketHistory.has} to test).
 */
import { RtpHeader, RtpPacket } from 'werift';

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

/**
 * The payload ring's first size. It doubles while the packets of the age limit do not fit, so it settles
 * at the stream's rate (≈ 128 KB for 2 s of a 400 kbps stream) and never shrinks.
 */
export const RTP_HISTORY_INITIAL_BYTES = 16 * 1024;

/**
 * The payload ring's largest size: 2 s of a 16 Mbps stream. Beyond it the oldest packets are released
 * early to make room.
 */
export const RTP_HISTORY_MAX_BYTES = 4 * 1024 * 1024;

/** A ring of the last packets of one RTP stream, looked up by sequence number. */
export class RtpPacketHistory {
  readonly #mask: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  /** Per slot (`sequenceNumber & mask`): the stored sequence number, or −1 when the slot is empty. */
  readonly #slotSequence: Int32Array;
  readonly #slotTimestamp: Uint32Array;
  readonly #slotMarker: Uint8Array;
  readonly #slotOffset: Uint32Array;
  readonly #slotLength: Uint32Array;
  /**
   * Arrival order, for releasing packets by age and their payload bytes in order: per entry its slot,
   * sequence number, arrival time and payload place, in a ring as large as the slots.
   */
  readonly #orderSlots: Uint16Array;
  readonly #orderSequence: Uint16Array;
  readonly #orderTimes: Float64Array;
  readonly #orderOffset: Uint32Array;
  readonly #orderLength: Uint32Array;
  #orderHead = 0;
  #orderSize = 0;
  /** The payloads, written in arrival order and released from the oldest. */
  #bytes: Buffer;
  /** Where the next payload goes (the oldest entry's payload starts at `#orderOffset[#orderHead]`). */
  #write = 0;

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
    this.#mask = capacity - 1;
    this.#maxAgeMs = maxAgeMs;
    this.#now = options.now ?? (() => performance.now());
    this.#slotSequence = new Int32Array(capacity).fill(-1);
    this.#slotTimestamp = new Uint32Array(capacity);
    this.#slotMarker = new Uint8Array(capacity);
    this.#slotOffset = new Uint32Array(capacity);
    this.#slotLength = new Uint32Array(capacity);
    this.#orderSlots = new Uint16Array(capacity);
    this.#orderSequence = new Uint16Array(capacity);
    this.#orderTimes = new Float64Array(capacity);
    this.#orderOffset = new Uint32Array(capacity);
    this.#orderLength = new Uint32Array(capacity);
    this.#bytes = Buffer.alloc(RTP_HISTORY_INITIAL_BYTES);
  }

  /** How many packets the ring holds at most. */
  get capacity(): number {
    return this.#slotSequence.length;
  }

  /** The payload ring's current size in bytes (it grows with the stream's rate). */
  get byteCapacity(): number {
    return this.#bytes.length;
  }

  /**
   * Keeps a copy of `packet` (sequence number, timestamp, marker, payload), replacing the one `capacity`
   * sequence numbers before it, and releases old packets. The packet itself is not retained.
   */
  put(packet: RtpPacket): void {
    const now = this.#now();
    this.#releaseOlderThan(now - this.#maxAgeMs);
    const { header, payload } = packet;
    const length = payload.length;
    if (length > RTP_HISTORY_MAX_BYTES) return;
    if (this.#orderSize === this.capacity) this.#releaseOldest();
    const offset = this.#reserve(length);
    payload.copy(this.#bytes, offset);
    const sequenceNumber = header.sequenceNumber;
    const slot = sequenceNumber & this.#mask;
    this.#slotSequence[slot] = sequenceNumber;
    this.#slotTimestamp[slot] = header.timestamp;
    this.#slotMarker[slot] = header.marker ? 1 : 0;
    this.#slotOffset[slot] = offset;
    this.#slotLength[slot] = length;
    const tail = (this.#orderHead + this.#orderSize) & this.#mask;
    this.#orderSlots[tail] = slot;
    this.#orderSequence[tail] = sequenceNumber;
    this.#orderTimes[tail] = now;
    this.#orderOffset[tail] = offset;
    this.#orderLength[tail] = length;
    this.#orderSize++;
  }

  /** Whether the packet with this sequence number is stored (no allocation: the producer's duplicate test). */
  has(sequenceNumber: number): boolean {
    return this.#slotSequence[sequenceNumber & this.#mask] === sequenceNumber;
  }

  /**
   * The packet with this sequence number, or `undefined` when it was never stored, overwritten or released.
   * A new packet each call, with its own copy of the payload (the ring is reused), carrying the stored
   * sequence number, timestamp and marker; the other header fields are the retransmitter's to set.
   */
  get(sequenceNumber: number): RtpPacket | undefined {
    const slot = sequenceNumber & this.#mask;
    if (this.#slotSequence[slot] !== sequenceNumber) return undefined;
    const offset = this.#slotOffset[slot] as number;
    const payload = Buffer.from(this.#bytes.subarray(offset, offset + (this.#slotLength[slot] as number)));
    const header = new RtpHeader({
      sequenceNumber,
      timestamp: this.#slotTimestamp[slot] as number,
      marker: this.#slotMarker[slot] === 1,
    });
    return new RtpPacket(header, payload);
  }

  /** Forgets every packet (the producer closed: release the memory at once). */
  clear(): void {
    this.#slotSequence.fill(-1);
    this.#orderSize = 0;
    this.#write = 0;
    this.#bytes = Buffer.alloc(0);
  }

  /** A place for `length` payload bytes, releasing the oldest packets or growing the ring as needed. */
  #reserve(length: number): number {
    for (;;) {
      if (this.#orderSize === 0) this.#write = 0;
      const offset = this.#freeOffset(length);
      if (offset !== undefined) {
        this.#write = offset + length;
        return offset;
      }
      if (this.#bytes.length < RTP_HISTORY_MAX_BYTES) this.#grow(length);
      else this.#releaseOldest();
    }
  }

  /** Where `length` bytes fit without touching a stored payload, or undefined. */
  #freeOffset(length: number): number | undefined {
    const size = this.#bytes.length;
    const write = this.#write;
    if (this.#orderSize === 0) return length <= size ? 0 : undefined;
    const oldest = this.#orderOffset[this.#orderHead] as number;
    if (write > oldest || (write === oldest && this.#usedBytes() === 0)) {
      // Free: [write, size) and, wrapping, [0, oldest).
      if (write + length <= size) return write;
      return length <= oldest ? 0 : undefined;
    }
    // Free: [write, oldest).
    return write + length <= oldest ? write : undefined;
  }

  /** Payload bytes of the stored entries (zero-length payloads aside, 0 only when nothing is stored). */
  #usedBytes(): number {
    let used = 0;
    for (let i = 0; i < this.#orderSize; i++)
      used += this.#orderLength[(this.#orderHead + i) & this.#mask] as number;
    return used;
  }

  /** Doubles the ring (at least to fit what is stored plus `length`), copying the payloads in order. */
  #grow(length: number): void {
    let size = Math.max(1024, this.#bytes.length * 2);
    const needed = this.#usedBytes() + length;
    while (size < needed) size *= 2;
    const bytes = Buffer.alloc(Math.min(size, RTP_HISTORY_MAX_BYTES));
    let write = 0;
    for (let i = 0; i < this.#orderSize; i++) {
      const entry = (this.#orderHead + i) & this.#mask;
      const offset = this.#orderOffset[entry] as number;
      const entryLength = this.#orderLength[entry] as number;
      this.#bytes.copy(bytes, write, offset, offset + entryLength);
      this.#orderOffset[entry] = write;
      const slot = this.#orderSlots[entry] as number;
      // Only if the slot still holds that packet (a newer one may have taken it).
      if (this.#slotSequence[slot] === this.#orderSequence[entry]) this.#slotOffset[slot] = write;
      write += entryLength;
    }
    this.#bytes = bytes;
    this.#write = write;
  }

  #releaseOlderThan(limit: number): void {
    while (this.#orderSize > 0 && (this.#orderTimes[this.#orderHead] as number) < limit) {
      this.#releaseOldest();
    }
  }

  /** Forgets the oldest entry and frees its payload bytes. */
  #releaseOldest(): void {
    const head = this.#orderHead;
    const slot = this.#orderSlots[head] as number;
    // Only if the slot still holds that packet (a newer one may have taken it).
    if (this.#slotSequence[slot] === this.#orderSequence[head]) this.#slotSequence[slot] = -1;
    this.#orderHead = (head + 1) & this.#mask;
    this.#orderSize--;
  }
}
