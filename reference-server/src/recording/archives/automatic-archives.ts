/**
 * `archiveMode: always`: a session with that mode is recorded as soon as it has a client on this
 * server (the provider's `sourceOpened`), with the session's `archiveName` and `archiveResolution`, and
 * an automatic archive that reaches the maximum duration continues in a new one (Vonage's rollover).
 */
import type { ProjectRecord, Store } from '../../store/types.js';
import type { MediaSource, MediaSourceProvider } from '../media-source.js';
import { assertRecordable, automaticSettings } from './archive-rules.js';
import type { RunningArchive } from './running-archive.js';
import type { RunningArchives } from './running-archives.js';
import type { ArchiveLogger, ArchiveSettings } from './types.js';

/** Options of {@link AutomaticArchives}. */
export interface AutomaticArchivesOptions {
  store: Store;
  mediaSources: MediaSourceProvider;
  running: RunningArchives;
  logger: ArchiveLogger;
  /** Starts an automatic archive (the manager's own start, without the API's checks). */
  begin(project: ProjectRecord, settings: ArchiveSettings): Promise<unknown>;
}

/** See the file comment. */
export class AutomaticArchives {
  readonly #options: AutomaticArchivesOptions;
  /** Sessions whose automatic archive is being started (a second `sourceOpened` must not start another). */
  readonly #starting = new Set<string>();
  #closed = false;
  readonly #onSourceOpened = (source: MediaSource): void => {
    void this.start(source).catch((error: unknown) => {
      this.#options.logger.error(
        { err: error, sessionId: source.sessionId },
        'Could not start the automatic archive',
      );
    });
  };

  constructor(options: AutomaticArchivesOptions) {
    this.#options = options;
    options.mediaSources.on('sourceOpened', this.#onSourceOpened);
  }

  /** Starts the automatic archive of the source's session, if it has `archiveMode: always` and none runs. */
  async start(source: MediaSource): Promise<void> {
    if (this.#closed || this.#starting.has(source.sessionId)) return;
    if (this.#options.running.hasAutomatic(source.sessionId)) return;
    this.#starting.add(source.sessionId);
    try {
      const session = await this.#options.store.sessions.get(source.sessionId);
      if (session?.archiveMode !== 'always') return;
      const project = await this.#options.store.projects.get(session.applicationId);
      if (!project) return;
      assertRecordable(session);
      await this.#options.begin(project, automaticSettings(session));
    } finally {
      this.#starting.delete(source.sessionId);
    }
  }

  /** Continues an automatic archive that stopped at the maximum duration in a new one. */
  async rollOver(stopped: RunningArchive): Promise<void> {
    if (this.#closed) return;
    await this.start(stopped.source).catch((error: unknown) => {
      this.#options.logger.warn({ err: error, archiveId: stopped.id }, 'Could not roll the archive over');
    });
  }

  /** Starts nothing any more. */
  close(): void {
    this.#closed = true;
    this.#options.mediaSources.off('sourceOpened', this.#onSourceOpened);
  }
}
