/**
 * The RTP of tapped producers across the worker's IPC channel: the worker collects the packets of one
 * event-loop turn into a single {@link RtpBatchMessage} (one buffer, one message), and the parent splits
 * it back into packets without copying them.
 */
import type { RtpBatchMessage } from './protocol.js';

/** A batch is sent early once it holds this many bytes, so one turn cannot build a huge message. */
export const MAX_BATCH_BYTES = 256 * 1024;

/** Collects tapped packets in the worker and sends them once per event-loop turn. */
export class RtpBatcher {
  readonly #send: (message: RtpBatchMessage) => void;
  #producerIds: string[] = [];
  #lengths: number[] = [];
  #packets: Buffer[] = [];
  #bytes = 0;
  #scheduled = false;

  constructor(send: (message: RtpBatchMessage) => void) {
    this.#send = send;
  }

  /** Queues one packet of `producerId`; the caller may reuse `packet` once this returns (it is copied). */
  push(producerId: string, packet: Buffer): void {
    this.#producerIds.push(producerId);
    this.#lengths.push(packet.length);
    this.#packets.push(packet);
    this.#bytes += packet.length;
    if (this.#bytes >= MAX_BATCH_BYTES) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends what is queued now (nothing when the queue is empty). */
  flush(): void {
    this.#scheduled = false;
    if (this.#packets.length === 0) return;
    const message: RtpBatchMessage = {
      type: 'rtp',
      producerIds: this.#producerIds,
      lengths: this.#lengths,
      // The one copy of each packet: the batch must outlive the turn, the tapped buffers need not.
      data: Buffer.concat(this.#packets, this.#bytes),
    };
    this.#producerIds = [];
    this.#lengths = [];
    this.#packets = [];
    this.#bytes = 0;
    this.#send(message);
  }
}

/**
 * Calls `deliver` with each packet of a batch, in order, as views into the batch's buffer (no copy).
 * Throws on a batch whose lengths do not add up to its data, which only a protocol bug can produce.
 */
export function forEachBatchedPacket(
  message: RtpBatchMessage,
  deliver: (producerId: string, packet: Buffer) => void,
): void {
  const { producerIds, lengths, data } = message;
  // Structured clone hands a Buffer over as a plain Uint8Array; view the same memory as a Buffer.
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  for (const [index, producerId] of producerIds.entries()) {
    const length = lengths[index] ?? 0;
    if (offset + length > buffer.length) throw new Error('RTP batch: lengths exceed the data');
    deliver(producerId, buffer.subarray(offset, offset + length));
    offset += length;
  }
  if (offset !== buffer.length) throw new Error('RTP batch: data left over after the last packet');
}
