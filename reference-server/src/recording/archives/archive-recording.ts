/**
 * One archive's recorder behind one interface, whatever its output mode: a {@link ComposedRecorder}
 * (segments joined into one MP4) or an individual-stream recorder (one file per stream, packaged as a
 * ZIP). The manager starts, steers, stops and finishes it without caring which it is; recovery after a
 * crash finishes what a recorder left on disk through {@link finishFromDisk} with the same code paths.
 */
import { join } from 'node:path';
import { ComposedRecorder } from '../compositor/composed-recorder.js';
import type { VideoEncoding } from '../compositor/ffmpeg-args.js';
import type { StreamSelection } from '../compositor/plan.js';
import { type JournalSegment, joinSegments, readJournal } from '../compositor/segment-journal.js';
import { readIndividualJournal, recordedMs } from '../individual/journal.js';
import type { Layout, Resolution } from '../layouts.js';
import type { MediaSource } from '../media-source.js';
import { defaultFfprobePath, probeMedia } from '../probe.js';
import type {
  ArchiveOutputFile,
  ArchiveSettings,
  IndividualRecorderLike,
  IndividualRecording,
} from './types.js';

/** A finished recording: the file to store and how long it plays. */
export interface FinishedRecording {
  file: ArchiveOutputFile;
  durationMs: number;
}

/** The recorder of one archive; see the file comment. */
export interface ArchiveRecording {
  start(): Promise<void>;
  /** Composed archives only. */
  setLayout(layout: Layout): void;
  setSelection(selection: StreamSelection): void;
  /** Stops recording gracefully (files are complete afterwards). */
  stop(): Promise<void>;
  /** Kills the recorder processes without finishing their files (tests simulate a crash with it). */
  kill(): void;
  /** Called once if the recorder fails for good. */
  onFailed(listener: (reason: string) => void): void;
  /** How much has been recorded so far, ms (pauses excluded). */
  recordedMs(now: number): number;
  /** After {@link stop}: produces the output file, or null when nothing was recorded. */
  finish(): Promise<FinishedRecording | null>;
}

/** The file a composed archive is joined into, within its work directory. */
export const COMPOSED_OUTPUT = 'archive.mp4';
/** The file an individual archive is packaged into, within its work directory. */
export const INDIVIDUAL_OUTPUT = 'archive.zip';

/** The video bitrate cap when the request sets neither `maxBitrate` nor `quantizationParameter`. */
export function defaultMaxBitrate(resolution: Resolution): number {
  const [width = 640, height = 480] = resolution.split('x').map(Number);
  const pixels = width * height;
  if (pixels <= 640 * 480) return 1_000_000;
  if (pixels <= 1280 * 720) return 2_500_000;
  return 4_500_000;
}

/** Recorded time of a composed recording: each segment counts until the next began or it stopped. */
export function composedRecordedMs(segments: readonly JournalSegment[], now: number): number {
  let total = 0;
  segments.forEach((segment, i) => {
    const next = segments[i + 1]?.startedAt ?? Number.POSITIVE_INFINITY;
    const end = Math.min(segment.stoppedAt ?? now, next);
    total += Math.max(0, end - segment.startedAt);
  });
  return total;
}

/** Options shared by both kinds of recording. */
export interface RecordingParams {
  archiveId: string;
  settings: ArchiveSettings;
  source: MediaSource;
  workDirectory: string;
  selection: StreamSelection;
  /** The archive's `createdAt` (ms since the epoch). */
  createdAt: number;
  ffmpegPath?: string;
  /** Required for `individual` archives. */
  individual?: IndividualRecording;
}

/** Creates the recorder of an archive. Throws when the output mode cannot be recorded here. */
export function createRecording(params: RecordingParams): ArchiveRecording {
  if (params.settings.outputMode === 'individual') {
    if (!params.individual) throw new Error('Individual-stream recording is not available on this server');
    return individualRecording(params, params.individual);
  }
  return composedRecording(params);
}

function composedRecording(params: RecordingParams): ArchiveRecording {
  const { settings } = params;
  const resolution = settings.resolution ?? '640x480';
  const encoding: VideoEncoding = { defaultMaxBitrate: defaultMaxBitrate(resolution) };
  if (settings.maxBitrate !== undefined) encoding.maxBitrate = settings.maxBitrate;
  if (settings.quantizationParameter !== undefined) {
    encoding.quantizationParameter = settings.quantizationParameter;
  }
  const recorder = new ComposedRecorder({
    source: params.source,
    workDirectory: params.workDirectory,
    resolution,
    hasAudio: settings.hasAudio,
    hasVideo: settings.hasVideo,
    layout: settings.layout ?? { type: 'bestFit' },
    selection: params.selection,
    encoding,
    output: { kind: 'archive' },
    ...(params.ffmpegPath ? { ffmpegPath: params.ffmpegPath } : {}),
  });
  return {
    start: () => recorder.start(),
    setLayout: (layout) => recorder.setLayout(layout),
    setSelection: (selection) => recorder.setSelection(selection),
    stop: () => recorder.stop(),
    kill: () => recorder.kill(),
    onFailed: (listener) => void recorder.once('failed', listener),
    recordedMs: (now) => composedRecordedMs(recorder.segments, now),
    finish: () => finishComposed(params.workDirectory, params.ffmpegPath),
  };
}

function individualRecording(params: RecordingParams, individual: IndividualRecording): ArchiveRecording {
  const { settings } = params;
  const recorder: IndividualRecorderLike = individual.create({
    source: params.source,
    workDirectory: params.workDirectory,
    archiveId: params.archiveId,
    name: settings.name,
    hasAudio: settings.hasAudio,
    hasVideo: settings.hasVideo,
    selection: params.selection,
    createdAt: params.createdAt,
    ...(params.ffmpegPath ? { ffmpegPath: params.ffmpegPath } : {}),
  });
  let failed = false;
  return {
    start: () => recorder.start(),
    setLayout: () => {
      throw new Error('Individual archives have no layout');
    },
    setSelection: (selection) => recorder.setSelection(selection),
    stop: () => recorder.stop(),
    kill: () => recorder.kill(),
    onFailed: (listener) =>
      void recorder.on('failed', (reason) => {
        if (failed) return;
        failed = true;
        listener(reason);
      }),
    recordedMs: () => recorder.recordedDurationMs,
    finish: async () => {
      const path = join(params.workDirectory, INDIVIDUAL_OUTPUT);
      if (!(await recorder.finalize(path))) return null;
      return { file: zipFile(path), durationMs: recorder.recordedDurationMs };
    },
  };
}

const zipFile = (path: string): ArchiveOutputFile => ({
  path,
  contentType: 'application/zip',
  extension: 'zip',
});

/** Joins a composed archive's segments; the duration is the joined file's. Null when nothing was recorded. */
async function finishComposed(directory: string, ffmpegPath?: string): Promise<FinishedRecording | null> {
  const path = join(directory, COMPOSED_OUTPUT);
  if (!(await joinSegments(directory, path, ffmpegPath))) return null;
  const probed = await probeMedia(path, process.env.PARLEY_FFPROBE ?? defaultFfprobePath()).catch(() => null);
  const durationMs =
    probed && probed.duration > 0
      ? Math.round(probed.duration * 1000)
      : composedRecordedMs(await readJournal(directory), Date.now());
  return { file: { path, contentType: 'video/mp4', extension: 'mp4' }, durationMs };
}

/**
 * Finishes what a recorder left in `directory` when the server stopped without stopping it (a crash):
 * composed segments are joined up to their last complete fragment, individual files are packaged from
 * their journal. Null when nothing usable is on disk.
 */
export async function finishFromDisk(
  outputMode: 'composed' | 'individual',
  directory: string,
  options: { ffmpegPath?: string; individual?: IndividualRecording },
): Promise<FinishedRecording | null> {
  if (outputMode === 'composed') return finishComposed(directory, options.ffmpegPath);
  if (!options.individual) throw new Error('Individual-stream recording is not available on this server');
  const path = join(directory, INDIVIDUAL_OUTPUT);
  if (!(await options.individual.packageFromDisk(directory, path))) return null;
  // Packaging finished the files the crash interrupted and journalled their ends.
  const journal = await readIndividualJournal(directory);
  return { file: zipFile(path), durationMs: journal ? recordedMs(journal.files, Date.now()) : 0 };
}
