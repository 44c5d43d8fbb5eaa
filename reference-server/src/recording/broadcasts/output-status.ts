/**
 * The state of each RTMP target, derived from what the composer's ffmpeg reports.
 *
 * The composer writes every output through ffmpeg's `tee` muxer with `onfail=ignore`: slave 0 is the
 * HLS output (a hidden one-window playlist for RTMP-only broadcasts), slaves 1… are the RTMP targets in
 * request order. A target that cannot be reached, rejects the stream or drops it later makes ffmpeg log
 * `Slave muxer #<n> failed: <reason>, continuing with …` and the other outputs carry on.
 *
 * ffmpeg says nothing when a connection succeeds, so success is inferred: ffmpeg connects every slave
 * (blocking) before it muxes the first packet, and the playlist of slave 0 is written only after that.
 * Once the playlist has been written by the running process, every target without a failure line since
 * that process started is accepted by its server: `live`.
 *
 * - `connecting`: the process is starting or connecting;
 * - `live`: the server accepted the stream;
 * - `offline`: the target was live but the composer is being replaced (a layout or stream change, a new
 *   live session) or paused (nothing to broadcast); it reconnects with the next composer process;
 * - `error`: the target failed in the running process (refused, unreachable, dropped). ffmpeg does not
 *   retry a failed `tee` slave, so it stays `error` until the next composer process (any layout or
 *   stream change) tries it again.
 */
import type { RtmpStatus } from './types.js';

const SLAVE_FAILED = /Slave muxer #(\d+) failed: (.*?)(?:, continuing with|$)/;

/** What the composer is doing, as far as the tracker needs to know. */
export interface ComposerState {
  /** When the running composer process started (ms, wall clock); null when none runs (paused). */
  processStartedAt: number | null;
  /** When the output playlist was last written (ms, wall clock), or null. */
  playlistWrittenAt: number | null;
}

/** See the file comment. */
export class RtmpStatusTracker {
  readonly #failedAt: (number | null)[];
  readonly #reasons: (string | null)[];
  readonly #firstRtmpSlave: number;

  /** `targets` RTMP targets, the first at `tee` slave index `firstRtmpSlave`. */
  constructor(targets: number, firstRtmpSlave = 1) {
    this.#failedAt = new Array<number | null>(targets).fill(null);
    this.#reasons = new Array<string | null>(targets).fill(null);
    this.#firstRtmpSlave = firstRtmpSlave;
  }

  /** Reads one line of ffmpeg's stderr received at `at` (wall clock). Returns the target it concerns. */
  onLog(line: string, at: number): number | null {
    const match = SLAVE_FAILED.exec(line);
    if (!match) return null;
    const target = Number(match[1]) - this.#firstRtmpSlave;
    if (target < 0 || target >= this.#failedAt.length) return null;
    this.#failedAt[target] = at;
    this.#reasons[target] = match[2] ?? null;
    return target;
  }

  /** The last failure reason ffmpeg gave for a target, if any. */
  failureReason(target: number): string | null {
    return this.#reasons[target] ?? null;
  }

  /** The new status of every target, given their current ones and the composer's state. */
  evaluate(current: readonly RtmpStatus[], state: ComposerState): RtmpStatus[] {
    const { processStartedAt, playlistWrittenAt } = state;
    return current.map((status, target) => {
      if (status === 'ended') return status;
      if (processStartedAt === null) return status === 'live' ? 'offline' : status;
      const failedAt = this.#failedAt[target] ?? null;
      if (failedAt !== null && failedAt >= processStartedAt) return 'error';
      if (playlistWrittenAt !== null && playlistWrittenAt >= processStartedAt) return 'live';
      return status === 'live' || status === 'offline' ? 'offline' : 'connecting';
    });
  }
}
