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
 */

import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProjectEvents } from '../../projects/project-events.js';
import type { ArchiveRecord, ProjectRecord, Store } from '../../store/types.js';
import { killProcessesMentioning } from '../compositor/process-census.js';
import { RecordingError } from '../errors.js';
import { individualRecording } from '../individual/individual-recording.js';
import type { ArchiveNotifier, MediaSourceProvider } from '../media-source.js';
import { FinishingArchives, finishArchive } from './archive-finishing.js';
import { ArchiveRecordWriter } from './archive-record-writer.js';
import {
  type ArchiveRecording,
  createRecording,
  type FinishedRecording,
  finishFromDisk,
} from './archive-recording.js';
import {
  type ArchiveStreamsChange,
  assertRecordable,
  changedStreams,
  newArchiveData,
} from './archive-rules.js';
import { archiveData, type IncludedStream, isRecording } from './archive-view.js';
import { AutomaticArchives } from './automatic-archives.js';
import { listArchives } from './list-archives.js';
import { type AutoStopReason, RunningArchive, selectionOf } from './running-archive.js';
import { RunningArchives } from './running-archives.js';
import { type ArchiveStartRequest, parseLayout, parseStartRequest } from './start-options.js';
import {
  type ArchiveFileStore,
  type ArchiveLimits,
  type ArchiveLogger,
  type ArchiveSettings,
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
  readonly #limits: ArchiveLimits;
  readonly #timers: ArchiveTimers;
  /** The recording archives. */
  readonly #running: RunningArchives;
  /** The records of the archives recording or being finished, and every change to them. */
  readonly #records: ArchiveRecordWriter;
  /** Finishing work (stop → file → store) by archive ID. */
  readonly #finishing = new FinishingArchives();
  /** `archiveMode: always` sessions: automatic start and rollover. */
  readonly #automatic: AutomaticArchives;
  readonly #individual: IndividualRecording;
  #closed = false;

  constructor(options: ArchiveManagerOptions) {
    this.#options = options;
    this.#limits = { ...DEFAULT_ARCHIVE_LIMITS, ...options.limits };
    this.#timers = options.timers ?? NODE_TIMERS;
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
    this.#automatic = new AutomaticArchives({
      store: options.store,
      mediaSources: options.mediaSources,
      running: this.#running,
      logger: options.logger,
      begin: (project, settings) => this.#begin(project, settings, true),
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
    return this.#begin(project, settings, false);
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
    return this.#stopRunning(running, 'user initiated');
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
    await rm(this.#directoryOf(archiveId), { recursive: true, force: true });
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
    const { store } = this.#options;
    const interrupted = [
      ...(await store.archives.listByStatus('started')),
      ...(await store.archives.listByStatus('paused')),
      ...(await store.archives.listByStatus('stopped')),
    ].filter((r) => !this.#running.has(r.id) && !this.#finishing.has(r.id));
    for (const record of interrupted) {
      const project = await store.projects.get(record.applicationId);
      if (!project) continue;
      // A composer of the crashed server may still be writing into the archive's directory (ffmpeg does
      // not notice its parent died): stop it before its segments are joined.
      await killProcessesMentioning(this.#directoryOf(record.id));
      let current = record;
      if (isRecording(record)) {
        current = await this.#records.write(
          record,
          { status: 'stopped' },
          { reason: 'server stopped while recording' },
        );
      }
      await this.#finishing.track(
        record.id,
        this.#finish(project, current, () =>
          finishFromDisk(archiveData(record).outputMode, this.#directoryOf(record.id), {
            ...(this.#options.ffmpegPath ? { ffmpegPath: this.#options.ffmpegPath } : {}),
            individual: this.#individual,
          }),
        ),
      );
    }
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
    await Promise.all(this.#running.all().map((running) => this.#stopRunning(running, 'session ended')));
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

  #directoryOf(archiveId: string): string {
    return join(this.#options.workDirectory, archiveId);
  }

  /** Registers and starts an archive. Everything between the checks and the registration is synchronous. */
  async #begin(
    project: ProjectRecord,
    settings: ArchiveSettings,
    automatic: boolean,
  ): Promise<ArchiveRecord> {
    const source = this.#options.mediaSources.get(settings.sessionId);
    if (!source || source.connectionCount() === 0) {
      throw new RecordingError('NO_CLIENTS');
    }
    this.#running.assertNoClash(settings);
    const id = randomUUID();
    const now = this.#options.now();
    const workDirectory = this.#directoryOf(id);
    const streams: IncludedStream[] = [];
    let recording: ArchiveRecording;
    try {
      recording = createRecording({
        archiveId: id,
        settings,
        source,
        workDirectory,
        selection: selectionOf(settings.streamMode, streams),
        createdAt: now,
        ...(this.#options.ffmpegPath ? { ffmpegPath: this.#options.ffmpegPath } : {}),
        individual: this.#individual,
      });
    } catch (error) {
      throw new RecordingError('INTERNAL', (error as Error).message, { cause: error });
    }
    const running = new RunningArchive({
      id,
      project,
      settings,
      source,
      recording,
      workDirectory,
      automatic,
      startedAt: now,
      limits: this.#limits,
      timers: this.#timers,
      now: this.#options.now,
      streams,
      handlers: {
        publishersChanged: (archive, publishing) => this.#publishersChanged(archive, publishing),
        autoStop: (archive, reason) => void this.#autoStop(archive, reason),
        failed: (archive, reason) => void this.#fail(archive, reason),
      },
    });
    this.#running.add(running);
    const record: ArchiveRecord = {
      id,
      applicationId: project.applicationId,
      sessionId: settings.sessionId,
      status: 'started',
      createdAt: now,
      updatedAt: now,
      data: newArchiveData(settings, automatic) as unknown as Record<string, unknown>,
    };
    this.#records.keep(record);
    try {
      // The record exists before anything is on disk, so recovery always finds what a crash left.
      await this.#options.store.archives.put(record);
    } catch (error) {
      this.#running.discard(id);
      this.#records.forget(id);
      throw error;
    }
    this.#records.emit(project, record);
    this.#running.notify(settings.sessionId);
    recording.onFailed((reason) => void this.#fail(running, reason));
    running.started = recording.start().catch((error: unknown) => {
      void this.#fail(running, error instanceof Error ? error.message : String(error));
    });
    running.attach();
    if (!running.publishing) this.#publishersChanged(running, false);
    this.#options.logger.info({ archiveId: id, sessionId: settings.sessionId, automatic }, 'Archive started');
    return record;
  }

  #publishersChanged(running: RunningArchive, publishing: boolean): void {
    const record = this.#records.cached(running.id);
    if (!record || running.ended) return;
    const status = publishing ? 'started' : 'paused';
    if (record.status === status) return;
    void this.#records
      .write(record, { status }, {})
      .catch((error: unknown) => this.#logWriteError(running.id, error));
  }

  async #autoStop(running: RunningArchive, reason: AutoStopReason): Promise<void> {
    await this.#stopRunning(running, reason);
    // An automatic archive that reached the maximum duration continues in a new one (Vonage's rollover).
    if (running.automatic && reason === 'maximum duration exceeded') await this.#automatic.rollOver(running);
  }

  /** Stops a running archive now; its file is finished in the background ({@link settled} waits). */
  async #stopRunning(running: RunningArchive, reason: string): Promise<ArchiveRecord> {
    const record = this.#records.cached(running.id);
    if (running.ended || !record) return record ?? this.get(running.project, running.id);
    running.ended = true;
    running.detach();
    this.#running.remove(running);
    const duration = Math.round(running.recordedMs() / 1000);
    const stopped = await this.#records.write(
      record,
      { status: 'stopped' },
      { reason, duration, streams: [] },
    );
    void this.#finishing.track(
      running.id,
      this.#finish(running.project, stopped, async () => {
        await running.started;
        await running.recording.stop();
        return running.recording.finish();
      }),
    );
    this.#options.logger.info({ archiveId: running.id, reason, duration }, 'Archive stopped');
    return stopped;
  }

  async #fail(running: RunningArchive, reason: string): Promise<void> {
    const record = this.#records.cached(running.id);
    if (running.ended || !record) return;
    running.ended = true;
    running.detach();
    running.recording.kill();
    this.#running.remove(running);
    this.#options.logger.error({ archiveId: running.id, reason }, 'Archive failed');
    const duration = Math.round(running.recordedMs() / 1000);
    await this.#records
      .write(record, { status: 'failed' }, { reason: `failure: ${reason}`, duration, streams: [] })
      .catch((error: unknown) => this.#logWriteError(running.id, error));
    await rm(running.workDirectory, { recursive: true, force: true }).catch(() => undefined);
    this.#records.forget(running.id);
  }

  /** Produces and stores the file of a stopped archive; `available`/`uploaded`, or `failed`. */
  #finish(
    project: ProjectRecord,
    stopped: ArchiveRecord,
    produce: () => Promise<FinishedRecording | null>,
  ): Promise<void> {
    const { files, logger } = this.#options;
    const context = { files, logger, records: this.#records, directory: this.#directoryOf(stopped.id) };
    return finishArchive(context, project, stopped, produce);
  }

  #logWriteError(archiveId: string, error: unknown): void {
    this.#options.logger.error({ err: error, archiveId }, 'Could not record an archive change');
  }
}
