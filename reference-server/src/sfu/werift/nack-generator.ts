/**
 * The publisher leg's NACK generator: detects gaps in a publisher's video sequence numbers and asks for
 * the missing packets (RFC 4585 generic NACK), which Chrome answers with RTX that werift's receiver
 * unwraps into the original stream.
 *
 * It replaces werift's own `NackHandler`, which the engine found unfit on a lossy path: it re-sends a
 * NACK every 5 ms and gives up after 10 (50 ms, less than one round trip on a jittery network, so a
 * retransmission that is itself lost is never asked for again), it stops detecting loss for a whole
 * sequence-number cycle after a gap that spans the 16-bit wrap, and when it gives up the stream stays
 * broken until the publisher happens to send a keyframe.
 *
 * Here: a packet is NACKed when the gap is seen (batched into one NACK per check) and then every
 * {@link NackGeneratorOptions.retryIntervalMs} (default 50 ms, about one round trip) up to
 * {@link NackGeneratorOptions.maxRetries} times; comparisons are wrap-aware; when a packet is given up
 * (retries exhausted, or more missing than {@link NackGeneratorOptions.maxMissing}) a keyframe is
 * requested, since the subscribers cannot decode past the hole without one. The per-packet cost in order
 * is two comparisons and an assignment; the bookkeeping runs only while something is missing.
 */
import { GenericNack, type RTCRtpReceiver, RtcpTransportLayerFeedback, type RtpPacket } from 'werift';

/** Tuning and environment of a {@link NackGenerator}. */
export interface NackGeneratorOptions {
  /** Sends one NACK for `lost` sequence numbers of `mediaSsrc`. */
  sendNack(mediaSsrc: number, lost: number[]): void;
  /** Called when a packet is given up: the stream cannot be decoded past it without a keyframe. */
  requestKeyFrame(): void;
  /** Time between two NACKs of the same packet. Default 50 ms. */
  retryIntervalMs?: number;
  /** NACKs per packet before it is given up. Default 10. */
  maxRetries?: number;
  /** More missing packets than this at once: give up on all of them and ask for a keyframe. Default 500. */
  maxMissing?: number;
  /** How often the missing list is checked while not empty. Default 10 ms. */
  checkIntervalMs?: number;
  now?: () => number;
  setInterval?: (callback: () => void, ms: number) => unknown;
  clearInterval?: (timer: unknown) => void;
}

interface Missing {
  nacks: number;
  lastNackAt: number;
}

/** Whether sequence number `a` is after `b` (mod 2¹⁶, RFC 1982 serial arithmetic). */
export function isNewerSequence(a: number, b: number): boolean {
  const diff = (a - b) & 0xffff;
  return diff !== 0 && diff < 0x8000;
}

/** NACK generation for one publisher video stream. */
export class NackGenerator {
  readonly #options: Required<Omit<NackGeneratorOptions, 'sendNack' | 'requestKeyFrame'>>;
  readonly #sendNack: (mediaSsrc: number, lost: number[]) => void;
  readonly #requestKeyFrame: () => void;
  readonly #missing = new Map<number, Missing>();
  #highest: number | undefined;
  #mediaSsrc = 0;
  #timer: unknown;
  #closed = false;
  /** Packets NACKed at least once, recovered, and given up. */
  readonly stats = { nacked: 0, recovered: 0, givenUp: 0 };

  constructor(options: NackGeneratorOptions) {
    this.#sendNack = options.sendNack;
    this.#requestKeyFrame = options.requestKeyFrame;
    this.#options = {
      retryIntervalMs: options.retryIntervalMs ?? 50,
      maxRetries: options.maxRetries ?? 10,
      maxMissing: options.maxMissing ?? 500,
      checkIntervalMs: options.checkIntervalMs ?? 10,
      now: options.now ?? (() => performance.now()),
      setInterval: options.setInterval ?? ((callback, ms) => setInterval(callback, ms).unref()),
      clearInterval:
        options.clearInterval ?? ((timer) => clearInterval(timer as ReturnType<typeof setInterval>)),
    };
  }

  /** How many packets are currently missing. */
  get missing(): number {
    return this.#missing.size;
  }

  /** Sees one received packet (original or unwrapped retransmission). Called by werift's receiver. */
  addPacket(packet: RtpPacket): void {
    if (this.#closed) return;
    const seq = packet.header.sequenceNumber;
    this.#mediaSsrc = packet.header.ssrc;
    const highest = this.#highest;
    if (highest === undefined || seq === ((highest + 1) & 0xffff)) {
      this.#highest = seq;
      return;
    }
    if (!isNewerSequence(seq, highest)) {
      // Late or retransmitted: no longer missing.
      if (this.#missing.delete(seq)) {
        this.stats.recovered++;
        if (this.#missing.size === 0) this.#stopTimer();
      }
      return;
    }
    const gap = ((seq - highest) & 0xffff) - 1;
    this.#highest = seq;
    if (gap + this.#missing.size > this.#options.maxMissing) {
      this.#giveUpAll();
      return;
    }
    for (let i = 1; i <= gap; i++) {
      // A packet never NACKed yet: due at the next check.
      this.#missing.set((highest + i) & 0xffff, { nacks: 0, lastNackAt: Number.NEGATIVE_INFINITY });
    }
    this.#startTimer();
  }

  /** Stops the timer and forgets the missing packets. */
  close(): void {
    this.#closed = true;
    this.#stopTimer();
    this.#missing.clear();
  }

  /** Sends one NACK for every packet that is due, and gives up the ones out of retries. */
  check(): void {
    if (this.#closed) return;
    const now = this.#options.now();
    const due: number[] = [];
    let gaveUp = false;
    for (const [seq, entry] of this.#missing) {
      if (now - entry.lastNackAt < this.#options.retryIntervalMs) continue;
      if (entry.nacks >= this.#options.maxRetries) {
        this.#missing.delete(seq);
        this.stats.givenUp++;
        gaveUp = true;
        continue;
      }
      if (entry.nacks === 0) this.stats.nacked++;
      entry.nacks++;
      entry.lastNackAt = now;
      due.push(seq);
    }
    if (due.length > 0) this.#sendNack(this.#mediaSsrc, due);
    if (this.#missing.size === 0) this.#stopTimer();
    if (gaveUp) this.#requestKeyFrame();
  }

  #giveUpAll(): void {
    this.stats.givenUp += this.#missing.size;
    this.#missing.clear();
    this.#stopTimer();
    this.#requestKeyFrame();
  }

  #startTimer(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#options.setInterval(() => this.check(), this.#options.checkIntervalMs);
  }

  #stopTimer(): void {
    if (this.#timer === undefined) return;
    this.#options.clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

/** What the engine replaces in a werift receiver (a TypeScript-private field, writable at run time). */
interface ReceiverNackSlot {
  nack: { addPacket(packet: RtpPacket): void; close(): void };
}

/** Options of {@link installNackGenerators}. */
export interface ReceiverNackOptions {
  /** A packet of `ssrc` was given up: that stream needs a keyframe. */
  requestKeyFrame(ssrc: number): void;
  /**
   * Whether NACKs are sent at all (true wherever the publisher's RTX reaches the receiver). Without, a
   * gap asks for a keyframe at once instead (through the rate-limited keyframe path).
   */
  retransmissions: boolean;
}

/**
 * The NACK generators of one receiver: one {@link NackGenerator} per SSRC, since simulcast puts several
 * RTP streams (each with its own sequence numbers) on one receiver. Installed in place of werift's handler.
 */
export class ReceiverNackGenerators {
  readonly #generators = new Map<number, NackGenerator>();
  readonly #create: (ssrc: number) => NackGenerator;
  #closed = false;

  constructor(create: (ssrc: number) => NackGenerator) {
    this.#create = create;
  }

  /** The generator of one SSRC, if it has seen packets. */
  of(ssrc: number): NackGenerator | undefined {
    return this.#generators.get(ssrc);
  }

  /** Called by werift's receiver for each video packet (RTX already unwrapped to its original SSRC). */
  addPacket(packet: RtpPacket): void {
    if (this.#closed) return;
    const ssrc = packet.header.ssrc;
    let generator = this.#generators.get(ssrc);
    if (generator === undefined) {
      generator = this.#create(ssrc);
      this.#generators.set(ssrc, generator);
    }
    generator.addPacket(packet);
  }

  close(): void {
    this.#closed = true;
    for (const generator of this.#generators.values()) generator.close();
    this.#generators.clear();
  }
}

/**
 * Replaces `receiver`'s werift `NackHandler` with per-SSRC {@link NackGenerator}s that send their NACKs
 * on the receiver's transport. The receiver keeps calling `addPacket` for each video packet (after
 * unwrapping RTX) and `close` when it stops.
 */
export function installNackGenerators(
  receiver: RTCRtpReceiver,
  options: ReceiverNackOptions,
): ReceiverNackGenerators {
  const sendNack = (mediaSourceSsrc: number, lost: number[]): void => {
    const feedback = new GenericNack({ senderSsrc: receiver.rtcpSsrc, mediaSourceSsrc, lost });
    // werift's receiver statistics (`nackCount`) count NACKs through this event.
    receiver.onPacketLost.execute(feedback);
    receiver.dtlsTransport?.sendRtcp([new RtcpTransportLayerFeedback({ feedback })]).catch(() => {
      // DTLS is going away; the transport's state change reports that.
    });
  };
  const generators = new ReceiverNackGenerators(
    (ssrc) =>
      new NackGenerator({
        requestKeyFrame: () => options.requestKeyFrame(ssrc),
        sendNack,
        // No retries: every gap is given up at the next check, which asks for a keyframe.
        ...(options.retransmissions ? {} : { maxRetries: 0 }),
      }),
  );
  const slot = receiver as unknown as ReceiverNackSlot;
  slot.nack.close();
  slot.nack = generators;
  return generators;
}
