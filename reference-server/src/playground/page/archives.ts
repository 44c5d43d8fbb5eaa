/** The session's recordings, from the playground's archives endpoint. */
import { listArchives } from './api.js';
import { byId, el } from './dom.js';
import { describeError } from './messages.js';

/** Shows the archives of the current session, refreshed on demand and when a recording starts or stops. */
export class ArchiveList {
  readonly #status = byId('archives-status', HTMLParagraphElement);
  readonly #list = byId('archives', HTMLUListElement);
  readonly #refresh = byId('refresh-archives', HTMLButtonElement);
  #sessionId: string | null = null;

  constructor() {
    this.#refresh.addEventListener('click', () => {
      void this.refresh();
    });
  }

  show(sessionId: string | null): void {
    this.#sessionId = sessionId;
    this.#list.replaceChildren();
    this.#status.textContent = '';
    if (sessionId) void this.refresh();
  }

  async refresh(): Promise<void> {
    const sessionId = this.#sessionId;
    if (!sessionId) return;
    this.#status.textContent = 'Loading recordings…';
    try {
      const listing = await listArchives(sessionId);
      if (sessionId !== this.#sessionId) return;
      this.#refresh.hidden = !listing.available;
      if (!listing.available) {
        this.#list.replaceChildren();
        this.#status.textContent = listing.reason;
        return;
      }
      this.#status.textContent =
        listing.archives.length === 0
          ? 'No recordings of this session yet.'
          : `${listing.archives.length} recording(s).`;
      this.#list.replaceChildren(
        ...listing.archives.map((archive) => {
          const title = `${archive.name ?? archive.id} — ${archive.status}, ${archive.duration} s`;
          return el(
            'li',
            {},
            archive.url
              ? el('a', { text: title, attrs: { href: archive.url } })
              : el('span', { text: title }),
          );
        }),
      );
    } catch (error) {
      this.#status.textContent = `Could not list the recordings: ${describeError(error)}`;
    }
  }
}
