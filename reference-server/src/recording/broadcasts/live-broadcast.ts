/**
 * The media side of one running broadcast: a {@link ComposedRecorder} with live outputs (HLS and/or
 * RTMP through ffmpeg's `tee`), the state of those outputs, and the automatic stops. It changes
 * `data.hls.status` and `data.rtmp[].status` in place and tells its owner (the manager, which stores
 * records and sends webhooks) through events:
 *
 * - `outputsChanged`: an output's status changed;
 * - `stopNeeded`: the broadcast must stop — `maxDuration` reached, nobody connected for `idleStopMs`
 *   (Vonage: 60 s after the last client leaves), or the composer failed for good.
 *
 * When the live session ends (`close`: everyone left and the session was torn down) the broadcast keeps
 * waiting for the idle timeout; if clients come back in time the provider announces the session's new
 * media source (`sourceOpened`), and a new composer on it continues the same HLS playlist (with a
 * discontinuity) and reconnects the RTMP targets.
 */
import { TypedEmitter } from '@parley/events';
import { ComposedRecorder } from '../compositor/composed-recorder.js';
import type { ComposerOutput } from '../compositor/ffmpeg-args.js';
import type { StreamSelection } from '../compositor/plan.js';
import type { Layout } from '../layouts.js';
import type { MediaSource, MediaSourceProvider } from '../media-source.js';
import type { broadcastPaths } from './hls-files.js';
import { playlistHasSegment, playlistWrittenAt } from './hls-files.js';
import { RtmpStatusTracker } from './output-status.js';
import { rtmpUrl } from './settings.js';
import type { BroadcastData, IncludedStream, StopReason } from './types.js';

/** Events of {@link LiveBroadcast}. */
export type LiveBroadcastEvents = {
  outputsChanged: [];
  stopNeeded: [reason: StopReason, detail: string];
};

/** Options of {@link LiveBroadcast}. */
export interface LiveBroadcastOptions {
  sessionId: string;
  /** The broadcast's data; output statuses are updated in place. */
  data: BroadcastData;
  source: MediaSource;
  /** Where a new media source of the session is found after the old one closed. */
  mediaSources: MediaSourceProvider;
  paths: ReturnType<typeof broadcastPaths>;
  layout: Layout;
  /** Stop after this long without a connected client, ms. */
  idleStopMs: number;
  /** Stop after this long, ms (from `maxDuration`). */
  maxDurationMs: number;
  /** How often output statuses are re-evaluated, ms. */
  statusPollMs: number;
  ffmpegPath?: string;
}

/** Default video bitrate caps (bps) when the request sets no `maxBitrate`, by output height. */
function defaultMaxBitrate(data: BroadcastData): number {
  const [width = 0, height = 0] = data.resolution.split('x').map(Number);
  const lines = Math.min(width, height);
  if (lines <= 480) return 1_500_000;
  if (lines <= 720) return 3_000_000;
  return 6_000_000;
}

/** See the file comment. */
export class LiveBroadcast extends TypedEmitter<LiveBroadcastEvents> {
  readonly #options: LiveBroadcastOptions;
  readonly #tracker: RtmpStatusTracker;
  #source: MediaSource;
  #recorder: ComposedRecorder;
  #layout: Layout;
  #selection: StreamSelection;
  #idleTimer: NodeJS.Timeout | undefined;
  #maxTimer: NodeJS.Timeout | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #waitingForSource = false;
  #polling = false;
  #stopped = false;
  readonly #sourceListeners = {
    count: (count: number) => this.#onConnectionCount(count),
    close: () => this.#onSourceClosed(),
    opened: (source: MediaSource) => void this.#rebind(source),
  };

  constructor(options: LiveBroadcastOptions) {
    super();
    this.#options = options;
    this.#source = options.source;
    this.#layout = options.layout;
    this.#selection = this.#selectionOf(options.data.streams);
    this.#tracker = new RtmpStatusTracker(options.data.rtmp.length);
    this.#recorder = this.#createRecorder();
  }

  /** The live session's media now. */
  get source(): MediaSource {
    return this.#source;
  }

  /** Starts the composer, the timers and the status polling. */
  async start(): Promise<void> {
    this.#attachSource();
    this.#maxTimer = setTimeout(
      () => this.emit('stopNeeded', 'maxDuration', 'The broadcast reached its maxDuration'),
      this.#options.maxDurationMs,
    );
    this.#maxTimer.unref();
    this.#pollTimer = setInterval(() => void this.#poll(), this.#options.statusPollMs);
    this.#pollTimer.unref();
    if (this.#source.connectionCount() === 0) this.#onConnectionCount(0);
    await this.#recorder.start();
  }

  /** Changes the layout (a new composer process takes over within a second). */
  setLayout(layout: Layout): void {
    this.#layout = layout;
    this.#recorder.setLayout(layout);
  }

  /** Sets the streams of a `manual` broadcast. */
  setStreams(streams: readonly IncludedStream[]): void {
    this.#selection = this.#selectionOf(streams);
    this.#recorder.setSelection(this.#selection);
  }

  /** Whether `streamId` is published in the live session now. */
  hasStream(streamId: string): boolean {
    return this.#source.streams().some((stream) => stream.streamId === streamId);
  }

  /** Stops the composer (its last segment is finished) and every timer. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#clearTimers();
    this.#detachSource();
    await this.#recorder.stop();
  }

  /** Kills the composer without finishing anything, as a server crash would (tests). */
  kill(): void {
    this.#stopped = true;
    this.#clearTimers();
    this.#detachSource();
    this.#recorder.kill();
  }

  #selectionOf(streams: readonly IncludedStream[]): StreamSelection {
    if (this.#options.data.streamMode === 'auto') return { mode: 'auto' };
    // Streams are broadcast in the order they were added (the layouts' "time added" rule).
    return {
      mode: 'manual',
      streams: new Map(
        streams.map((s, index) => [
          s.streamId,
          { hasAudio: s.hasAudio, hasVideo: s.hasVideo, addedAt: index },
        ]),
      ),
    };
  }

  #outputs(): ComposerOutput[] {
    const { data, paths } = this.#options;
    // Slave 0 is always an HLS output: the real one, or a hidden probe playlist that tells when ffmpeg
    // muxes (see output-status.ts). Either way `tee` is used, so one failing target never stops the rest.
    const first: ComposerOutput = data.hls
      ? { kind: 'hls', directory: paths.hls, dvr: data.hls.dvr, lowLatency: data.hls.lowLatency }
      : { kind: 'hls', directory: paths.probe, dvr: false, lowLatency: false };
    return [first, ...data.rtmp.map((target): ComposerOutput => ({ kind: 'rtmp', url: rtmpUrl(target) }))];
  }

  #createRecorder(): ComposedRecorder {
    const { data, paths } = this.#options;
    const recorder = new ComposedRecorder({
      source: this.#source,
      workDirectory: paths.directory,
      resolution: data.resolution,
      hasAudio: data.hasAudio,
      hasVideo: data.hasVideo,
      layout: this.#layout,
      selection: this.#selection,
      encoding: {
        defaultMaxBitrate: defaultMaxBitrate(data),
        ...(data.maxBitrate !== undefined ? { maxBitrate: data.maxBitrate } : {}),
      },
      output: { kind: 'live', outputs: this.#outputs() },
      ...(this.#options.ffmpegPath ? { ffmpegPath: this.#options.ffmpegPath } : {}),
    });
    recorder.on('ffmpegLog', (line) => {
      if (this.#tracker.onLog(line, Date.now()) !== null) void this.#poll();
    });
    recorder.on('segmentStarted', () => {
      const hls = this.#options.data.hls;
      if (hls?.status === 'connecting' && !this.#stopped) {
        hls.status = 'ready';
        this.emit('outputsChanged');
      }
      void this.#poll();
    });
    recorder.on('paused', () => void this.#poll());
    recorder.on('resumed', () => void this.#poll());
    recorder.on('failed', (reason) => {
      if (recorder === this.#recorder && !this.#stopped) this.emit('stopNeeded', 'failed', reason);
    });
    return recorder;
  }

  #attachSource(): void {
    this.#source.on('connectionCountChanged', this.#sourceListeners.count);
    this.#source.on('close', this.#sourceListeners.close);
  }

  #detachSource(): void {
    this.#source.off('connectionCountChanged', this.#sourceListeners.count);
    this.#source.off('close', this.#sourceListeners.close);
  }

  #clearTimers(): void {
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#maxTimer);
    clearInterval(this.#pollTimer);
    this.#idleTimer = undefined;
    this.#stopWaitingForSource();
  }

  #stopWaitingForSource(): void {
    if (!this.#waitingForSource) return;
    this.#waitingForSource = false;
    this.#options.mediaSources.off('sourceOpened', this.#sourceListeners.opened);
  }

  #onConnectionCount(count: number): void {
    if (this.#stopped) return;
    if (count > 0) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
      return;
    }
    if (this.#idleTimer) return;
    this.#idleTimer = setTimeout(
      () => this.emit('stopNeeded', 'noClients', 'No client was connected to the session for 60 seconds'),
      this.#options.idleStopMs,
    );
    this.#idleTimer.unref();
  }

  #onSourceClosed(): void {
    if (this.#stopped) return;
    this.#onConnectionCount(0);
    if (this.#waitingForSource) return;
    this.#waitingForSource = true;
    this.#options.mediaSources.on('sourceOpened', this.#sourceListeners.opened);
  }

  /** Moves the broadcast to the session's new media source, once clients are back. */
  async #rebind(next: MediaSource): Promise<void> {
    if (this.#stopped || next.sessionId !== this.#options.sessionId || next === this.#source) return;
    this.#stopWaitingForSource();
    this.#detachSource();
    const old = this.#recorder;
    this.#source = next;
    this.#recorder = this.#createRecorder();
    await old.stop();
    if (this.#stopped) return;
    this.#attachSource();
    this.#onConnectionCount(next.connectionCount());
    await this.#recorder.start();
  }

  async #poll(): Promise<void> {
    if (this.#polling || this.#stopped) return;
    this.#polling = true;
    try {
      const { data, paths } = this.#options;
      let changed = false;
      const current = this.#recorder.segments.at(-1);
      const running = current !== undefined && current.stoppedAt === null && !this.#recorder.paused;
      const writtenAt = await playlistWrittenAt(data.hls ? paths.hls : paths.probe);
      const hlsLive = data.hls?.status === 'connecting' || data.hls?.status === 'ready';
      const hasSegment = hlsLive && (await playlistHasSegment(paths.hls));
      // The manager owns the statuses once the broadcast stops.
      if (this.#stopped) return;
      const next = this.#tracker.evaluate(
        data.rtmp.map((t) => t.status),
        { processStartedAt: running ? current.startedAt : null, playlistWrittenAt: writtenAt },
      );
      next.forEach((status, index) => {
        const target = data.rtmp[index];
        if (target && target.status !== status) {
          target.status = status;
          changed = true;
        }
      });
      if (data.hls && hasSegment) {
        data.hls.status = 'live';
        changed = true;
      }
      if (changed) this.emit('outputsChanged');
    } finally {
      this.#polling = false;
    }
  }

  /** The last reason ffmpeg gave for a failed RTMP target (for logs). */
  failureReason(targetIndex: number): string | null {
    return this.#tracker.failureReason(targetIndex);
  }
}
