/**
 * A composed recording or live stream of a session: keeps one composer process running for the current
 * plan (streams × layout × selection) and replaces it when the plan changes.
 *
 * Layout changes and streams coming and going are handled by **switching segments**, not by commands to
 * a running ffmpeg: the set of RTP inputs of an ffmpeg process is fixed when it starts, and a stalled
 * input holds its whole filter graph, so a new process is the only robust way to change what is
 * received. Switching costs one process start-up (≈ 0.3–1 s of CPU).
 *
 * - Archives (`output.kind: 'archive'`): each segment is its own fragmented MP4 in the work directory,
 *   listed in `segments.json`; the new segment starts *before* the old one stops and the final join cuts
 *   the old one where the new one began, so the file has no gap and its duration follows wall time. The
 *   first ~0.5 s of a new segment may show its tiles appearing one by one while inputs start.
 *
 * Wall time: a segment's time 0 is the moment its packets started to be held for it (see
 * `ComposerSegment.startedAt`), whatever the start-up of its ffmpeg costs, and a stop is journalled at
 * the moment it was asked for, not when the queued work got to it: a stop asked while a new segment is
 * still starting waits for it (its packets since its start are held for it, so the layout change is
 * kept) and then cuts it at the stop. A kill kills every process, starting or running.
 * - Live outputs (`output.kind: 'live'`, HLS/RTMP): the old process stops first (two processes cannot
 *   write one playlist or one RTMP connection), then the new one continues the HLS playlist
 *   (`append_list`, with a discontinuity) and reconnects to the RTMP servers.
 *
 * A video track that delivers no packet for {@link STALL_MS} leaves the layout until it sends again, as
 * Vonage removes streams that stop sending video; this also keeps a frozen publisher from stalling the
 * composer. With nothing to receive the recording is paused (no process runs).
 */
import { mkdir } from 'node:fs/promises';
import { TypedEmitter } from '@parley/events';
import type { Layout, Resolution } from '../layouts.js';
import type { MediaSource, SourceStream } from '../media-source.js';
import { ComposerSegment, FIRST_OUTPUT_TIMEOUT_MS } from './composer-segment.js';
import type { ComposerOutput, VideoEncoding } from './ffmpeg-args.js';
import type { FfmpegExit } from './ffmpeg-process.js';
import { type ComposerPlan, computePlan, isEmptyPlan, type StreamSelection } from './plan.js';
import { type JournalSegment, writeJournal } from './segment-journal.js';

/** A video track silent for this long leaves the layout. */
export const STALL_MS = 3000;

/** The running segment, its plan and its journal entry. */
interface ActiveSegment {
  segment: ComposerSegment;
  plan: ComposerPlan;
  journal: JournalSegment;
}

/** Events of {@link ComposedRecorder}. */
export type ComposedRecorderEvents = {
  /** A composer process produced its first output (the recording is live). */
  segmentStarted: [startedAt: number];
  /** Nothing to record any more: no process runs until a stream is published again. */
  paused: [];
  /** Recording resumed after a pause. */
  resumed: [];
  /** The composer failed repeatedly; the recording cannot continue. */
  failed: [reason: string];
  /** A line of ffmpeg's stderr (warnings, errors, `tee` slave failures). */
  ffmpegLog: [line: string];
};

/** Options of {@link ComposedRecorder}. */
export interface ComposedRecorderOptions {
  source: MediaSource;
  /** Where segments, SDP files and the journal go. Created if missing. */
  workDirectory: string;
  resolution: Resolution;
  hasAudio: boolean;
  hasVideo: boolean;
  layout: Layout;
  selection: StreamSelection;
  encoding: VideoEncoding;
  output: { kind: 'archive' } | { kind: 'live'; outputs: readonly ComposerOutput[] };
  /** How long to wait for more changes before switching segments, ms. Default 300. */
  debounceMs?: number;
  ffmpegPath?: string;
}

const MAX_CONSECUTIVE_FAILURES = 3;

/** See the file comment. */
export class ComposedRecorder extends TypedEmitter<ComposedRecorderEvents> {
  readonly #options: ComposedRecorderOptions;
  #layout: Layout;
  #selection: StreamSelection;
  #current: ActiveSegment | null = null;
  readonly #journal: JournalSegment[] = [];
  #chain: Promise<void> = Promise.resolve();
  #debounce: NodeJS.Timeout | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #stopped = false;
  /** Set by {@link kill}: nothing is finished or journalled any more, as after a crash. */
  #killed = false;
  /** Every composer process started and not yet exited: {@link kill} must reach all of them. */
  readonly #live = new Set<ComposerSegment>();
  /** Segments started so far (names are never reused, even for a dropped segment). */
  #started = 0;
  #paused = false;
  #failures = 0;
  /** Per stream: when its video last delivered a packet (ms), for stall detection. */
  readonly #videoSeenAt = new Map<string, number>();
  readonly #activity = new Map<string, () => void>();
  readonly #listeners = {
    change: () => this.#schedule(),
    added: (stream: SourceStream) => {
      this.#watchVideo(stream);
      this.#schedule();
    },
    removed: (streamId: string) => {
      this.#activity.get(streamId)?.();
      this.#activity.delete(streamId);
      this.#videoSeenAt.delete(streamId);
      this.#schedule();
    },
  };

  constructor(options: ComposedRecorderOptions) {
    super();
    this.#options = options;
    this.#layout = options.layout;
    this.#selection = options.selection;
  }

  /** The segments so far (archives), oldest first. */
  get segments(): readonly JournalSegment[] {
    return this.#journal;
  }

  /** Whether no process runs because nothing is published. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Starts recording (or starts paused when nothing is published). */
  async start(): Promise<void> {
    await mkdir(this.#options.workDirectory, { recursive: true });
    const { source } = this.#options;
    for (const stream of source.streams()) this.#watchVideo(stream);
    source.on('streamAdded', this.#listeners.added);
    source.on('streamUpdated', this.#listeners.change);
    source.on('streamRemoved', this.#listeners.removed);
    this.#watchdog = setInterval(() => this.#checkStalls(), 1000);
    this.#watchdog.unref();
    await this.#enqueue(() => this.#apply(true));
  }

  /** Changes the layout; takes effect with the next segment (within `debounceMs`). */
  setLayout(layout: Layout): void {
    this.#layout = layout;
    this.#schedule();
  }

  /** Changes the stream selection (manual mode). */
  setSelection(selection: StreamSelection): void {
    this.#selection = selection;
    this.#schedule();
  }

  /**
   * Stops recording at this moment: the journal ends the recording now, however long the rest takes (a
   * segment still starting is waited for, the running one is drained up to now and stopped gracefully),
   * and it resolves once no composer process runs any more. Idempotent.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return this.#settle();
    const requestedAt = Date.now();
    this.#stopped = true;
    this.#detach();
    await this.#enqueue(() => this.#stopCurrent(requestedAt));
    await this.#settle();
  }

  /**
   * Kills every composer process (running, or still starting) without letting it finish its file, and
   * leaves the journal as it is, as a crash would (tests simulate one with it).
   */
  kill(): void {
    this.#stopped = true;
    this.#killed = true;
    this.#detach();
    for (const segment of this.#live) segment.kill();
  }

  /** Resolves once the queued work is done and every composer process has exited. */
  async #settle(): Promise<void> {
    await this.#chain;
    await Promise.all([...this.#live].map((segment) => segment.process.exited()));
  }

  #detach(): void {
    clearTimeout(this.#debounce);
    clearInterval(this.#watchdog);
    const { source } = this.#options;
    source.off('streamAdded', this.#listeners.added);
    source.off('streamUpdated', this.#listeners.change);
    source.off('streamRemoved', this.#listeners.removed);
    for (const unsubscribe of this.#activity.values()) unsubscribe();
    this.#activity.clear();
  }

  #watchVideo(stream: SourceStream): void {
    if (!stream.video || this.#activity.has(stream.streamId)) return;
    this.#activity.set(
      stream.streamId,
      this.#options.source.subscribe(stream.streamId, 'video', () => {
        const wasStalled = this.#isStalled(stream.streamId);
        this.#videoSeenAt.set(stream.streamId, Date.now());
        if (wasStalled) this.#schedule();
      }),
    );
  }

  #isStalled(streamId: string): boolean {
    const seen = this.#videoSeenAt.get(streamId);
    return seen === undefined || Date.now() - seen > STALL_MS;
  }

  #checkStalls(): void {
    const shown = this.#current?.plan.tiles ?? [];
    if (shown.some((tile) => this.#isStalled(tile.streamId))) this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(
      () => void this.#enqueue(() => this.#apply(false)),
      this.#options.debounceMs ?? 300,
    );
  }

  #enqueue(work: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(work).catch((error: unknown) => {
      this.emit('failed', error instanceof Error ? error.message : String(error));
    });
    return this.#chain;
  }

  #plan(): ComposerPlan {
    const { source, resolution, hasAudio, hasVideo } = this.#options;
    // Streams whose video stalled are shown as if they had none; never-seen video counts as stalled
    // only once the recording has been running long enough to expect it.
    const streams = source
      .streams()
      .map((s) =>
        s.video && s.videoActive && this.#isStalled(s.streamId) && this.#current
          ? { ...s, videoActive: false }
          : s,
      );
    return computePlan({
      streams,
      selection: this.#selection,
      layout: this.#layout,
      resolution,
      hasAudio,
      hasVideo,
    });
  }

  async #apply(force: boolean): Promise<void> {
    // Even a forced restart (after a process died) must not start anything once stopping.
    if (this.#stopped) return;
    const plan = this.#plan();
    if (!force && this.#current && this.#current.plan.key === plan.key) return;
    if (isEmptyPlan(plan)) {
      await this.#stopCurrent();
      if (!this.#paused) {
        this.#paused = true;
        this.emit('paused');
      }
      return;
    }
    const next = await this.#startSegment(plan);
    if (this.#stopped) {
      // Stopped (or killed) while it was being set up, before its time 0: it has nothing to record.
      await this.#discard(next);
      return;
    }
    if (this.#paused) {
      this.#paused = false;
      this.emit('resumed');
    }
    if (this.#options.output.kind === 'archive') {
      // Overlap: the old process keeps recording until the new one is up.
      if (!(await next.segment.firstOutput(FIRST_OUTPUT_TIMEOUT_MS))) {
        // The new composer never got going (an input with no decodable frame): keep the old one, drop
        // the new one, and try again; its tracks may have stalled in the meantime.
        await this.#discard(next);
        if (this.#killed) return;
        this.#failures += 1;
        if (this.#failures >= MAX_CONSECUTIVE_FAILURES) {
          this.emit('failed', 'The composer did not start: no decodable media arrived');
          return;
        }
        this.#schedule();
        return;
      }
      await this.#stopCurrent();
    }
    this.#current = next;
    this.#watchExit(next);
  }

  /** Kills a segment that will not be used and removes it from the journal (unless killed: a crash). */
  async #discard(active: ActiveSegment): Promise<void> {
    active.segment.kill();
    await active.segment.process.exited();
    if (this.#killed) return;
    const index = this.#journal.indexOf(active.journal);
    if (index >= 0) this.#journal.splice(index, 1);
    if (this.#options.output.kind === 'archive') {
      await writeJournal(this.#options.workDirectory, this.#journal);
    }
  }

  async #startSegment(plan: ComposerPlan): Promise<ActiveSegment> {
    const { output } = this.#options;
    if (output.kind === 'live') await this.#stopCurrent();
    const name = `segment-${String(this.#started).padStart(3, '0')}`;
    this.#started += 1;
    const outputs: readonly ComposerOutput[] =
      output.kind === 'archive'
        ? [{ kind: 'mp4', path: `${this.#options.workDirectory}/${name}.mp4` }]
        : output.outputs;
    const segment = await ComposerSegment.start({
      source: this.#options.source,
      plan,
      resolution: this.#options.resolution,
      hasAudio: this.#options.hasAudio,
      hasVideo: this.#options.hasVideo,
      encoding: this.#options.encoding,
      outputs,
      workDirectory: this.#options.workDirectory,
      name,
      ...(this.#options.ffmpegPath ? { ffmpegPath: this.#options.ffmpegPath } : {}),
    });
    this.#live.add(segment);
    void segment.process.exited().then(() => this.#live.delete(segment));
    // Killed while ports and files were being prepared: the process was spawned after the kill.
    if (this.#killed) segment.kill();
    segment.process.on('stderr', (line) => this.emit('ffmpegLog', line));
    const journal: JournalSegment = { file: `${name}.mp4`, startedAt: segment.startedAt, stoppedAt: null };
    this.#journal.push(journal);
    if (output.kind === 'archive') await writeJournal(this.#options.workDirectory, this.#journal);
    void segment.firstOutput().then((ok) => {
      if (ok) {
        this.#failures = 0;
        this.emit('segmentStarted', segment.startedAt);
      }
    });
    return { segment, plan, journal };
  }

  #watchExit(current: ActiveSegment): void {
    void current.segment.process.exited().then((exit: FfmpegExit) => {
      if (this.#current !== current || this.#stopped) return;
      // The process ended on its own: an input timed out (everyone froze) or ffmpeg failed.
      this.#current = null;
      current.journal.stoppedAt = Date.now();
      this.#failures += exit.ok ? 0 : 1;
      if (this.#failures >= MAX_CONSECUTIVE_FAILURES) {
        this.#stopped = true;
        this.#detach();
        this.emit('failed', exit.reason || 'The composer stopped repeatedly');
        return;
      }
      setTimeout(() => void this.#enqueue(() => this.#apply(true)), 1000).unref();
    });
  }

  /** Stops the running segment at `at` (default now): its output is drained up to that moment. */
  async #stopCurrent(at = Date.now()): Promise<void> {
    const current = this.#current;
    if (!current) return;
    this.#current = null;
    current.journal.stoppedAt = at;
    await current.segment.stop({ at });
    if (this.#options.output.kind === 'archive')
      await writeJournal(this.#options.workDirectory, this.#journal);
  }
}
