/**
 * The {@link ArchiveNotifier} of the realtime layer: tells the clients of a session which archives record
 * it, the way OpenTok.js expects. An archive that starts is announced with `created` on
 * `…/archive/{id}` (`archiveStarted`), one that stops with `updated` and `status: stopped`
 * (`archiveStopped`); the recording archives are in the `archive` array of the session state a joining
 * client receives, so it fires `archiveStarted` for each.
 *
 * The set is kept per session ID here, not only in the live session: an archive keeps recording for a
 * while after the last client left (and the live session was dropped), and a client joining then must
 * still see it.
 */
import type { ActiveArchive, ArchiveNotifier } from '../../recording/media-source.js';
import type { LiveSession } from '../session/live-session.js';
import type { LiveSessionRegistry } from '../session/registry.js';
import type { LiveArchive } from '../session/types.js';

/** See the file comment. */
export class LiveArchiveNotifier implements ArchiveNotifier {
  readonly #registry: LiveSessionRegistry;
  /** The recording archives of each session that has any, in start order. */
  readonly #active = new Map<string, LiveArchive[]>();
  readonly #onSessionStarted = (session: LiveSession): void => {
    // Runs before the joining client's session state is built: it must list what records the session.
    session.restoreArchives(this.#active.get(session.sessionId) ?? []);
  };

  constructor(registry: LiveSessionRegistry) {
    this.#registry = registry;
    registry.on('sessionStarted', this.#onSessionStarted);
  }

  archivesChanged(sessionId: string, active: readonly ActiveArchive[]): void {
    const previous = this.#active.get(sessionId) ?? [];
    const next = active.map(
      (archive): LiveArchive => ({ id: archive.id, name: archive.name ?? '', status: 'started' }),
    );
    if (next.length > 0) this.#active.set(sessionId, next);
    else this.#active.delete(sessionId);

    const session = this.#registry.get(sessionId);
    if (!session) return;
    const nextIds = new Set(next.map((archive) => archive.id));
    const previousIds = new Set(previous.map((archive) => archive.id));
    for (const archive of previous) {
      if (!nextIds.has(archive.id)) session.setArchive({ ...archive, status: 'stopped' });
    }
    for (const archive of next) {
      if (!previousIds.has(archive.id)) session.setArchive(archive);
    }
  }

  /** The archives recording a session now, as clients see them. */
  activeArchives(sessionId: string): readonly LiveArchive[] {
    return this.#active.get(sessionId) ?? [];
  }

  /** Stops following the registry. */
  close(): void {
    this.#registry.off('sessionStarted', this.#onSessionStarted);
  }
}
