/**
 * The archives recording on this server, and the clients' view of them: whenever the set of archives
 * recording a session changes, the session's clients are told (`archiveStarted` / `archiveStopped`
 * through the {@link ArchiveNotifier}).
 */
import type { ArchiveNotifier } from '../media-source.js';
import { assertNoClash } from './archive-rules.js';
import type { RunningArchive } from './running-archive.js';
import type { ArchiveLogger, ArchiveSettings } from './types.js';

/** See the file comment. */
export class RunningArchives {
  readonly #running = new Map<string, RunningArchive>();
  readonly #notifier: ArchiveNotifier;
  readonly #logger: ArchiveLogger;

  constructor(notifier: ArchiveNotifier, logger: ArchiveLogger) {
    this.#notifier = notifier;
    this.#logger = logger;
  }

  /** The recording archive with this ID. */
  get(archiveId: string): RunningArchive | undefined {
    return this.#running.get(archiveId);
  }

  /** Whether the archive records now. */
  has(archiveId: string): boolean {
    return this.#running.has(archiveId);
  }

  /** Every recording archive. */
  all(): RunningArchive[] {
    return [...this.#running.values()];
  }

  /** The archives recording `sessionId`, oldest first. */
  inSession(sessionId: string): RunningArchive[] {
    return this.all().filter((r) => r.settings.sessionId === sessionId);
  }

  /** Whether the automatic archive of an `archiveMode: always` session records now. */
  hasAutomatic(sessionId: string): boolean {
    return this.inSession(sessionId).some((r) => r.automatic);
  }

  /** Throws when an archive with `settings` would clash with one recording (see `assertNoClash`). */
  assertNoClash(settings: ArchiveSettings): void {
    assertNoClash(this.#running.values(), settings);
  }

  /** Registers a starting archive; the clients are told once its record exists ({@link notify}). */
  add(running: RunningArchive): void {
    this.#running.set(running.id, running);
  }

  /** Unregisters an archive whose start failed before anyone was told about it. */
  discard(archiveId: string): void {
    this.#running.delete(archiveId);
  }

  /** Unregisters an archive that stopped or failed, and tells its session's clients. */
  remove(running: RunningArchive): void {
    this.#running.delete(running.id);
    this.notify(running.settings.sessionId);
  }

  /** Forgets every archive without telling anyone (a crash, see `ArchiveManager.abort`). */
  clear(): void {
    this.#running.clear();
  }

  /** Tells the clients of `sessionId` which archives record it now. */
  notify(sessionId: string): void {
    const active = this.inSession(sessionId).map((r) => ({
      id: r.id,
      name: r.settings.name === '' ? null : r.settings.name,
    }));
    try {
      this.#notifier.archivesChanged(sessionId, active);
    } catch (error) {
      this.#logger.warn({ err: error, sessionId }, 'Could not notify the clients of an archive change');
    }
  }
}
