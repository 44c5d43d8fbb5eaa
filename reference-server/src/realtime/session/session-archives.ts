/**
 * The archives recording one live session, as its clients see them. Kept apart from the session because
 * this state has its own source of truth (the recording side tells the session about every change) and
 * its own rule: a session (re)opened while archives already record it learns them silently, so joining
 * clients find them in their session state, while every later change is told to every client.
 */
import type { RaptorKey } from '@parley/protocol';
import type { ConnectionRoster } from './connection-roster.js';
import { archiveHash } from './hashes.js';
import type { LiveArchive } from './types.js';

/** What {@link SessionArchives} works with. */
export interface SessionArchivesContext {
  readonly roster: ConnectionRoster;
  /** The Raptor URI of a resource inside the session. */
  uri(...pairs: [RaptorKey, string][]): string;
}

/** The archives known to one live session; see the file comment. */
export class SessionArchives {
  readonly #archives = new Map<string, LiveArchive>();
  readonly #context: SessionArchivesContext;

  constructor(context: SessionArchivesContext) {
    this.#context = context;
  }

  /** The archives currently recording the session. */
  all(): LiveArchive[] {
    return [...this.#archives.values()];
  }

  /** Records an archive's state and tells every client (`archiveStarted` / `archiveStopped`). */
  set(archive: LiveArchive): void {
    const known = this.#archives.has(archive.id);
    if (archive.status === 'stopped') this.#archives.delete(archive.id);
    else this.#archives.set(archive.id, archive);
    this.#context.roster.broadcast({
      method: known || archive.status === 'stopped' ? 'updated' : 'created',
      uri: this.#context.uri(['archive', archive.id]),
      content: archiveHash(archive),
    });
  }

  /** Replaces the archives without telling anyone (see the file comment). */
  restore(archives: readonly LiveArchive[]): void {
    this.#archives.clear();
    for (const archive of archives) if (archive.status === 'started') this.#archives.set(archive.id, archive);
  }
}
