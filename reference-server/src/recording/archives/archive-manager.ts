/**
 * The archive manager: starts, steers and stops the recordings of sessions and keeps their records,
 * webhooks and client notifications in step.
 *
 * Lifecycle of a record: `started` (returned by the start call, recorder starting in the background) ⇄
 * `paused` (nobody publishes) → `stopped` (stop call or automatic stop; `duration` set) → `available`
 * or `uploaded` once the file has been produced and stored by the file store, or `failed` with a
 * `reason` when the recorder fails or nothing was recorded. Every status change is written to the store
 * first and then sent as an `archiveStatus` webhook; every change to the set of recording archives of a
 * session is passed to the notifier (clients get `archiveStarted` / `archiveStopped`).
 *
 * A record is created before anything is written to disk, and files go to `<workDirectory>/<archiveId>`
 * until they are finished, so {@link ArchiveManager.recover} can always finish or fail what a crash
 * interrupted: there is never a dangling `started` record after a restart. {@link ArchiveManager.close}
 * (graceful shutdown) stops every running archive with reason `session ended` and waits until each file
 * is finished and stored, so a shutdown loses no recording.
 *
 * This class holds the API's operations and their checks; the transitions they lead to (begin, pause,
 * stop, fail, finish) are in {@link ArchiveLifecycle}, recovery after a crash in `archive-recovery.ts`.
 */

import { rm } from 'node:fs/promises';
import type { ProjectEvents } from '../../projects/project-events.js';
import type { ArchiveRecord, ProjectRecord, Store } from '../../store/types.js';
import { RecordingError } from '../errors.js';
import { individualRecording } from '../individual/individual-recording.js';
import type { ArchiveNotifier, MediaSourceProvider } from '../media-source.js';
import { FinishingArchives } from './archive-finishing.js';
import { ArchiveLifecycle } from './archive-lifecycle.js';
import { ArchiveRecordWriter } from './archive-record-writer.js';
import { recoverArchives } from './archive-recovery.js';
import { type ArchiveStreamsChange, assertRecordable, changedStreams } from './archive-rules.js';
import { archiveData, isRecording } from './archive-view.js';
import { AutomaticArchives } from './automatic-archives.js';
import { listArchives } from './list-archives.js';
import { RunningArchives } from './running-archives.js';
import { type ArchiveStartRequest, parseLayout, parseStartRequest } from './start-options.js';
import {
  type ArchiveFileStore,
  type ArchiveLimits,
  type ArchiveLogger,
  type ArchiveTimers,
  DEFAULT_ARCHIVE_LIMITS,
  type IndividualRecording,
  NODE_TIMERS,
} from './types.js';

export type { ArchiveStreamsChange } from './archive-rules.js';

/** Options of {@link ArchiveManager}. */
export interface ArchiveManagerOptions {
  store: Store;
  /** Where `archiveStatus` webhooks go. */
  events: Pick<ProjectEvents, 'emit'>;
  mediaSources: MediaSourceProvider;
  notifier: ArchiveNotifier;
  files: ArchiveFileStore;
  /** Where recordings are written until they are finished (one sub-directory per archive). */
  workDirectory: string;
  now: () => number;
  ffmpegPath?: string;
  logger: ArchiveLogger;
  /** Individual-stream recording. Default: this server's ({@link individualRecording}). */
  individual?: IndividualRecording;
  /** Automatic-stop limits; Vonage's by default. */
  limits?: Partial<ArchiveLimits>;
  timers?: ArchiveTimers;
}

/** A page of archives. */
export interface ArchivePage {
  total: number;
  items: ArchiveRecord[];
}

/** See the file comment. */
export class ArchiveManager {
  readonly #options: ArchiveManagerOptions;
  /** The recording archives. */
  readonly #running: RunningArchives;
  /** The records of the archives recording or being finished, and every change to them. */
  readonly #records: ArchiveRecordWriter;
  /** Finishing work (stop → file → store) by archive ID. */
  readonly #finishing = new FinishingArchives();
  /** `archiveMode: always` sessions: automatic start and rollover. */
  readonly #automatic: AutomaticArchives;
  readonly #lifecycle: ArchiveLifecycle;
  readonly #individual: IndividualRecording;
  #closed = false;

  constructor(options: ArchiveManagerOptions) {
    this.#options = options;
    this.#individual = options.individual ?? individualRecording;
    this.#running = new RunningArchives(options.notifier, options.logger);
    this.#records = new ArchiveRecordWriter({
      store: options.store,
      events: options.events,
      now: options.now,
      downloadUrl: (record) => this.downloadUrl(record),
      projectOf: async (record) =>
        this.#running.get(record.id)?.project ?? (await options.store.projects.get(record.applicationId)),
    });
    this.#lifecycle = new ArchiveLifecycle({
      store: options.store,
      mediaSources: options.mediaSources,
      files: options.files,
      workDirectory: options.workDirectory,
      now: options.now,
      ...(options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {}),
      logger: options.logger,
      individual: this.#individual,
      limits: { ...DEFAULT_ARCHIVE_LIMITS, ...options.limits },
      timers: options.timers ?? NODE_TIMERS,
      running: this.#running,
      records: this.#records,
      finishing: this.#finishing,
      get: (project, archiveId) => this.get(project, archiveId),
      rollOver: (running) => this.#automatic.rollOver(running),
    });
    this.#automatic = new AutomaticArchives({
      store: options.store,
      mediaSources: options.mediaSources,
      running: this.#running,
      logger: options.logger,
      begin: (project, settings) => this.#lifecycle.begin(project, settings, true),
    });
  }

  /**
   * Starts recording a session. Checks, in order: the request (400), the session exists in the project
   * (404), it is routed (409), not end-to-end encrypted (409), has a client connected on this server (404),
   * and no recording archive holds the same `multiArchiveTag` (or none) (409).
   */
  async start(project: ProjectRecord, request: ArchiveStartRequest): Promise<ArchiveRecord> {
    this.#assertOpen();
    const settings = parseStartRequest(request);
    const session = await this.#options.store.sessions.get(settings.sessionId);
    if (!session || session.applicationId !== project.applicationId) {
      throw new RecordingError('SESSION_NOT_FOUND', `Session ${settings.sessionId} was not found`);
    }
    assertRecordable(session);
    if (session.archiveMode === 'always' && !settings.multiArchiveTag) {
      throw new RecordingError(
        'ALREADY_RECORDING',
        'The session is recorded automatically (archiveMode always); set a multiArchiveTag to record it by hand as well',
      );
    }
    return this.#lifecycle.begin(project, settings, false);
  }

  /** Stops a recording archive through the API (`user initiated`). */
  async stop(project: ProjectRecord, archiveId: string): Promise<ArchiveRecord> {
    const running = this.#running.get(archiveId);
    if (!running || running.project.applicationId !== project.applicationId) {
      const record = await this.get(project, archiveId);
      throw new RecordingError(
        'ARCHIVE_NOT_RECORDING',
        `You attempted to stop an archive that was not being recorded (archive ${record.id} is ${record.status})`,
      );
    }
    if (running.automatic) throw new RecordingError('ARCHIVE_AUTOMATIC');
    return this.#lifecycle.stop(running, 'user initiated');
  }

  /** One archive of the project (deleted ones too). */
  async get(project: ProjectRecord, archiveId: string): Promise<ArchiveRecord> {
    const cached = this.#records.cached(archiveId);
    if (cached && cached.applicationId === project.applicationId) return cached;
    const record = await this.#options.store.archives.get(project.applicationId, archiveId);
    if (!record) throw new RecordingError('ARCHIVE_NOT_FOUND', `Archive ${archiveId} was not found`);
    return record;
  }

  /** The project's archives, newest first, deleted ones left out; `total` counts every match. */
  async list(
    project: ProjectRecord,
    query: { offset: number; count: number; sessionId?: string },
  ): Promise<ArchivePage> {
    const page = await listArchives(this.#options.store, project.applicationId, query);
    return { total: page.total, items: page.items.map((r) => this.#records.cached(r.id) ?? r) };
  }

  /** A fresh signed download URL for an `available` archive, else null. */
  downloadUrl(record: ArchiveRecord): string | null {
    return record.status === 'available'
      ? this.#options.files.downloadUrl(record.applicationId, record.id)
      : null;
  }

  /**
   * Deletes an archive that no longer records: its stored file goes, the record stays with status
   * `deleted` (get still answers, list leaves it out). Deleting twice succeeds.
   */
  async delete(project: ProjectRecord, archiveId: string): Promise<void> {
    const record = await this.get(project, archiveId);
    if (isRecording(record)) throw new RecordingError('ARCHIVE_RECORDING');
    await this.#finishing.done(archiveId);
    const current = await this.get(project, archiveId);
    if (current.status === 'deleted') return;
    await this.#options.files.delete(project.applicationId, archiveId);
    await rm(this.#lifecycle.directoryOf(archiveId), { recursive: true, force: true });
    await this.#records.write(current, { status: 'deleted' }, {}, { webhook: false });
    this.#records.forget(archiveId);
  }

  /** Changes the layout of a recording composed archive. */
  async setLayout(
    project: ProjectRecord,
    archiveId: string,
    layout: { type?: string; stylesheet?: string; screenshareType?: string },
  ): Promise<void> {
    const record = await this.get(project, archiveId);
    if (archiveData(record).outputMode !== 'composed') {
      throw new RecordingError('LAYOUT_NOT_APPLICABLE');
    }
    const parsed = parseLayout(layout, 'body');
    const running = this.#running.get(archiveId);
    if (!running || !isRecording(record)) {
      throw new RecordingError('ARCHIVE_NOT_RECORDING', 'The archive is not being recorded');
    }
    running.recording.setLayout(parsed);
    await this.#records.write(record, {}, { layout: parsed }, { webhook: false });
  }

  /** Adds (or changes the tracks of) or removes a stream of a recording manual-mode archive. */
  async updateStreams(
    project: ProjectRecord,
    archiveId: string,
    change: ArchiveStreamsChange,
  ): Promise<void> {
    const record = await this.get(project, archiveId);
    if (archiveData(record).streamMode !== 'manual') throw new RecordingError('ARCHIVE_STREAM_MODE_AUTO');
    const running = this.#running.get(archiveId);
    if (!running || !isRecording(record)) {
      throw new RecordingError('ARCHIVE_NOT_RECORDING', 'The archive is not being recorded');
    }
    const published = new Set(running.source.streams().map((s) => s.streamId));
    const streams = changedStreams(running.streams, published, change, this.#options.now());
    running.setStreams(streams);
    await this.#records.write(record, {}, { streams }, { webhook: false });
  }

  /**
   * Finishes every archive a previous run left recording or unfinished (run once at start-up, before
   * new archives start): what is on disk becomes the file (`stopped` → `available`/`uploaded`), or the
   * archive is `failed` when nothing usable was recorded.
   */
  async recover(): Promise<void> {
    await recoverArchives({
      store: this.#options.store,
      running: this.#running,
      finishing: this.#finishing,
      records: this.#records,
      lifecycle: this.#lifecycle,
      ...(this.#options.ffmpegPath ? { ffmpegPath: this.#options.ffmpegPath } : {}),
      individual: this.#individual,
    });
  }

  /** Resolves once every archive stopped so far has been finished (file stored or failed). */
  settled(): Promise<void> {
    return this.#finishing.settled();
  }

  /** Stops every running archive (`session ended`) and waits until their files are finished. */
  async close(): Promise<void> {
    if (this.#closed) return this.settled();
    this.#closed = true;
    this.#automatic.close();
    await Promise.all(this.#running.all().map((running) => this.#lifecycle.stop(running, 'session ended')));
    await this.settled();
  }

  /**
   * Kills every recorder at once and forgets the running archives, leaving records and files exactly as
   * a crash would (`started` records, unfinished files) for {@link recover} to finish on the next start.
   * For crash tests, and for a process that must exit immediately.
   */
  abort(): void {
    this.#closed = true;
    this.#automatic.close();
    for (const running of this.#running.all()) {
      running.ended = true;
      running.detach();
      running.recording.kill();
    }
    this.#running.clear();
  }

  /** The archives recording `sessionId` now. */
  recordingArchives(sessionId: string): ArchiveRecord[] {
    return this.#running
      .inSession(sessionId)
      .map((r) => this.#records.cached(r.id))
      .filter((r): r is ArchiveRecord => r !== undefined);
  }

  #assertOpen(): void {
    if (this.#closed) throw new RecordingError('INTERNAL', 'The archive manager is shutting down');
  }
}
