/**
 * One archive while it records: its recorder, the live session it listens to and the automatic-stop
 * clocks. It decides nothing about records or webhooks; it tells the manager what happened through
 * {@link RunningArchiveHandlers}:
 *
 * - `publishersChanged` when the session goes from some publishers to none (→ `paused`) or back
 *   (→ `started`), as Vonage pauses an archive while nobody publishes;
 * - `autoStop` with Vonage's reason: `session ended` 60 s after the last client left (cancelled when one
 *   comes back) or at once when the live session closes, `maximum idle time exceeded` after 60 min
 *   without a publisher, `maximum duration exceeded` at 4 h of recorded time or 12 h in all;
 * - `failed` when the recorder gives up.
 */
import type { ProjectRecord } from '../../store/types.js';
import type { StreamSelection } from '../compositor/plan.js';
import type { MediaSource } from '../media-source.js';
import type { ArchiveRecording } from './archive-recording.js';
import type { IncludedStream } from './archive-view.js';
import type { ArchiveLimits, ArchiveSettings, ArchiveTimers } from './types.js';

/** Why an archive stopped by itself. */
export type AutoStopReason = 'session ended' | 'maximum idle time exceeded' | 'maximum duration exceeded';

/** What a running archive reports to its manager. */
export interface RunningArchiveHandlers {
  publishersChanged(archive: RunningArchive, publishing: boolean): void;
  autoStop(archive: RunningArchive, reason: AutoStopReason): void;
  failed(archive: RunningArchive, reason: string): void;
}

/** Options of {@link RunningArchive}. */
export interface RunningArchiveOptions {
  id: string;
  project: ProjectRecord;
  settings: ArchiveSettings;
  source: MediaSource;
  recording: ArchiveRecording;
  workDirectory: string;
  /** Started by an `archiveMode: always` session. */
  automatic: boolean;
  startedAt: number;
  limits: ArchiveLimits;
  timers: ArchiveTimers;
  now: () => number;
  handlers: RunningArchiveHandlers;
  /** Manual mode: the streams included at start (none for a new archive). */
  streams?: readonly IncludedStream[];
}

/** The selection a composer or individual recorder needs for `streams`. */
export function selectionOf(
  streamMode: 'auto' | 'manual',
  streams: readonly IncludedStream[],
): StreamSelection {
  if (streamMode === 'auto') return { mode: 'auto' };
  return { mode: 'manual', streams: new Map(streams.map((s) => [s.streamId, s])) };
}

/** See the file comment. */
export class RunningArchive {
  readonly id: string;
  readonly project: ProjectRecord;
  readonly settings: ArchiveSettings;
  readonly source: MediaSource;
  readonly recording: ArchiveRecording;
  readonly workDirectory: string;
  readonly automatic: boolean;
  readonly startedAt: number;
  /** Resolves once the recorder has started (or failed to). */
  started: Promise<void> = Promise.resolve();
  /** Set once the archive stops or fails, so late events are ignored. */
  ended = false;
  #streams: IncludedStream[];
  #publishing: boolean;
  readonly #options: RunningArchiveOptions;
  #idleTimer: unknown = null;
  #endTimer: unknown = null;
  #checkTimer: unknown = null;
  readonly #listeners = {
    streams: () => this.#checkPublishers(),
    connections: (count: number) => this.#connectionsChanged(count),
    close: () => this.#autoStop('session ended'),
  };

  constructor(options: RunningArchiveOptions) {
    this.#options = options;
    this.id = options.id;
    this.project = options.project;
    this.settings = options.settings;
    this.source = options.source;
    this.recording = options.recording;
    this.workDirectory = options.workDirectory;
    this.automatic = options.automatic;
    this.startedAt = options.startedAt;
    this.#streams = [...(options.streams ?? [])];
    this.#publishing = options.source.streams().length > 0;
  }

  /** The manual-mode streams. */
  get streams(): readonly IncludedStream[] {
    return this.#streams;
  }

  /** Whether anyone publishes in the session now. */
  get publishing(): boolean {
    return this.#publishing;
  }

  /** Listens to the session and starts the clocks; call once, right after the recorder was started. */
  attach(): void {
    const { source, timers, limits } = this.#options;
    source.on('streamAdded', this.#listeners.streams);
    source.on('streamRemoved', this.#listeners.streams);
    source.on('connectionCountChanged', this.#listeners.connections);
    source.on('close', this.#listeners.close);
    this.#checkTimer = timers.setInterval(() => this.#checkDuration(), limits.checkIntervalMs);
    if (!this.#publishing) this.#startIdleClock();
    if (source.connectionCount() === 0) this.#connectionsChanged(0);
  }

  /** Stops listening and cancels every clock. Idempotent. */
  detach(): void {
    const { source, timers } = this.#options;
    source.off('streamAdded', this.#listeners.streams);
    source.off('streamRemoved', this.#listeners.streams);
    source.off('connectionCountChanged', this.#listeners.connections);
    source.off('close', this.#listeners.close);
    timers.clearInterval(this.#checkTimer);
    timers.clearTimeout(this.#idleTimer);
    timers.clearTimeout(this.#endTimer);
    this.#idleTimer = null;
    this.#endTimer = null;
  }

  /** Replaces the manual-mode streams and hands the new selection to the recorder. */
  setStreams(streams: readonly IncludedStream[]): void {
    this.#streams = [...streams];
    this.recording.setSelection(selectionOf(this.settings.streamMode, this.#streams));
  }

  /** Recorded time so far, ms. Media timestamps are wall-clock, so this reads the real clock. */
  recordedMs(): number {
    return this.recording.recordedMs(Date.now());
  }

  #checkPublishers(): void {
    const publishing = this.source.streams().length > 0;
    if (publishing === this.#publishing || this.ended) return;
    this.#publishing = publishing;
    if (publishing) {
      this.#options.timers.clearTimeout(this.#idleTimer);
      this.#idleTimer = null;
    } else {
      this.#startIdleClock();
    }
    this.#options.handlers.publishersChanged(this, publishing);
  }

  #startIdleClock(): void {
    const { timers, limits } = this.#options;
    timers.clearTimeout(this.#idleTimer);
    this.#idleTimer = timers.setTimeout(
      () => this.#autoStop('maximum idle time exceeded'),
      limits.maxIdleSeconds * 1000,
    );
  }

  #connectionsChanged(count: number): void {
    const { timers, limits } = this.#options;
    if (count > 0) {
      timers.clearTimeout(this.#endTimer);
      this.#endTimer = null;
      return;
    }
    if (this.#endTimer !== null) return;
    this.#endTimer = timers.setTimeout(
      () => this.#autoStop('session ended'),
      limits.sessionEndedSeconds * 1000,
    );
  }

  #checkDuration(): void {
    const { limits, now } = this.#options;
    if (
      this.recordedMs() >= limits.maxDurationSeconds * 1000 ||
      now() - this.startedAt >= limits.maxTotalSeconds * 1000
    ) {
      this.#autoStop('maximum duration exceeded');
    }
  }

  #autoStop(reason: AutoStopReason): void {
    if (this.ended) return;
    this.#options.handlers.autoStop(this, reason);
  }
}
