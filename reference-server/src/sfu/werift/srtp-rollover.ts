/**
 * The SRTP rollover counter (RFC 3711 §3.3.1) of one outgoing SSRC, kept by the consumer's egress so
 * that its packets carry the same packet index whichever cipher protects them (the addon's or werift's):
 * werift tracks the counter inside its context per SSRC, the addon keeps no state. The update rule is
 * werift's, so the two never disagree: packets up to 100 sequence numbers out of order around the wrap
 * are placed in the right cycle.
 */

const MAX_DISORDER = 100;
const MAX_SEQUENCE_NUMBER = 0xffff;

/** One SSRC's rollover counter. */
export class SrtpRollover {
  #rollover = 0;
  #last = 0;
  #started = false;

  /** The rollover counter for a packet with this sequence number, updating the state as werift does. */
  next(sequenceNumber: number): number {
    if (!this.#started) {
      this.#started = true;
    } else if (sequenceNumber === 0) {
      if (this.#last > MAX_DISORDER) this.#rollover = (this.#rollover + 1) >>> 0;
    } else if (this.#last < MAX_DISORDER && sequenceNumber > MAX_SEQUENCE_NUMBER - MAX_DISORDER) {
      if (this.#rollover > 0) this.#rollover--;
    } else if (sequenceNumber < MAX_DISORDER && this.#last > MAX_SEQUENCE_NUMBER - MAX_DISORDER) {
      this.#rollover = (this.#rollover + 1) >>> 0;
    }
    this.#last = sequenceNumber;
    return this.#rollover;
  }
}
