/**
 * Wires recording into the app: the archive file store (local directory, signed download links, uploads to
 * projects' S3/Azure targets), the archive manager (composed MP4 and individual ZIP archives) and the
 * broadcast manager (HLS and RTMP), on the live media of the realtime layer. Records interrupted by a
 * crash are recovered when the app becomes ready; a graceful close finishes every running recording so
 * nothing recorded is lost.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ResourceModule } from '../http/context.js';
import { archiveDownloadResource } from '../http/routes/archive-download.js';
import { archivesResource } from '../http/routes/archives.js';
import { broadcastsResource } from '../http/routes/broadcasts.js';
import { type ArchiveLimits, ArchiveManager } from './archives/index.js';
import { BroadcastManager } from './broadcasts/index.js';
import { ArchiveFiles } from './storage/index.js';

/** Recording options of the app. */
export interface RecordingOptions {
  /**
   * Where archive files, broadcast files and recording work files go. Default: a fresh temporary
   * directory removed when the app closes (tests; `startServer` passes `<dataDir>/recordings`).
   */
  directory?: string;
  /** The ffmpeg executable (ffprobe is looked up beside it). Default `ffmpeg` on PATH. */
  ffmpegPath?: string;
  /** Automatic-stop limits of archives; Vonage's by default. */
  archiveLimits?: Partial<ArchiveLimits>;
}

/** What {@link installRecording} needs from the app. */
export interface InstallRecordingOptions {
  /** The server's public origin (no trailing slash), for download links and HLS URLs. */
  publicUrl: () => string;
  options?: RecordingOptions;
}

/** The installed recording services. */
export interface Recording {
  readonly archives: ArchiveManager;
  readonly broadcasts: BroadcastManager;
  readonly files: ArchiveFiles;
  /** The root directory in use. */
  readonly directory: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Archives and broadcasts. */
    recording: Recording;
  }
}

/**
 * Installs recording on an app whose realtime layer is installed; call before the spec routes are
 * registered and pass on the resources.
 */
export async function installRecording(
  app: FastifyInstance,
  install: InstallRecordingOptions,
): Promise<ResourceModule[]> {
  const options = install.options ?? {};
  const { store, events, now, secrets, archiveStorageClient } = app.parley;
  const temporary = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'parley-recordings-')));
  const ffmpegPath = options.ffmpegPath;
  const files = new ArchiveFiles({
    directory: join(directory, 'archives'),
    signingSecret: secrets.deriveKey('archive-download-links'),
    baseUrl: install.publicUrl,
    now,
    storageClient: archiveStorageClient,
    secrets,
  });
  const archives = new ArchiveManager({
    store,
    events,
    mediaSources: app.realtime.mediaSources,
    notifier: app.realtime.archiveNotifier,
    files,
    workDirectory: join(directory, 'work', 'archives'),
    now,
    logger: app.log,
    ...(ffmpegPath ? { ffmpegPath } : {}),
    ...(options.archiveLimits ? { limits: options.archiveLimits } : {}),
  });
  const broadcasts = new BroadcastManager({
    store,
    events,
    mediaSources: app.realtime.mediaSources,
    workDirectory: join(directory, 'broadcasts'),
    hlsBaseUrl: install.publicUrl,
    now,
    logger: app.log,
    ...(ffmpegPath ? { ffmpegPath } : {}),
  });
  app.decorate('recording', { archives, broadcasts, files, directory });
  app.addHook('onReady', async () => {
    // Before any request: a record left `started` by a crash is finished from what is on disk.
    await archives.recover();
    await broadcasts.recover();
  });
  app.addHook('preClose', async () => {
    await Promise.all([archives.close(), broadcasts.close()]);
    if (temporary) await rm(directory, { recursive: true, force: true });
  });
  return [archivesResource(archives), archiveDownloadResource(files), broadcastsResource(broadcasts)];
}
