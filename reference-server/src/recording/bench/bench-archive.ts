/**
 * One composed archive under measurement: a {@link ComposedRecorder} set up exactly as the archive
 * manager sets one up (`bestFit`, auto selection, the manager's default bitrate cap for the resolution,
 * `output.kind: 'archive'`), plus what a benchmark needs to see from outside it without changing it:
 *
 * - how much media its segment files hold at any moment ({@link readMp4Progress}), so that the
 *   composer's speed over a window is `Δ output seconds ÷ Δ wall seconds` — the composer runs on live
 *   RTP, so below 1 it is falling behind real time (needs the `flushing-ffmpeg.ts` wrapper as
 *   `ffmpegPath`, else ffmpeg buffers the file and the samples lag by ~256 KB);
 * - its ffmpeg warnings and failures, segment switches (a switch means a track stalled);
 * - after the stop, the joined `archive.mp4` probed with ffprobe.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { composedRecordedMs, defaultMaxBitrate } from '../archives/archive-recording.js';
import { ComposedRecorder } from '../compositor/composed-recorder.js';
import { joinSegments } from '../compositor/segment-journal.js';
import type { Resolution } from '../layouts.js';
import type { MediaSource } from '../media-source.js';
import { probeMedia } from '../probe.js';
import { readMp4Progress } from './fragmented-mp4.js';

/** Options of {@link BenchArchive.start}. */
export interface BenchArchiveOptions {
  source: MediaSource;
  /** The archive's work directory (segments, journal, the joined output). */
  workDirectory: string;
  resolution: Resolution;
  /** How long the first segment may take to produce output. Default 20 s (a loaded machine is slow). */
  startTimeoutMs?: number;
  ffmpegPath?: string;
}

/** The output at one instant. */
export interface OutputSample {
  /** `Date.now()` when read. */
  atMs: number;
  /** Media seconds in the segment files (complete fragments only). */
  outputSeconds: number;
}

/** The joined archive as ffprobe reads it. */
export interface ArchiveOutput {
  path: string;
  sizeBytes: number;
  /** ffprobe's duration, seconds. */
  durationSeconds: number;
  /** Recorded time by the recorder's own journal (what the archive's `duration` reports), seconds. */
  recordedSeconds: number;
  video: { codec: string; width: number; height: number } | null;
  audioCodec: string | null;
  segments: number;
}

/** Speed of the composer between two samples: output seconds gained per wall second (1 = real time). */
export function outputSpeed(before: OutputSample, after: OutputSample): number {
  const wall = (after.atMs - before.atMs) / 1000;
  if (wall <= 0) throw new RangeError('the samples must be in time order and apart');
  return (after.outputSeconds - before.outputSeconds) / wall;
}

/** How many ffmpeg stderr lines are kept (the count covers all). */
const WARNINGS_KEPT = 20;

/** See the file comment. */
export class BenchArchive {
  readonly #recorder: ComposedRecorder;
  readonly #workDirectory: string;
  readonly #ffmpegPath: string | undefined;
  /** Why the recorder failed (empty when it did not). */
  readonly failures: string[] = [];
  /** The last ffmpeg stderr lines of the composer (warnings and errors). */
  readonly warnings: string[] = [];
  #warningCount = 0;
  #stoppedAt: number | null = null;

  private constructor(recorder: ComposedRecorder, workDirectory: string, ffmpegPath: string | undefined) {
    this.#recorder = recorder;
    this.#workDirectory = workDirectory;
    this.#ffmpegPath = ffmpegPath;
    recorder.on('failed', (reason) => this.failures.push(reason));
    recorder.on('ffmpegLog', (line) => {
      this.#warningCount += 1;
      this.warnings.push(line);
      if (this.warnings.length > WARNINGS_KEPT) this.warnings.shift();
    });
  }

  /** Starts recording and resolves once the composer produced its first output; rejects if it did not. */
  static async start(options: BenchArchiveOptions): Promise<BenchArchive> {
    const recorder = new ComposedRecorder({
      source: options.source,
      workDirectory: options.workDirectory,
      resolution: options.resolution,
      hasAudio: true,
      hasVideo: true,
      layout: { type: 'bestFit' },
      selection: { mode: 'auto' },
      encoding: { defaultMaxBitrate: defaultMaxBitrate(options.resolution) },
      output: { kind: 'archive' },
      ...(options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {}),
    });
    const archive = new BenchArchive(recorder, options.workDirectory, options.ffmpegPath);
    const live = new Promise<void>((resolve) => recorder.once('segmentStarted', () => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), options.startTimeoutMs ?? 20_000);
    });
    await recorder.start();
    const outcome = await Promise.race([live, timeout]).finally(() => clearTimeout(timer));
    if (outcome === 'timeout' || archive.failures.length > 0) {
      recorder.kill();
      const why = archive.failures[0] ?? archive.warnings.at(-1) ?? 'no output';
      throw new Error(`The composer did not start recording ${options.workDirectory}: ${why}`);
    }
    return archive;
  }

  /** When the first segment started (ms since the epoch). */
  get startedAt(): number {
    return this.#recorder.segments[0]?.startedAt ?? 0;
  }

  /** Segments so far: more than one means the composer was restarted (a stall or a failure). */
  get segmentCount(): number {
    return this.#recorder.segments.length;
  }

  /** ffmpeg stderr lines so far. */
  get warningCount(): number {
    return this.#warningCount;
  }

  /** How much media the segment files hold now. */
  async sample(): Promise<OutputSample> {
    const atMs = Date.now();
    let outputSeconds = 0;
    for (const segment of this.#recorder.segments) {
      outputSeconds += (await readMp4Progress(join(this.#workDirectory, segment.file))).durationSeconds;
    }
    return { atMs, outputSeconds };
  }

  /** Stops the recorder (ffmpeg drains to the stop time, then finishes its file); resolves with ms taken. */
  async stop(): Promise<number> {
    const started = performance.now();
    this.#stoppedAt = Date.now();
    await this.#recorder.stop();
    return performance.now() - started;
  }

  /** After {@link stop}: joins the segments into `archive.mp4` and probes it. */
  async finish(): Promise<ArchiveOutput> {
    if (this.#stoppedAt === null) throw new Error('finish() needs stop() first');
    const path = join(this.#workDirectory, 'archive.mp4');
    if (!(await joinSegments(this.#workDirectory, path, this.#ffmpegPath))) {
      throw new Error(`Nothing was recorded in ${this.#workDirectory}`);
    }
    const [probed, file] = await Promise.all([probeMedia(path), stat(path)]);
    const video = probed.streams.find((s) => s.codecType === 'video');
    const audio = probed.streams.find((s) => s.codecType === 'audio');
    return {
      path,
      sizeBytes: file.size,
      durationSeconds: probed.duration,
      recordedSeconds: composedRecordedMs(this.#recorder.segments, this.#stoppedAt) / 1000,
      video: video ? { codec: video.codecName, width: video.width ?? 0, height: video.height ?? 0 } : null,
      audioCodec: audio?.codecName ?? null,
      segments: this.segmentCount,
    };
  }
}
