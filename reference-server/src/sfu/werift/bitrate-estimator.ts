/**
 * Adaptive REMB toward a publisher: how much one video producer may send, from what its subscribers
 * report. The publisher hears about the minimum any active subscriber can take (an SFU without simulcast
 * forwards one encoding to all of them, so the weakest link decides), clamped between a floor and the
 * configured maximum, and smoothed so that the encoder is not driven up and down every second.
 *
 * Per subscriber, two signals are combined:
 * - its own REMB (Chrome sends REMB on a leg that negotiated `goog-remb` and not transport-cc, which is
 *   what the subscriber leg negotiates): the receiver's delay-based estimate, used as is while fresh;
 * - loss over the evaluation interval, from the receiver reports' cumulative lost count and extended
 *   highest sequence number (Δlost / Δexpected) or, when no report came, the share of forwarded packets
 *   it NACKed (each sequence number counted once). Not the reports' own "fraction lost": Chrome sends a
 *   receiver report with every NACK, so that fraction covers a handful of packets (1 lost of 3 reads
 *   as 33 %, measured in the lossy-relay test). And receiver reports before NACKs: a path that reorders
 *   packets makes Chrome NACK packets that then arrive (22–100 % NACKed at 5 % real loss with a
 *   reordering 50 ms jitter). A loss-based estimate follows GCC's rule (draft-ietf-rmcat-gcc §6): above
 *   10 % loss it shrinks by `1 − loss/2`, under 2 % it grows by 8 % a second, in between it holds.
 *
 * With no active subscriber the configured maximum is announced: nobody is limited by it.
 */
import type { PublisherBitrateEstimator } from './rtcp.js';

/** The lowest bitrate ever announced (a video encoder at ≈ 100 kbps still sends a usable picture). */
export const MIN_PUBLISHER_BITRATE = 100_000;

/**
 * The lowest a subscriber's own loss-based estimate goes: far below {@link MIN_PUBLISHER_BITRATE}, so
 * that fresh loss keeps lowering it on a link narrower than the publisher's floor (the layer selector
 * reads a falling estimate as fresh congestion; one pinned at the publisher's floor never falls). What is
 * announced to the publisher is still clamped to its floor.
 */
export const MIN_SUBSCRIBER_LOSS_BITRATE = 10_000;
/** A subscriber's REMB older than this is ignored (it stopped sending them, or left the path). */
const REMB_TTL_MS = 5_000;
/** GCC's loss thresholds and factors. */
const HIGH_LOSS = 0.1;
const LOW_LOSS = 0.02;
const LOSS_GROWTH_PER_SECOND = 0.08;
/** The announced bitrate rises by at most 10 % a second, and closes 60 % of a drop per second. */
const UP_RATE_PER_SECOND = 0.1;
const DOWN_RATE_PER_SECOND = 0.6;
/** Evaluations further apart than this are treated as this far apart (a stalled timer is not a reason to jump). */
const MAX_STEP_MS = 2_000;

/** Tuning and clock of a {@link SubscriberFeedbackEstimator}. */
export interface SubscriberFeedbackEstimatorOptions {
  /** The configured `publisherMaxBitrate`: the ceiling, and the value with no subscribers. */
  maxBitrate: number;
  /** The floor. Default {@link MIN_PUBLISHER_BITRATE}, or `maxBitrate` if that is lower. */
  minBitrate?: number;
  now?: () => number;
}

/** What one subscriber (consumer) reports to its producer's estimator. */
export interface SubscriberFeedback {
  /** The subscriber's REMB, in bits per second. */
  remb(bitrate: number): void;
  /**
   * A receiver report block for the forwarded stream: its cumulative number of packets lost and its
   * extended highest sequence number received.
   */
  receiverReport(packetsLost: number, highestSequence: number): void;
  /** The subscriber NACKed `count` packets it had not NACKed before. */
  nacked(count: number): void;
  /** Paused consumers receive nothing: their feedback must not limit the publisher. */
  setActive(active: boolean): void;
  /** The consumer is gone. Idempotent. */
  close(): void;
  /**
   * This subscriber's own congestion signals, for its simulcast layer choice: its REMB while fresh, and
   * its loss-based estimate (updated at each {@link SubscriberFeedbackEstimator.currentBitrate}).
   */
  signals(): { remb?: number; lossBitrate: number };
}

interface SubscriberState {
  active: boolean;
  rembBitrate: number;
  rembAt: number;
  /** The loss-based estimate, starting at the maximum: only loss lowers it. */
  lossBitrate: number;
  /** The latest receiver report's cumulative lost and extended highest sequence (−1: none yet). */
  reportedLost: number;
  reportedHighest: number;
  /** The same, as of the previous evaluation that had a report. */
  evaluatedLost: number;
  evaluatedHighest: number;
  nackedSinceEvaluation: number;
  packetsOutAtEvaluation: number;
  packetsOut: () => number;
}

/** The REMB estimator of one video producer, fed by its consumers. */
export class SubscriberFeedbackEstimator implements PublisherBitrateEstimator {
  readonly #max: number;
  readonly #min: number;
  readonly #now: () => number;
  readonly #subscribers = new Set<SubscriberState>();
  #announced: number;
  #evaluatedAt: number;
  #aggregate: 'least' | 'most' = 'least';

  constructor(options: SubscriberFeedbackEstimatorOptions) {
    const { maxBitrate } = options;
    if (!Number.isFinite(maxBitrate) || maxBitrate <= 0) {
      throw new RangeError(`maxBitrate must be a positive number, got ${maxBitrate}`);
    }
    const minBitrate = options.minBitrate ?? Math.min(MIN_PUBLISHER_BITRATE, maxBitrate);
    if (!Number.isFinite(minBitrate) || minBitrate <= 0 || minBitrate > maxBitrate) {
      throw new RangeError(`minBitrate must be a positive number not above maxBitrate, got ${minBitrate}`);
    }
    this.#max = maxBitrate;
    this.#min = minBitrate;
    this.#now = options.now ?? (() => performance.now());
    this.#announced = maxBitrate;
    this.#evaluatedAt = this.#now();
  }

  /** The bitrate announced by the last {@link currentBitrate} call. */
  get announced(): number {
    return this.#announced;
  }

  /**
   * How the subscribers' estimates combine. `least` (the default): one encoding goes to everyone, so the
   * weakest subscriber decides. `most`: a simulcast publisher sends every layer and each subscriber takes
   * the one it can carry, so the subscriber with the best loss-based estimate decides (the publisher's
   * encoder drops the top layers by itself when the announced bitrate cannot carry them).
   */
  setAggregate(aggregate: 'least' | 'most'): void {
    this.#aggregate = aggregate;
  }

  /**
   * Registers one subscriber. `packetsOut` reads how many packets the consumer has forwarded so far
   * (the denominator of its NACK rate).
   */
  addSubscriber(packetsOut: () => number): SubscriberFeedback {
    const state: SubscriberState = {
      active: true,
      rembBitrate: Number.POSITIVE_INFINITY,
      rembAt: Number.NEGATIVE_INFINITY,
      lossBitrate: this.#max,
      reportedLost: -1,
      reportedHighest: -1,
      evaluatedLost: -1,
      evaluatedHighest: -1,
      nackedSinceEvaluation: 0,
      packetsOutAtEvaluation: packetsOut(),
      packetsOut,
    };
    this.#subscribers.add(state);
    return {
      remb: (bitrate) => {
        if (!Number.isFinite(bitrate) || bitrate < 0) return;
        state.rembBitrate = bitrate;
        state.rembAt = this.#now();
      },
      receiverReport: (packetsLost, highestSequence) => {
        if (!Number.isInteger(packetsLost) || !Number.isInteger(highestSequence) || highestSequence < 0)
          return;
        state.reportedLost = packetsLost;
        state.reportedHighest = highestSequence;
      },
      nacked: (count) => {
        if (count > 0) state.nackedSinceEvaluation += count;
      },
      setActive: (active) => {
        state.active = active;
      },
      close: () => {
        this.#subscribers.delete(state);
      },
      signals: () => {
        // At the ceiling, loss limits nothing (the ceiling bounds the publisher's total, not one layer).
        const lossBitrate = state.lossBitrate >= this.#max ? Number.POSITIVE_INFINITY : state.lossBitrate;
        const fresh = this.#now() - state.rembAt <= REMB_TTL_MS;
        return fresh ? { remb: state.rembBitrate, lossBitrate } : { lossBitrate };
      },
    };
  }

  /** Evaluates the subscribers' feedback since the last call and returns the smoothed bitrate to announce. */
  currentBitrate(): number {
    const now = this.#now();
    const stepMs = Math.min(MAX_STEP_MS, Math.max(0, now - this.#evaluatedAt));
    this.#evaluatedAt = now;
    const target = this.#target(now, stepMs);
    const announced = this.#announced;
    if (target < announced) {
      this.#announced =
        announced - (announced - target) * Math.min(1, (DOWN_RATE_PER_SECOND * stepMs) / 1000);
    } else {
      this.#announced = Math.min(target, announced * (1 + (UP_RATE_PER_SECOND * stepMs) / 1000));
    }
    this.#announced = Math.round(Math.min(this.#max, Math.max(this.#min, this.#announced)));
    return this.#announced;
  }

  /**
   * The least (or, for simulcast, the most) any active subscriber can take, clamped; updates each
   * subscriber's loss-based estimate.
   */
  #target(now: number, stepMs: number): number {
    let least = Number.POSITIVE_INFINITY;
    let most = 0;
    for (const state of this.#subscribers) {
      this.#updateLossEstimate(state, stepMs);
      if (!state.active) continue;
      const remb = now - state.rembAt <= REMB_TTL_MS ? state.rembBitrate : Number.POSITIVE_INFINITY;
      least = Math.min(least, remb, state.lossBitrate);
      // Not REMB: Chrome's estimate stays near what the subscriber receives, which is one layer, and
      // capping the publisher by it would stop the layers above for good.
      most = Math.max(most, state.lossBitrate);
    }
    if (this.#aggregate === 'most' && most > 0) least = most;
    if (least === Number.POSITIVE_INFINITY) return this.#max;
    return Math.min(this.#max, Math.max(this.#min, least));
  }

  #updateLossEstimate(state: SubscriberState, stepMs: number): void {
    const packetsOut = state.packetsOut();
    const sent = packetsOut - state.packetsOutAtEvaluation;
    const nackRate = sent > 0 ? Math.min(1, state.nackedSinceEvaluation / sent) : 0;
    const reportedLoss = this.#reportedLoss(state);
    const loss = reportedLoss >= 0 ? reportedLoss : nackRate;
    state.packetsOutAtEvaluation = packetsOut;
    state.nackedSinceEvaluation = 0;
    // No packets and no report: nothing learnt, the estimate holds.
    if (sent <= 0 && reportedLoss < 0) return;
    if (loss > HIGH_LOSS) {
      state.lossBitrate = Math.max(MIN_SUBSCRIBER_LOSS_BITRATE, state.lossBitrate * (1 - loss / 2));
    } else if (loss < LOW_LOSS) {
      state.lossBitrate = Math.min(
        this.#max,
        state.lossBitrate * (1 + (LOSS_GROWTH_PER_SECOND * stepMs) / 1000),
      );
    }
  }

  /** Loss between the report seen at the previous evaluation and the latest one (−1: not known). */
  #reportedLoss(state: SubscriberState): number {
    const { reportedLost, reportedHighest, evaluatedLost, evaluatedHighest } = state;
    if (reportedHighest < 0 || reportedHighest === evaluatedHighest) return -1;
    state.evaluatedLost = reportedLost;
    state.evaluatedHighest = reportedHighest;
    if (evaluatedHighest < 0) return -1; // the first report is the baseline
    // The extended highest sequence number is a 32-bit counter.
    const expected = (reportedHighest - evaluatedHighest) >>> 0;
    if (expected === 0 || expected > 0x8000) return -1; // a restart or a stale report
    return Math.min(1, Math.max(0, (reportedLost - evaluatedLost) / expected));
  }
}
