/**
 * The broadcast manager: starts, lists, changes and stops the live-streaming broadcasts of every
 * project, keeps their records in the store, sends the `broadcastStatus` webhook on every status change
 * (`started`, `stopped`, `failed`; output status changes alone send none), and serves the HLS files.
 *
 * A running broadcast is a {@link LiveBroadcast} (the composer and its outputs) plus its record. Its
 * lifecycle is `started` → `stopped`: stopped through the API, at `maxDuration`, `idleStopMs` after the
 * last client left (Vonage: 60 s), when the composer fails for good (webhook `failed`), when the server
 * shuts down ({@link BroadcastManager.close}) or — found at the next start-up — when the server crashed
 * ({@link BroadcastManager.recover}, webhook `failed`).
 *
 * HLS files stay downloadable for `hlsRetentionMs` after the broadcast stops (default one hour), with
 * the playlist ended by `#EXT-X-ENDLIST`; a DVR playlist still holds every segment since the start, a
 * sliding-window playlist its last window. Then the broadcast's directory is deleted (checked once a
 * minute and at start-up). RTMP-only broadcasts keep no files.
 */

import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import type { ProjectEvents } from '../../projects/project-events.js';
import type { BroadcastRecord, ProjectRecord, Store } from '../../store/types.js';
import { killProcessesMentioning } from '../compositor/process-census.js';
import { RecordingError } from '../errors.js';
import type { Layout, LayoutType } from '../layouts.js';
import type { MediaSourceProvider } from '../media-source.js';
import { markStopped, retainFiles } from './broadcast-ending.js';
import { applyStreamsChange, assertNoTagClash, initialBroadcastData } from './broadcast-rules.js';
import { broadcastData, broadcastStatusEvent, broadcastView } from './broadcast-view.js';
import {
  broadcastPaths,
  endPlaylist,
  findHlsFile,
  type HlsFile,
  readHlsFile,
  writeMeta,
} from './hls-files.js';
import { HlsRetention } from './hls-retention.js';
import { LiveBroadcast } from './live-broadcast.js';
import { normalizeLayout, normalizeStartParams } from './settings.js';
import type {
  BroadcastData,
  BroadcastList,
  BroadcastStartParams,
  BroadcastStreamsChange,
  BroadcastView,
  StopReason,
} from './types.js';

/** The logging the manager does; a pino logger fits. */
export interface BroadcastLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Options of {@link BroadcastManager}. */
export interface BroadcastManagerOptions {
  store: Store;
  /** Where `broadcastStatus` webhooks go. */
  events: Pick<ProjectEvents, 'emit'>;
  /** The live media of sessions. */
  mediaSources: MediaSourceProvider;
  /** The root of the broadcasts' directories (HLS files, composer files). Created if missing. */
  workDirectory: string;
  /** The server's public origin (`https://video.example.com`), for `broadcastUrls.hls`. */
  hlsBaseUrl: () => string;
  /** The clock of records and retention, ms since the epoch. Default `Date.now`. */
  now?: () => number;
  ffmpegPath?: string;
  logger?: BroadcastLogger;
  /** How long a broadcast runs with no client connected before it stops, ms. Default 60 000 (Vonage). */
  idleStopMs?: number;
  /** The timer length for a `maxDuration` in seconds. Default `seconds × 1000`; tests shorten it. */
  maxDurationMs?: (seconds: number) => number;
  /** How long HLS files stay downloadable after a broadcast stops, ms. Default one hour. */
  hlsRetentionMs?: number;
  /** How often output statuses are checked, ms. Default 500. */
  statusPollMs?: number;
}

/** A running broadcast. */
interface RunningBroadcast {
  record: BroadcastRecord;
  data: BroadcastData;
  live: LiveBroadcast;
  /** Set once the broadcast is stopping; resolves when it has stopped. */
  stopping: Promise<void> | null;
}

const NO_LOGGER: BroadcastLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** See the file comment. */
export class BroadcastManager {
  readonly #options: BroadcastManagerOptions;
  readonly #now: () => number;
  readonly #logger: BroadcastLogger;
  readonly #running = new Map<string, RunningBroadcast>();
  readonly #retention: HlsRetention;
  #closed = false;

  constructor(options: BroadcastManagerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? NO_LOGGER;
    this.#retention = new HlsRetention({
      workDirectory: options.workDirectory,
      retentionMs: this.hlsRetentionMs,
      now: this.#now,
      logger: this.#logger,
    });
  }

  /** How long HLS files are kept after a broadcast stops, ms. */
  get hlsRetentionMs(): number {
    return this.#options.hlsRetentionMs ?? 3_600_000;
  }

  /** The number of broadcasts running on this server. */
  get runningCount(): number {
    return this.#running.size;
  }

  /**
   * Starts a broadcast of one of `project`'s sessions. `params` is the request body, already validated
   * against the spec. Throws a {@link RecordingError}: 400 for invalid settings, 404 when the session
   * does not exist or nobody is connected, 409 when it is relayed, end-to-end encrypted, or already
   * broadcast without a distinct `multiBroadcastTag`.
   */
  async start(project: ProjectRecord, params: BroadcastStartParams): Promise<BroadcastView> {
    this.#assertOpen();
    const settings = normalizeStartParams(params);
    const session = await this.#options.store.sessions.get(settings.sessionId);
    if (!session || session.applicationId !== project.applicationId) {
      throw new RecordingError('SESSION_NOT_FOUND', `Session ${settings.sessionId} was not found`);
    }
    if (session.mediaMode === 'relayed') {
      throw new RecordingError(
        'SESSION_RELAYED',
        'The session is relayed (it does not use the media router), so it cannot be broadcast',
      );
    }
    if (session.e2ee) {
      throw new RecordingError(
        'SESSION_E2EE',
        'The session uses end-to-end encryption: the server cannot decode its media, so it cannot be broadcast',
      );
    }
    const source = this.#options.mediaSources.get(session.sessionId);
    if (!source || source.connectionCount() === 0) throw new RecordingError('NO_CLIENTS');
    assertNoTagClash(this.#running.values(), session.sessionId, settings.multiBroadcastTag);
    // From here to the map insertion nothing awaits, so two racing starts cannot both pass the check.
    const id = randomUUID();
    const now = this.#now();
    const data = initialBroadcastData(settings);
    const record: BroadcastRecord = {
      id,
      applicationId: project.applicationId,
      sessionId: session.sessionId,
      status: 'started',
      createdAt: now,
      updatedAt: now,
      data: data as unknown as Record<string, unknown>,
    };
    const paths = broadcastPaths(this.#options.workDirectory, id);
    const live = new LiveBroadcast({
      sessionId: session.sessionId,
      data,
      source,
      mediaSources: this.#options.mediaSources,
      paths,
      layout: settings.layout,
      idleStopMs: this.#options.idleStopMs ?? 60_000,
      maxDurationMs: (this.#options.maxDurationMs ?? ((s: number) => s * 1000))(settings.maxDuration),
      statusPollMs: this.#options.statusPollMs ?? 500,
      ...(this.#options.ffmpegPath ? { ffmpegPath: this.#options.ffmpegPath } : {}),
    });
    const entry: RunningBroadcast = { record, data, live, stopping: null };
    this.#running.set(id, entry);
    try {
      await mkdir(data.hls ? paths.hls : paths.probe, { recursive: true });
      await writeMeta(this.#options.workDirectory, {
        id,
        applicationId: project.applicationId,
        stoppedAt: null,
      });
      await this.#options.store.broadcasts.put(record);
    } catch (error) {
      this.#running.delete(id);
      await rm(paths.directory, { recursive: true, force: true });
      throw new RecordingError('INTERNAL', 'The broadcast could not be prepared', { cause: error });
    }
    live.on('outputsChanged', () => void this.#saveQuietly(entry));
    live.on('stopNeeded', (reason, detail) => {
      this.#logger.info({ broadcastId: id, reason, detail }, 'Stopping a broadcast automatically');
      void this.#finish(entry, reason);
    });
    this.#emitStatus(record, 'started');
    try {
      await live.start();
    } catch (error) {
      await this.#finish(entry, 'failed');
      throw new RecordingError('INTERNAL', 'The broadcast composer could not be started', { cause: error });
    }
    this.#logger.info({ broadcastId: id, sessionId: session.sessionId }, 'Broadcast started');
    return broadcastView(record, project.apiKey, this.#options.hlsBaseUrl());
  }

  /** One broadcast of `project`. Throws `BROADCAST_NOT_FOUND`. */
  async get(project: ProjectRecord, broadcastId: string): Promise<BroadcastView> {
    return broadcastView(
      await this.#record(project, broadcastId),
      project.apiKey,
      this.#options.hlsBaseUrl(),
    );
  }

  /** A page of `project`'s broadcasts, newest first, optionally of one session. */
  async list(
    project: ProjectRecord,
    query: { offset: number; count: number; sessionId?: string },
  ): Promise<BroadcastList> {
    const page = await this.#options.store.broadcasts.list(project.applicationId, {
      offset: query.offset,
      count: query.count,
      ...(query.sessionId !== undefined ? { sessionId: query.sessionId } : {}),
    });
    const baseUrl = this.#options.hlsBaseUrl();
    return {
      count: page.total,
      // A running broadcast's record in memory may be a status poll ahead of the stored one.
      items: page.items.map((item) =>
        broadcastView(this.#running.get(item.id)?.record ?? item, project.apiKey, baseUrl),
      ),
    };
  }

  /**
   * Stops a broadcast and returns it, `stopped`, once its outputs are closed and the HLS playlist is
   * ended. Throws `BROADCAST_NOT_FOUND`, or `BROADCAST_ALREADY_STOPPED` when it has already stopped.
   */
  async stop(project: ProjectRecord, broadcastId: string): Promise<BroadcastView> {
    const entry = this.#running.get(broadcastId);
    if (!entry || entry.record.applicationId !== project.applicationId || entry.stopping) {
      await this.#record(project, broadcastId); // 404 when it does not exist
      throw new RecordingError('BROADCAST_ALREADY_STOPPED', `Broadcast ${broadcastId} has already stopped`);
    }
    await this.#finish(entry, 'api');
    return broadcastView(entry.record, project.apiKey, this.#options.hlsBaseUrl());
  }

  /** Changes the layout of a running broadcast. */
  async setLayout(project: ProjectRecord, broadcastId: string, layout: Layout | LayoutType): Promise<void> {
    const normalized = normalizeLayout(layout, 'body');
    const entry = await this.#runningEntry(project, broadcastId);
    entry.live.setLayout(normalized);
  }

  /** Adds a stream to (or changes its tracks in), or removes it from, a `manual` broadcast. */
  async updateStreams(
    project: ProjectRecord,
    broadcastId: string,
    change: BroadcastStreamsChange,
  ): Promise<void> {
    const record = await this.#record(project, broadcastId);
    if (broadcastData(record).streamMode === 'auto') throw new RecordingError('BROADCAST_STREAM_MODE_AUTO');
    const entry = await this.#runningEntry(project, broadcastId);
    const streams = entry.data.streams;
    applyStreamsChange(streams, change, (streamId) => entry.live.hasStream(streamId));
    entry.live.setStreams(streams);
    await this.#save(entry);
  }

  /**
   * An HLS file of a broadcast, for `getHlsFile` (no credentials: HLS viewers are anonymous). Throws
   * `BROADCAST_NOT_FOUND` (no such broadcast with HLS on this server, or expired), `HLS_FILE_NOT_FOUND`.
   */
  async hlsFile(broadcastId: string, file: string): Promise<HlsFile & { body: Buffer }> {
    const found = await findHlsFile(this.#options.workDirectory, broadcastId, file);
    let body: Buffer;
    try {
      body = await readHlsFile(found);
    } catch {
      // Deleted between the check and the read (a segment leaving the sliding window).
      throw new RecordingError(
        'HLS_FILE_NOT_FOUND',
        `HLS file ${file} of broadcast ${broadcastId} was not found`,
      );
    }
    return { ...found, size: body.length, body };
  }

  /**
   * Run once at start-up, before serving: broadcasts still `started` in the store were cut off by a
   * crash. Each becomes `stopped` (webhook `failed`), its HLS playlist is ended so players stop
   * waiting, and its files are kept for the retention period. Then expired directories are deleted and
   * the periodic clean-up starts.
   */
  async recover(): Promise<void> {
    await mkdir(this.#options.workDirectory, { recursive: true });
    for (const record of await this.#options.store.broadcasts.listByStatus('started')) {
      if (this.#running.has(record.id)) continue;
      const data = broadcastData(record);
      const paths = broadcastPaths(this.#options.workDirectory, record.id);
      // The dead server's composer may still be writing the playlist (ffmpeg does not notice its parent
      // died): stop it before the playlist is closed.
      await killProcessesMentioning(paths.directory);
      if (data.hls) await endPlaylist(paths.hls).catch(() => false);
      markStopped(record, data, 'serverRestart', this.#now());
      if (data.hls) await retainFiles(this.#options.workDirectory, record, true).catch(() => undefined);
      else await retainFiles(this.#options.workDirectory, record, false);
      await this.#options.store.broadcasts.put(record);
      this.#logger.warn({ broadcastId: record.id }, 'A broadcast was cut off by a server restart');
      this.#emitStatus(record, 'failed');
    }
    await this.#retention.start();
  }

  /** Stops every running broadcast cleanly (webhook `stopped`) and the clean-up timer. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#retention.stop();
    await Promise.all([...this.#running.values()].map((entry) => this.#finish(entry, 'shutdown')));
  }

  /**
   * Kills every composer without ending anything and forgets the running broadcasts, as a crash
   * would: records stay `started` and playlists open until {@link recover} runs. For tests.
   */
  abort(): void {
    this.#closed = true;
    this.#retention.stop();
    for (const entry of this.#running.values()) entry.live.kill();
    this.#running.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw new RecordingError('INTERNAL', 'The broadcast manager is shut down');
  }

  async #record(project: ProjectRecord, broadcastId: string): Promise<BroadcastRecord> {
    const running = this.#running.get(broadcastId);
    if (running && running.record.applicationId === project.applicationId) return running.record;
    const record = await this.#options.store.broadcasts.get(project.applicationId, broadcastId);
    if (!record)
      throw new RecordingError('BROADCAST_NOT_FOUND', `No matching broadcast found: ${broadcastId}`);
    return record;
  }

  /** The running broadcast; `BROADCAST_NOT_FOUND` or `BROADCAST_STOPPED` otherwise. */
  async #runningEntry(project: ProjectRecord, broadcastId: string): Promise<RunningBroadcast> {
    const entry = this.#running.get(broadcastId);
    if (entry && entry.record.applicationId === project.applicationId && !entry.stopping) return entry;
    await this.#record(project, broadcastId);
    throw new RecordingError('BROADCAST_STOPPED', `Broadcast ${broadcastId} has stopped`);
  }

  async #save(entry: RunningBroadcast): Promise<void> {
    entry.record.updatedAt = this.#now();
    await this.#options.store.broadcasts.put(entry.record);
  }

  async #saveQuietly(entry: RunningBroadcast): Promise<void> {
    if (entry.stopping) return;
    await this.#save(entry).catch((error: unknown) => {
      this.#logger.error({ err: error, broadcastId: entry.record.id }, 'Could not store a broadcast');
    });
  }

  /** Stops a running broadcast: composer, playlist, record, webhook. Idempotent per broadcast. */
  #finish(entry: RunningBroadcast, reason: StopReason): Promise<void> {
    entry.stopping ??= this.#stopEntry(entry, reason);
    return entry.stopping;
  }

  async #stopEntry(entry: RunningBroadcast, reason: StopReason): Promise<void> {
    const { record, data, live } = entry;
    const paths = broadcastPaths(this.#options.workDirectory, record.id);
    const failed = reason === 'failed';
    try {
      await live.stop();
      if (data.hls) await endPlaylist(paths.hls);
    } catch (error) {
      this.#logger.error({ err: error, broadcastId: record.id }, 'A broadcast did not stop cleanly');
    }
    markStopped(record, data, reason, this.#now());
    try {
      await retainFiles(this.#options.workDirectory, record, data.hls !== undefined);
      await this.#options.store.broadcasts.put(record);
    } catch (error) {
      this.#logger.error({ err: error, broadcastId: record.id }, 'Could not store a stopped broadcast');
    } finally {
      this.#running.delete(record.id);
    }
    this.#logger.info({ broadcastId: record.id, reason }, 'Broadcast stopped');
    this.#emitStatus(record, failed ? 'failed' : 'stopped');
  }

  #emitStatus(record: BroadcastRecord, status: 'started' | 'stopped' | 'failed'): void {
    const timestamp = this.#now();
    // The record keeps changing while the project is looked up; the webhook shows it as it is now.
    const snapshot = structuredClone(record);
    void this.#options.store.projects
      .get(record.applicationId)
      .then((project) => {
        if (!project) return;
        const view = broadcastView(snapshot, project.apiKey, this.#options.hlsBaseUrl());
        this.#options.events.emit(project, 'broadcastStatus', broadcastStatusEvent(view, status, timestamp));
      })
      .catch((error: unknown) => {
        this.#logger.error({ err: error, broadcastId: record.id }, 'Could not send a broadcast webhook');
      });
  }
}
