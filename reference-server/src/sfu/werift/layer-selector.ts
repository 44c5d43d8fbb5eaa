/**
 * Which simulcast layer one subscriber receives. Pure decision logic (no RTP, no timers of its own): the
 * consumer calls {@link LayerSelector.select} when the layers, the subscriber's preferences or its
 * congestion signals change, and at least once a second.
 *
 * The rules:
 * - **Preference.** The subscriber's preferred resolution and frame rate (OpenTok `setPreferredResolution`,
 *   `setPreferredFrameRate`) cap the layer: the highest layer whose width and height do not exceed the
 *   preferred ones (a layer whose size is not known yet fits). If none fits, the lowest. A frame-rate cap
 *   skips layers measured faster than it, unless that leaves none.
 * - **Congestion downswitch.** The subscriber is congested when its REMB is below what it is being sent
 *   while it is falling (Chrome's receive-side estimate never rises far above the incoming rate, so a REMB
 *   above it says nothing; it only ever falls on overuse, while one that rises, even from far below, is
 *   Chrome's estimator catching up at about 8 % a second after the rate went up), or when the loss-based
 *   estimate (GCC's rule, from its receiver reports and NACKs) is below it. "Falling" is latched: set when
 *   the REMB goes down, cleared when it goes up or when the selection goes up. The selector then drops to
 *   the highest layer that fits the lower of the two, or pauses video when even the lowest layer does not
 *   fit: at once when the estimate is under half the rate, else when the congestion is seen at two
 *   evaluations in a row (one second's measured rate can be inflated by a keyframe).
 * - **Recovery, with hysteresis.** Without congestion for {@link LayerSelectorOptions.upswitchHoldMs} the
 *   selector climbs one layer at a time toward the preferred one, if that layer fits the loss-based
 *   estimate (after {@link LayerSelectorOptions.stableResetMs} without congestion, or when there never was
 *   any, a raised preference is followed at once). Congestion shortly after a climb doubles the hold (up to {@link LayerSelectorOptions.maxHoldMs}),
 *   so a path that cannot carry the higher layer is not probed every few seconds; a long stable period
 *   resets it.
 * - **Pause.** Paused video is re-enabled on the lowest layer after {@link LayerSelectorOptions.resumeHoldMs}
 *   (doubling each time a pause follows shortly after a resume).
 * - **Signals left from before a step up.** When the selection goes up (a resume, a climb), the signals of
 *   the time before describe the lower rate, not the new one: after a pause Chrome's REMB still reflects
 *   the squeeze (14–40 kbps against a 135 kbps lowest layer, measured in the Chromium congestion test),
 *   and the loss-based estimate has not moved while nothing was sent. Neither is an overuse signal, or
 *   resumed video would be paused again at the next evaluation on a link that is wide again. The
 *   loss-based estimate counts again once it falls (fresh loss) or reaches the rate. The REMB counts
 *   again only once it has caught up with the rate (at least 90 % of it, and no sooner than
 *   {@link LayerSelectorOptions.catchUpMinMs} after the step up: a layer the publisher restarts is
 *   measured at a few kbps for its first second or two, which a REMB still at the squeeze's level would
 *   otherwise "reach"): until then even a falling one
 *   says nothing new, because Chrome's estimator (libwebrtc's AIMD rate control) answers an overuse
 *   detected while its estimate is below the incoming rate with β = 0.85 times its old link-capacity
 *   estimate, which after a squeeze is the squeeze's (a 21 → 19 kbps step, measured in the Chromium test,
 *   on a link wide again under CPU load). A link that really cannot carry the new rate loses packets,
 *   and that fresh loss is what pauses video again there.
 * - **Layer loss.** A layer the publisher stopped sending (its encoder drops the top layer when its own
 *   bandwidth shrinks) is not selectable.
 */

/** What the selector knows of one layer; the list is ordered from the lowest quality to the highest. */
export interface LayerCandidate {
  /** Frame size, once seen in a keyframe. */
  width?: number;
  height?: number;
  /** Measured frames per second, once known. */
  frameRate?: number;
  /** Measured bitrate, bps (0: not measured yet). */
  bitrate: number;
  /** Whether the publisher is sending it. */
  active: boolean;
}

/** The subscriber's preferences (any may be absent: no cap). */
export interface LayerPreferences {
  maxWidth?: number;
  maxHeight?: number;
  maxFrameRate?: number;
}

/** The subscriber's congestion signals. */
export interface CongestionSignals {
  /** Its latest REMB while fresh, bps; undefined when none. */
  remb?: number;
  /** The loss-based estimate, bps (Infinity when nothing limits it). */
  lossBitrate: number;
}

/** Tuning and clock. */
export interface LayerSelectorOptions {
  /** Congestion-free time before climbing one layer. Default 5 s. */
  upswitchHoldMs?: number;
  /** The longest hold after repeated failed climbs (or pauses). Default 60 s. */
  maxHoldMs?: number;
  /** Time before paused video is tried again. Default 10 s. */
  resumeHoldMs?: number;
  /** A congestion within this time after a climb (or resume) counts as a failed climb. Default 8 s. */
  probeFailureWindowMs?: number;
  /** Stable time after which the holds reset to their defaults. Default 30 s. */
  stableResetMs?: number;
  /**
   * The least time after a step up before the REMB can count as caught up (see "Signals left from before
   * a step up"). Default 4 s.
   */
  catchUpMinMs?: number;
  now?: () => number;
}

/** Below this share of the forwarded layer's rate, congestion is acted on at the first evaluation. */
const SEVERE_CONGESTION = 0.5;

/** The selection: a layer index, or {@link VIDEO_PAUSED}. */
export const VIDEO_PAUSED = -1;

/** The per-subscriber layer decision state. */
export class LayerSelector {
  readonly #upswitchHoldMs: number;
  readonly #maxHoldMs: number;
  readonly #resumeHoldMs: number;
  readonly #probeFailureWindowMs: number;
  readonly #stableResetMs: number;
  readonly #catchUpMinMs: number;
  readonly #now: () => number;
  /** The current selection; undefined until the first call. */
  #current: number | undefined;
  #holdMs: number;
  #pauseHoldMs: number;
  #lastCongestionAt = Number.NEGATIVE_INFINITY;
  /** When the selection last went up (a climb or a resume). */
  #lastClimbAt = Number.NEGATIVE_INFINITY;
  #pausedAt = Number.NEGATIVE_INFINITY;
  /** Consecutive evaluations that found congestion without acting on it yet. */
  #congestedStreak = 0;
  /**
   * The REMB at the previous evaluation (undefined: none, so a first one is an overuse report; 0: none at
   * a resume), and whether it has been falling (see "Congestion downswitch").
   */
  #lastRemb: number | undefined;
  #rembFalling = false;
  /** Since the selection last went up, the REMB has not yet reached the rate (see the class doc). */
  #rembCatchingUp = false;
  /** When the selection last went up, for {@link LayerSelectorOptions.catchUpMinMs}. */
  #steppedUpAt = Number.NEGATIVE_INFINITY;
  /**
   * The loss-based estimate since the selection last went up, while it has neither fallen nor reached the
   * rate (see "Signals left from before a step up"); undefined once it counts again.
   */
  #leftoverLossBitrate: number | undefined;

  constructor(options: LayerSelectorOptions = {}) {
    this.#upswitchHoldMs = options.upswitchHoldMs ?? 5_000;
    this.#maxHoldMs = options.maxHoldMs ?? 60_000;
    this.#resumeHoldMs = options.resumeHoldMs ?? 10_000;
    this.#probeFailureWindowMs = options.probeFailureWindowMs ?? 8_000;
    this.#stableResetMs = options.stableResetMs ?? 30_000;
    this.#catchUpMinMs = options.catchUpMinMs ?? 4_000;
    this.#now = options.now ?? (() => performance.now());
    this.#holdMs = this.#upswitchHoldMs;
    this.#pauseHoldMs = this.#resumeHoldMs;
  }

  /** The current selection (a layer index or {@link VIDEO_PAUSED}); undefined before the first call. */
  get current(): number | undefined {
    return this.#current;
  }

  /** The layer the preferences allow at most (ignoring bandwidth), or undefined when none is active. */
  preferredLayer(layers: readonly LayerCandidate[], preferences: LayerPreferences): number | undefined {
    const { maxWidth, maxHeight, maxFrameRate } = preferences;
    let lowestActive: number | undefined;
    let best: number | undefined;
    let bestIgnoringFrameRate: number | undefined;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i] as LayerCandidate;
      if (!layer.active) continue;
      lowestActive ??= i;
      const sizeFits =
        (maxWidth === undefined || layer.width === undefined || layer.width <= maxWidth) &&
        (maxHeight === undefined || layer.height === undefined || layer.height <= maxHeight);
      if (!sizeFits) continue;
      bestIgnoringFrameRate = i;
      // A 10 % tolerance: measured rates wobble around the encoder's target (30 fps measures 29–31).
      const rateFits =
        maxFrameRate === undefined || layer.frameRate === undefined || layer.frameRate <= maxFrameRate * 1.1;
      if (rateFits) best = i;
    }
    return best ?? bestIgnoringFrameRate ?? lowestActive;
  }

  /** Decides the layer to forward now. */
  select(
    layers: readonly LayerCandidate[],
    preferences: LayerPreferences,
    signals: CongestionSignals,
  ): number {
    const now = this.#now();
    const preferred = this.preferredLayer(layers, preferences);
    // Nothing is being received: keep the selection (the publisher may be between keyframes or reconnecting).
    if (preferred === undefined) return this.#set(this.#current ?? 0);
    const current = this.#current;

    if (now - this.#lastCongestionAt >= this.#stableResetMs) {
      this.#holdMs = this.#upswitchHoldMs;
      this.#pauseHoldMs = this.#resumeHoldMs;
    }

    if (current === VIDEO_PAUSED) {
      if (now - this.#pausedAt < this.#pauseHoldMs) return VIDEO_PAUSED;
      this.#lastClimbAt = now;
      this.#steppedUp(signals, true);
      return this.#set(this.#lowestActive(layers) ?? 0);
    }
    if (current === undefined) return this.#set(preferred);

    // The layer in use stopped, or the preference went down: move at once.
    let selected = Math.min(current, preferred);
    if (!(layers[selected]?.active ?? false))
      selected = this.#highestActiveAtMost(layers, selected) ?? preferred;

    const sending = layers[selected]?.bitrate ?? 0;
    const { remb, lossBitrate } = this.#reacted(signals, sending);
    const rembLimit = remb !== undefined && remb < sending * 0.9 ? remb : Infinity;
    const limit = Math.min(rembLimit, lossBitrate);
    const congested = sending > 0 && limit < sending;
    this.#congestedStreak = congested ? this.#congestedStreak + 1 : 0;
    // Act on a mild overuse only when it lasts (a keyframe burst inflates one second's measured rate); on
    // a severe one at once.
    if (congested && (this.#congestedStreak >= 2 || limit < sending * SEVERE_CONGESTION)) {
      this.#congestedStreak = 0;
      this.#congested(now);
      const fitting = this.#highestFitting(layers, selected - 1, limit);
      if (fitting !== undefined) return this.#set(fitting);
      const lowest = this.#lowestActive(layers) ?? 0;
      if (selected > lowest) return this.#set(lowest);
      // Even the lowest layer does not fit.
      this.#pausedAt = now;
      return this.#set(VIDEO_PAUSED);
    }

    if (selected < preferred) {
      // No congestion for a long time (or ever): go straight to the preference, within the loss estimate.
      if (now - this.#lastCongestionAt >= this.#stableResetMs) {
        const best = this.#highestFitting(layers, preferred, signals.lossBitrate);
        if (best !== undefined && best > selected) {
          this.#steppedUp(signals);
          return this.#set(best);
        }
      }
      // After congestion: climb one layer after a congestion-free hold, within the loss-based estimate.
      if (now - this.#lastCongestionAt >= this.#holdMs && now - this.#lastClimbAt >= 2_000) {
        const next = this.#nextActiveAbove(layers, selected, preferred);
        if (next !== undefined && (layers[next]?.bitrate ?? 0) <= signals.lossBitrate) {
          this.#lastClimbAt = now;
          this.#steppedUp(signals);
          return this.#set(next);
        }
      }
    }
    return this.#set(selected);
  }

  /**
   * The selection goes up (`resume`: from a pause): the signals of now describe the lower rate (see the
   * class doc).
   */
  #steppedUp(signals: CongestionSignals, resume = false): void {
    // After a pause the REMB still describes the squeeze (Chrome may also stop sending it without video;
    // one that appears then is catching up too). While video flowed, none means no overuse yet, and a
    // first one is Chrome's overuse report.
    this.#lastRemb = signals.remb ?? (resume ? 0 : undefined);
    this.#rembFalling = false;
    this.#rembCatchingUp = signals.remb !== undefined || resume;
    this.#steppedUpAt = this.#now();
    this.#leftoverLossBitrate = signals.lossBitrate;
  }

  /**
   * The signals that count for congestion at the rate `sending`: the REMB while it is falling and not
   * catching up after a step up, and the loss-based estimate unless it is a leftover of the last step up
   * (Infinity then).
   */
  #reacted(signals: CongestionSignals, sending: number): CongestionSignals {
    const { remb } = signals;
    const previous = this.#lastRemb;
    this.#lastRemb = remb;
    if (
      this.#rembCatchingUp &&
      remb !== undefined &&
      sending > 0 &&
      remb >= sending * 0.9 &&
      this.#now() - this.#steppedUpAt >= this.#catchUpMinMs
    ) {
      this.#rembCatchingUp = false;
      this.#rembFalling = false;
    } else if (remb === undefined || this.#rembCatchingUp) this.#rembFalling = false;
    else if (previous === undefined || remb < previous) this.#rembFalling = true;
    else if (remb > previous) this.#rembFalling = false;

    let { lossBitrate } = signals;
    const leftover = this.#leftoverLossBitrate;
    if (leftover !== undefined) {
      if (lossBitrate < leftover || lossBitrate >= sending) this.#leftoverLossBitrate = undefined;
      else {
        this.#leftoverLossBitrate = lossBitrate;
        lossBitrate = Number.POSITIVE_INFINITY;
      }
    }
    return remb !== undefined && this.#rembFalling ? { remb, lossBitrate } : { lossBitrate };
  }

  #congested(now: number): void {
    // Congestion soon after a climb or resume: that step was too much; wait longer before the next.
    if (now - this.#lastClimbAt < this.#probeFailureWindowMs) {
      this.#holdMs = Math.min(this.#maxHoldMs, this.#holdMs * 2);
      if (this.#current === 0) this.#pauseHoldMs = Math.min(this.#maxHoldMs, this.#pauseHoldMs * 2);
    }
    this.#lastCongestionAt = now;
  }

  #set(selection: number): number {
    this.#current = selection;
    return selection;
  }

  #lowestActive(layers: readonly LayerCandidate[]): number | undefined {
    const index = layers.findIndex((layer) => layer.active);
    return index < 0 ? undefined : index;
  }

  #highestActiveAtMost(layers: readonly LayerCandidate[], max: number): number | undefined {
    for (let i = Math.min(max, layers.length - 1); i >= 0; i--) if (layers[i]?.active) return i;
    return undefined;
  }

  #highestFitting(layers: readonly LayerCandidate[], max: number, limit: number): number | undefined {
    for (let i = Math.min(max, layers.length - 1); i >= 0; i--) {
      const layer = layers[i] as LayerCandidate;
      if (layer.active && layer.bitrate <= limit) return i;
    }
    return undefined;
  }

  #nextActiveAbove(layers: readonly LayerCandidate[], from: number, max: number): number | undefined {
    for (let i = from + 1; i <= max; i++) if (layers[i]?.active) return i;
    return undefined;
  }
}
