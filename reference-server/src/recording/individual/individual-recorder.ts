/**
 * An individual-stream archive while it records: one {@link StreamFile} per stream (and per stint of a
 * stream), kept in step with the session and the archive's settings, and the journal that lets a
 * crashed recording be packaged later.
 *
 * - Auto mode records every published stream; manual mode the streams added with `addStream`, with the
 *   tracks asked for. `hasAudio`/`hasVideo` apply to every file.
 * - A stream published (or added) while recording gets a file starting then; one unpublished (or
 *   removed) ends its file; one published again (or added again, or whose tracks or codecs change)
 *   gets another file. Files are named after their stream (`<streamId>.webm`, then `<streamId>-2.webm`…).
 * - At most {@link MAX_INDIVIDUAL_STREAMS} files record at once, Vonage's limit for individual archives.
 * - A file whose video sent no keyframe in time is written audio-only (see {@link StreamFile}); when
 *   the video comes, the stream continues in a new file with both tracks.
 * - Every file start and stop is journalled before anything else happens to it, so the manifest's
 *   `startTimeOffset`/`stopTimeOffset` survive a crash (see `journal.ts`).
 */
import { mkdir } from 'node:fs/promises';
import { TypedEmitter } from '@parley/events';
import type { IndividualRecorderLike, IndividualRecorderParams } from '../archives/types.js';
import type { StreamSelection } from '../compositor/plan.js';
import type { SourceStream } from '../media-source.js';
import {
  type IndividualFileEntry,
  type IndividualJournal,
  recordedMs,
  writeIndividualJournal,
} from './journal.js';
import { packageIndividual } from './package.js';
import { recordableTracks, StreamFile, type StreamTracks } from './stream-file.js';

/** How long a new file's header waits for the first video keyframe, ms. */
export const DEFAULT_HEADER_WAIT_MS = 5000;
/**
 * The same for a file restarted because video came late: long enough for a slow publisher's next
 * keyframe, short enough to bound the audio held in memory meanwhile.
 */
export const LATE_VIDEO_HEADER_WAIT_MS = 30_000;

/** Vonage's limit: an individual archive records up to 50 streams at once. */
export const MAX_INDIVIDUAL_STREAMS = 50;

/** Events of {@link IndividualRecorder}. */
export type IndividualRecorderEvents = {
  /** Recording cannot continue (the disk failed). */
  failed: [reason: string];
};

/** Options of {@link IndividualRecorder}: the manager's parameters plus the archive's creation time. */
export interface IndividualRecorderOptions extends IndividualRecorderParams {
  /** The archive's `createdAt` (ms since the epoch), for the manifest. Default: now. */
  createdAt?: number;
  /** How long a new file waits for its first video keyframe, ms (see {@link StreamFile}). */
  headerWaitMs?: number;
}

/** A file recording now. */
interface ActiveFile {
  file: StreamFile;
  entry: IndividualFileEntry;
  /** What the file records: a change means a new file. */
  key: string;
}

/** See the file comment. */
export class IndividualRecorder
  extends TypedEmitter<IndividualRecorderEvents>
  implements IndividualRecorderLike
{
  readonly #options: IndividualRecorderOptions;
  readonly #journal: IndividualJournal;
  readonly #active = new Map<string, ActiveFile>();
  /** Files started per stream so far (names are never reused). */
  readonly #stints = new Map<string, number>();
  #selection: StreamSelection;
  #writes: Promise<void> = Promise.resolve();
  #state: 'new' | 'recording' | 'stopped' = 'new';
  readonly #reconcile = (): void => this.#update();
  readonly #removed = (streamId: string): void => {
    this.#stopFile(streamId);
    // A slot freed under the stream limit goes to a stream that was left out.
    this.#update();
  };

  constructor(options: IndividualRecorderOptions) {
    super();
    this.#options = options;
    this.#selection = options.selection;
    const now = Date.now();
    this.#journal = {
      archive: {
        id: options.archiveId,
        name: options.name === '' ? null : options.name,
        sessionId: options.source.sessionId,
        createdAt: options.createdAt ?? now,
      },
      startedAt: now,
      files: [],
    };
  }

  /** The time covered by at least one file so far, ms. */
  get recordedDurationMs(): number {
    return recordedMs(this.#journal.files, Date.now());
  }

  /** The journal as it is now (a copy). */
  get journal(): IndividualJournal {
    return structuredClone(this.#journal);
  }

  /** Creates the work directory, journals the start and begins recording the streams. */
  async start(): Promise<void> {
    if (this.#state !== 'new') return;
    await mkdir(this.#options.workDirectory, { recursive: true });
    await writeIndividualJournal(this.#options.workDirectory, this.#journal);
    if (this.#state !== 'new') return; // stopped or killed while starting
    this.#state = 'recording';
    const { source } = this.#options;
    source.on('streamAdded', this.#reconcile);
    source.on('streamUpdated', this.#reconcile);
    source.on('streamRemoved', this.#removed);
    this.#update();
  }

  /** Applies a new manual-mode selection (files start, stop or restart with other tracks). */
  setSelection(selection: StreamSelection): void {
    this.#selection = selection;
    if (this.#state === 'recording') this.#update();
  }

  /** Stops every file (each is finished: index, duration) and journals their end. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return this.#writes;
    this.#state = 'stopped';
    this.#detach();
    for (const streamId of [...this.#active.keys()]) this.#stopFile(streamId, false);
    this.#journalChanged();
    await this.#writes;
  }

  /** Stops at once without finishing anything, as a crash would (tests; `ArchiveManager.abort`). */
  kill(): void {
    this.#state = 'stopped';
    this.#detach();
    for (const active of this.#active.values()) active.file.kill();
    this.#active.clear();
  }

  /** After {@link stop}: writes the ZIP of the files and the manifest; false when nothing was recorded. */
  async finalize(outputPath: string): Promise<boolean> {
    await this.#writes;
    return packageIndividual(this.#options.workDirectory, this.#journal, outputPath);
  }

  #detach(): void {
    const { source } = this.#options;
    source.off('streamAdded', this.#reconcile);
    source.off('streamUpdated', this.#reconcile);
    source.off('streamRemoved', this.#removed);
  }

  /** The tracks of `stream` this archive records now, or null for none. */
  #wanted(stream: SourceStream): StreamTracks | null {
    const { hasAudio, hasVideo } = this.#options;
    let tracks: StreamTracks = { audio: hasAudio, video: hasVideo };
    if (this.#selection.mode === 'manual') {
      const entry = this.#selection.streams.get(stream.streamId);
      if (!entry) return null;
      tracks = { audio: tracks.audio && entry.hasAudio, video: tracks.video && entry.hasVideo };
    }
    const codecs = recordableTracks(stream, tracks);
    if (!codecs.audio && !codecs.video) return null;
    return { audio: codecs.audio !== null, video: codecs.video !== null };
  }

  /** Starts, stops and restarts files so they match the session and the selection. */
  #update(): void {
    if (this.#state !== 'recording') return;
    const streams = this.#options.source.streams();
    const published = new Set(streams.map((s) => s.streamId));
    for (const streamId of [...this.#active.keys()]) if (!published.has(streamId)) this.#stopFile(streamId);
    for (const stream of streams) {
      const tracks = this.#wanted(stream);
      const active = this.#active.get(stream.streamId);
      const key = tracks ? fileKey(stream, tracks) : null;
      if (active && active.key === key) continue;
      if (active) this.#stopFile(stream.streamId);
      if (tracks && key) this.#startFile(stream, tracks, key);
    }
  }

  #startFile(stream: SourceStream, tracks: StreamTracks, key: string, lateVideo = false): void {
    if (this.#active.size >= MAX_INDIVIDUAL_STREAMS) return;
    const stint = (this.#stints.get(stream.streamId) ?? 0) + 1;
    this.#stints.set(stream.streamId, stint);
    const safeId = stream.streamId.replace(/[^A-Za-z0-9._-]/g, '_');
    const file = new StreamFile({
      source: this.#options.source,
      stream,
      tracks,
      directory: this.#options.workDirectory,
      baseName: stint === 1 ? safeId : `${safeId}-${stint}`,
      // Video is known to flow when a file restarts for it: its header waits longer for a keyframe.
      headerWaitMs: lateVideo
        ? LATE_VIDEO_HEADER_WAIT_MS
        : (this.#options.headerWaitMs ?? DEFAULT_HEADER_WAIT_MS),
      // Video that comes after the file was written without it: a new file holds both tracks.
      onLateVideo: () => {
        if (this.#active.get(stream.streamId)?.file !== file) return;
        this.#stopFile(stream.streamId);
        this.#startFile(stream, tracks, key, true);
      },
      onError: (error) => this.#fail(`could not write ${stream.streamId}'s file: ${error.message}`),
    });
    const entry: IndividualFileEntry = {
      streamId: stream.streamId,
      connectionId: stream.connectionId,
      connectionData: stream.connectionData,
      videoType: stream.videoType,
      filename: file.filename,
      hasAudio: tracks.audio,
      hasVideo: tracks.video,
      startedAt: file.startedAt,
      stoppedAt: null,
    };
    this.#journal.files.push(entry);
    this.#active.set(stream.streamId, { file, entry, key });
    this.#journalChanged();
  }

  #stopFile(streamId: string, journal = true): void {
    const active = this.#active.get(streamId);
    if (!active) return;
    this.#active.delete(streamId);
    try {
      active.file.stop();
    } catch (error) {
      this.#fail(`could not finish ${streamId}'s file: ${(error as Error).message}`);
    }
    active.entry.stoppedAt = Date.now();
    active.entry.hasVideo = active.file.hasVideo;
    if (journal) this.#journalChanged();
  }

  /** Queues a journal write (writes happen one at a time, each with the state at its turn). */
  #journalChanged(): void {
    this.#writes = this.#writes
      .then(() => writeIndividualJournal(this.#options.workDirectory, this.#journal))
      .catch((error: unknown) => this.#fail(`could not write the journal: ${(error as Error).message}`));
  }

  #fail(reason: string): void {
    if (this.#state === 'stopped') return;
    this.kill();
    this.emit('failed', reason);
  }
}

/** What a file records: the tracks and their codecs. */
function fileKey(stream: SourceStream, tracks: StreamTracks): string {
  return JSON.stringify([
    tracks.audio ? stream.audio?.codec.mimeType : null,
    tracks.video ? stream.video?.codec.mimeType : null,
  ]);
}
