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

/** A ring buffer of the last packets of one RTP stream, looked up by sequence number. */
export class RtpPacketHistory {
  readonly #slots: (RtpPacket | undefined)[];
  readonly #mask: number;

  /** @param capacity - a power of two from 16 to 32768 (the slot is `sequenceNumber & (capacity - 1)`). */
  constructor(capacity: number = RTP_HISTORY_CAPACITY) {
    if (
      !Number.isInteger(capacity) ||
      capacity < 16 ||
      capacity > 32_768 ||
      (capacity & (capacity - 1)) !== 0
    ) {
      throw new RangeError(`capacity must be a power of two from 16 to 32768, got ${capacity}`);
    }
    this.#slots = new Array<RtpPacket | undefined>(capacity).fill(undefined);
    this.#mask = capacity - 1;
  }

  /** How many packets the ring holds at most. */
  get capacity(): number {
    return this.#slots.length;
  }

  /** Keeps `packet`, replacing the one `capacity` sequence numbers before it. */
  put(packet: RtpPacket): void {
    this.#slots[packet.header.sequenceNumber & this.#mask] = packet;
  }

  /** The packet with this sequence number, or `undefined` when it was never stored or was overwritten. */
  get(sequenceNumber: number): RtpPacket | undefined {
    const packet = this.#slots[sequenceNumber & this.#mask];
    return packet !== undefined && packet.header.sequenceNumber === sequenceNumber ? packet : undefined;
  }

  /** Forgets every packet (the producer closed: release the memory at once). */
  clear(): void {
    this.#slots.fill(undefined);
  }
}
