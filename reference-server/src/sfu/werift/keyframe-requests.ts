/**
 * Rate-limiting of keyframe requests toward a publisher. Every subscriber of a producer may send PLI or
 * FIR (on joining, on loss, on a resume); a keyframe costs the publisher several times a delta frame's
 * bits, so a burst of requests from a 1→16 fan-out must not become a burst of keyframes. At most one
 * request reaches the publisher per {@link KEYFRAME_REQUEST_INTERVAL_MS}, however many subscribers ask.
 *
 * A request inside the interval is not dropped: it is deferred to the interval's end (one pending
 * request at most), so that a subscriber that joined just after the last keyframe went out still gets
 * one. The deferred request is cancelled when a keyframe passes through the producer first: that
 * keyframe answers it.
 */
import type { RtpPacket } from 'werift';
import type { RtpSink } from './forwarding.js';
import { keyFrameDetector } from './keyframes.js';

/** The shortest time between two keyframe requests to one publisher track. */
export const KEYFRAME_REQUEST_INTERVAL_MS = 500;

/** What the limiter needs from its environment (injectable so that tests control time). */
export interface KeyFrameLimiterOptions {
  /** Sends one keyframe request to the publisher. */
  send: () => void;
  /** The producer's codec MIME type: decides how keyframes are recognised in its packets. */
  mimeType: string;
  intervalMs?: number;
  now?: () => number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/** The keyframe request limiter of one producer; also a sink of its packets, to see keyframes pass. */
export class KeyFrameRequestLimiter implements RtpSink {
  readonly #send: () => void;
  readonly #isKeyFrame: ((payload: Uint8Array) => boolean) | undefined;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #setTimer: (callback: () => void, ms: number) => unknown;
  readonly #clearTimer: (timer: unknown) => void;
  #lastSent = Number.NEGATIVE_INFINITY;
  /** The deferred request's timer, while one is pending. */
  #pending: unknown;
  #closed = false;
  /** Requests sent to the publisher, and requests absorbed (coalesced into another or answered). */
  sent = 0;
  coalesced = 0;

  constructor(options: KeyFrameLimiterOptions) {
    this.#send = options.send;
    this.#isKeyFrame = keyFrameDetector(options.mimeType);
    this.#intervalMs = options.intervalMs ?? KEYFRAME_REQUEST_INTERVAL_MS;
    this.#now = options.now ?? (() => performance.now());
    this.#setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms).unref());
    this.#clearTimer =
      options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  }

  /** Whether a deferred request is waiting for the interval to end. */
  get pending(): boolean {
    return this.#pending !== undefined;
  }

  /** A subscriber asks for a keyframe. */
  request(): void {
    if (this.#closed) return;
    if (this.#pending !== undefined) {
      this.coalesced++;
      return;
    }
    const wait = this.#lastSent + this.#intervalMs - this.#now();
    if (wait <= 0) {
      this.#fire();
      return;
    }
    this.#pending = this.#setTimer(() => {
      this.#pending = undefined;
      this.#fire();
    }, wait);
  }

  /** Sees each of the producer's packets: a keyframe answers a deferred request. */
  deliver(packet: RtpPacket): void {
    if (this.#pending === undefined || this.#isKeyFrame === undefined) return;
    if (!this.#isKeyFrame(packet.payload)) return;
    this.#clearTimer(this.#pending);
    this.#pending = undefined;
    this.coalesced++;
  }

  /** Cancels a deferred request; later requests are ignored. */
  close(): void {
    this.#closed = true;
    if (this.#pending !== undefined) this.#clearTimer(this.#pending);
    this.#pending = undefined;
  }

  #fire(): void {
    if (this.#closed) return;
    this.#lastSent = this.#now();
    this.sent++;
    this.#send();
  }
}

/** The stream a shared limiter attaches to: one layer of a werift producer (the only one without simulcast). */
export interface KeyFrameSource {
  readonly kind: string;
  readonly codec: { mimeType: string };
  requestKeyFrame(): void;
  addSink(sink: RtpSink): void;
  removeSink(sink: RtpSink): void;
}

interface Shared {
  limiter: KeyFrameRequestLimiter;
  users: number;
}

const shared = new WeakMap<KeyFrameSource, Shared>();

/**
 * The limiter shared by every consumer of `producer` (a producer layer: a PLI names one SSRC), created on
 * first use and attached to it as a sink while at least one holder keeps it. Call the returned `release`
 * once.
 */
export function acquireKeyFrameLimiter(producer: KeyFrameSource): {
  limiter: KeyFrameRequestLimiter;
  release: () => void;
} {
  let entry = shared.get(producer);
  if (!entry) {
    const limiter = new KeyFrameRequestLimiter({
      send: () => producer.requestKeyFrame(),
      mimeType: producer.codec.mimeType,
    });
    entry = { limiter, users: 0 };
    shared.set(producer, entry);
    // Audio has no keyframes: no need to look at its packets.
    if (producer.kind === 'video') producer.addSink(limiter);
  }
  entry.users++;
  const current = entry;
  let released = false;
  return {
    limiter: current.limiter,
    release: () => {
      if (released) return;
      released = true;
      current.users--;
      if (current.users > 0) return;
      current.limiter.close();
      producer.removeSink(current.limiter);
      shared.delete(producer);
    },
  };
}
