/**
 * The transitions of a recording archive after the API's checks: begin (recorder created, record written
 * before anything is on disk, clients told), pause and resume as publishers come and go, stop (record
 * `stopped`, file finished in the background) and fail (recorder killed, record `failed`, files removed).
 * Kept apart from `ArchiveManager` because these run on the manager's behalf from several places —
 * API calls, a running archive's automatic stop, `archiveMode: always` — and must be the same each time.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArchiveRecord, ProjectRecord, Store } from '../../store/types.js';
import { RecordingError } from '../errors.js';
import type { MediaSourceProvider } from '../media-source.js';
import { type FinishingArchives, finishArchive } from './archive-finishing.js';
import type { ArchiveRecordWriter } from './archive-record-writer.js';
import { type ArchiveRecording, createRecording, type FinishedRecording } from './archive-recording.js';
import { newArchiveData } from './archive-rules.js';
import type { IncludedStream } from './archive-view.js';
import { type AutoStopReason, RunningArchive, selectionOf } from './running-archive.js';
import type { RunningArchives } from './running-archives.js';
import type {
  ArchiveFileStore,
  ArchiveLimits,
  ArchiveLogger,
  ArchiveSettings,
  ArchiveTimers,
  IndividualRecording,
} from './types.js';

/** Options of {@link ArchiveLifecycle}: the manager's collaborators and its shared state. */
export interface ArchiveLifecycleOptions {
  store: Store;
  mediaSources: MediaSourceProvider;
  files: ArchiveFileStore;
  /** Where recordings are written until they are finished (one sub-directory per archive). */
  workDirectory: string;
  now: () => number;
  ffmpegPath?: string;
  logger: ArchiveLogger;
  individual: IndividualRecording;
  limits: ArchiveLimits;
  timers: ArchiveTimers;
  running: RunningArchives;
  records: ArchiveRecordWriter;
  finishing: FinishingArchives;
  /** The current record of an archive (for a stop that comes after the archive already ended). */
  get(project: ProjectRecord, archiveId: string): Promise<ArchiveRecord>;
  /** Continues an automatic archive that reached the maximum duration in a new one. */
  rollOver(running: RunningArchive): Promise<void>;
}

/** See the file comment. */
export class ArchiveLifecycle {
  readonly #options: ArchiveLifecycleOptions;

  constructor(options: ArchiveLifecycleOptions) {
    this.#options = options;
  }

  /** The directory an archive's files are written to until they are finished. */
  directoryOf(archiveId: string): string {
    return join(this.#options.workDirectory, archiveId);
  }

  /** Registers and starts an archive. Everything between the checks and the registration is synchronous. */
  async begin(project: ProjectRecord, settings: ArchiveSettings, automatic: boolean): Promise<ArchiveRecord> {
    const { running: runningArchives, records } = this.#options;
    const source = this.#options.mediaSources.get(settings.sessionId);
    if (!source || source.connectionCount() === 0) {
      throw new RecordingError('NO_CLIENTS');
    }
    runningArchives.assertNoClash(settings);
    const id = randomUUID();
    const now = this.#options.now();
    const workDirectory = this.directoryOf(id);
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
        individual: this.#options.individual,
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
      limits: this.#options.limits,
      timers: this.#options.timers,
      now: this.#options.now,
      streams,
      handlers: {
        publishersChanged: (archive, publishing) => this.#publishersChanged(archive, publishing),
        autoStop: (archive, reason) => void this.#autoStop(archive, reason),
        failed: (archive, reason) => void this.#fail(archive, reason),
      },
    });
    runningArchives.add(running);
    const record: ArchiveRecord = {
      id,
      applicationId: project.applicationId,
      sessionId: settings.sessionId,
      status: 'started',
      createdAt: now,
      updatedAt: now,
      data: newArchiveData(settings, automatic) as unknown as Record<string, unknown>,
    };
    records.keep(record);
    try {
      // The record exists before anything is on disk, so recovery always finds what a crash left.
      await this.#options.store.archives.put(record);
    } catch (error) {
      runningArchives.discard(id);
      records.forget(id);
      throw error;
    }
    records.emit(project, record);
    runningArchives.notify(settings.sessionId);
    recording.onFailed((reason) => void this.#fail(running, reason));
    running.started = recording.start().catch((error: unknown) => {
      void this.#fail(running, error instanceof Error ? error.message : String(error));
    });
    running.attach();
    if (!running.publishing) this.#publishersChanged(running, false);
    this.#options.logger.info({ archiveId: id, sessionId: settings.sessionId, automatic }, 'Archive started');
    return record;
  }

  /** Stops a running archive now; its file is finished in the background (`settled` waits). */
  async stop(running: RunningArchive, reason: string): Promise<ArchiveRecord> {
    const { records } = this.#options;
    const record = records.cached(running.id);
    if (running.ended || !record) return record ?? this.#options.get(running.project, running.id);
    running.ended = true;
    running.detach();
    this.#options.running.remove(running);
    const duration = Math.round(running.recordedMs() / 1000);
    const stopped = await records.write(record, { status: 'stopped' }, { reason, duration, streams: [] });
    void this.#options.finishing.track(
      running.id,
      this.finish(running.project, stopped, async () => {
        await running.started;
        await running.recording.stop();
        return running.recording.finish();
      }),
    );
    this.#options.logger.info({ archiveId: running.id, reason, duration }, 'Archive stopped');
    return stopped;
  }

  /** Produces and stores the file of a stopped archive; `available`/`uploaded`, or `failed`. */
  finish(
    project: ProjectRecord,
    stopped: ArchiveRecord,
    produce: () => Promise<FinishedRecording | null>,
  ): Promise<void> {
    const { files, logger, records } = this.#options;
    const context = { files, logger, records, directory: this.directoryOf(stopped.id) };
    return finishArchive(context, project, stopped, produce);
  }

  #publishersChanged(running: RunningArchive, publishing: boolean): void {
    const record = this.#options.records.cached(running.id);
    if (!record || running.ended) return;
    const status = publishing ? 'started' : 'paused';
    if (record.status === status) return;
    void this.#options.records
      .write(record, { status }, {})
      .catch((error: unknown) => this.#logWriteError(running.id, error));
  }

  async #autoStop(running: RunningArchive, reason: AutoStopReason): Promise<void> {
    await this.stop(running, reason);
    // An automatic archive that reached the maximum duration continues in a new one (Vonage's rollover).
    if (running.automatic && reason === 'maximum duration exceeded') await this.#options.rollOver(running);
  }

  async #fail(running: RunningArchive, reason: string): Promise<void> {
    const { records } = this.#options;
    const record = records.cached(running.id);
    if (running.ended || !record) return;
    running.ended = true;
    running.detach();
    running.recording.kill();
    this.#options.running.remove(running);
    this.#options.logger.error({ archiveId: running.id, reason }, 'Archive failed');
    const duration = Math.round(running.recordedMs() / 1000);
    await records
      .write(record, { status: 'failed' }, { reason: `failure: ${reason}`, duration, streams: [] })
      .catch((error: unknown) => this.#logWriteError(running.id, error));
    await rm(running.workDirectory, { recursive: true, force: true }).catch(() => undefined);
    records.forget(running.id);
  }

  #logWriteError(archiveId: string, error: unknown): void {
    this.#options.logger.error({ err: error, archiveId }, 'Could not record an archive change');
  }
}
