/**
 * The collaborators of the archive manager, as narrow interfaces: the live media of sessions, the client
 * notifier, the archive file store and the individual-stream recorder are all written elsewhere (the
 * realtime bridge and the storage module), and the manager depends only on the few members it calls, so
 * it is tested with fakes fed by real RTP and wired to the real implementations by the app.
 */
import type { ProjectRecord } from '../../store/types.js';
import type { StreamSelection } from '../compositor/plan.js';
import type { Layout, Resolution } from '../layouts.js';
import type { MediaSource } from '../media-source.js';

/** A finished archive file handed to the file store. */
export interface ArchiveOutputFile {
  path: string;
  contentType: string;
  extension: 'mp4' | 'zip';
}

/** What the file store made of a finished file. */
export interface ArchiveFileResult {
  /**
   * `available` when kept locally (downloadable), `uploaded` when sent to the project's storage target,
   * `failed` when the upload failed and the project wants no local fallback.
   */
  status: 'available' | 'uploaded' | 'failed';
  size: number;
  sha256sum: string;
  /** Why an upload to the project's target failed, when it did. */
  reason?: string;
}

/** The archive file store (local directory, signed download URLs, uploads). */
export interface ArchiveFileStore {
  /** Moves (or uploads) a finished file into the store. */
  finalize(project: ProjectRecord, archiveId: string, file: ArchiveOutputFile): Promise<ArchiveFileResult>;
  /** A fresh signed download URL, or null when the file is not stored locally. */
  downloadUrl(projectId: string, archiveId: string): string | null;
  /** Removes the stored file, if any. */
  delete(projectId: string, archiveId: string): Promise<void>;
}

/** The lifecycle surface the manager needs from an individual-stream recorder. */
export interface IndividualRecorderLike {
  start(): Promise<void>;
  setSelection(selection: StreamSelection): void;
  stop(): Promise<void>;
  kill(): void;
  on(event: 'failed', listener: (reason: string) => void): unknown;
  /** Writes the ZIP (media files + manifest); false when nothing was recorded. */
  finalize(outputPath: string): Promise<boolean>;
  /** How long something was recorded, ms. */
  readonly recordedDurationMs: number;
}

/** What the manager passes to create an individual-stream recorder. */
export interface IndividualRecorderParams {
  source: MediaSource;
  workDirectory: string;
  archiveId: string;
  name: string;
  hasAudio: boolean;
  hasVideo: boolean;
  selection: StreamSelection;
  /** The archive's `createdAt` (ms since the epoch), for the manifest. */
  createdAt?: number;
  ffmpegPath?: string;
}

/** Individual-stream recording: creating recorders, and packaging what a crashed one left on disk. */
export interface IndividualRecording {
  create(params: IndividualRecorderParams): IndividualRecorderLike;
  /** Packages the files a recorder left in `directory` into the ZIP at `outputPath`; false when none. */
  packageFromDisk(directory: string, outputPath: string): Promise<boolean>;
}

/** The automatic-stop limits (Vonage's documented values by default). */
export interface ArchiveLimits {
  /** Recorded (published) time after which an archive stops (`maximum duration exceeded`). 4 h. */
  maxDurationSeconds: number;
  /** Total time, paused included, after which an archive stops (`maximum duration exceeded`). 12 h. */
  maxTotalSeconds: number;
  /** How long after the last client leaves an archive stops (`session ended`). 60 s. */
  sessionEndedSeconds: number;
  /** How long without any publisher an archive stops (`maximum idle time exceeded`). 60 min. */
  maxIdleSeconds: number;
  /** How often the running archives' recorded time is checked, ms. 1 s. */
  checkIntervalMs: number;
}

/** The default limits. */
export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxDurationSeconds: 4 * 3600,
  maxTotalSeconds: 12 * 3600,
  sessionEndedSeconds: 60,
  maxIdleSeconds: 3600,
  checkIntervalMs: 1000,
};

/** Timers, injectable so tests control them. A handle is whatever `set` returns. */
export interface ArchiveTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** Node's timers, unref'd so a pending automatic stop never keeps the process alive. */
export const NODE_TIMERS: ArchiveTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval: (callback, ms) => setInterval(callback, ms).unref(),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

/** A minimal logger (pino and Fastify's logger fit). */
export interface ArchiveLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

/** The archive settings fixed at start (normalised from the request or the session's `always` settings). */
export interface ArchiveSettings {
  sessionId: string;
  name: string;
  outputMode: 'composed' | 'individual';
  streamMode: 'auto' | 'manual';
  hasAudio: boolean;
  hasVideo: boolean;
  /** Composed only. */
  resolution?: Resolution;
  /** Composed only. */
  layout?: Layout;
  multiArchiveTag?: string;
  maxBitrate?: number;
  quantizationParameter?: number;
  hasTranscription: boolean;
  transcriptionProperties?: { primaryLanguageCode?: string; hasSummary?: boolean };
}
