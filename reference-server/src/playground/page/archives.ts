/**
 * The session's recordings, from the playground's archives endpoint: each with its status, duration and,
 * once `available`, a download link (the API's signed, time-limited `url`). After a recording stops the
 * list is polled until the archive is processed, since the file takes a moment to be finished.
 */
import { type ArchiveSummary, listArchives } from './api.js';
import { byId, el } from './dom.js';
import { describeError } from './messages.js';

/** How often, and for how long, the list is polled while an archive is being processed. */
const POLL_INTERVAL_MS = 1000;
const POLL_FOR_MS = 2 * 60 * 1000;

/** Statuses after which an archive no longer changes on its own (until it expires or is deleted). */
const SETTLED = new Set(['available', 'failed', 'uploaded', 'expired', 'deleted']);

/** What each status means to the person reading the list. */
const STATUS_TEXT: Record<string, string> = {
  started: 'recording',
  paused: 'paused (nobody is publishing)',
  stopped: 'processing…',
  available: 'available',
  uploaded: "uploaded to the project's storage",
  failed: 'failed',
  expired: 'expired',
  deleted: 'deleted',
};

/** Shows the archives of the current session, refreshed on demand and when a recording starts or stops. */
export class ArchiveList {
  readonly #status = byId('archives-status', HTMLParagraphElement);
  readonly #list = byId('archives', HTMLUListElement);
  readonly #refresh = byId('refresh-archives', HTMLButtonElement);
  #sessionId: string | null = null;
  /** Archives that stopped and are awaited until they settle. */
  readonly #awaited = new Set<string>();
  #pollUntil = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** Numbers the requests, so a slow answer never overwrites a newer one. */
  #request = 0;
  #shown = 0;

  readonly #settled: (archive: ArchiveSummary) => void;

  /** @param settled Called once for each awaited archive when it settles (ready, failed, uploaded). */
  constructor(settled: (archive: ArchiveSummary) => void = () => {}) {
    this.#settled = settled;
    this.#refresh.addEventListener('click', () => {
      void this.refresh();
    });
  }

  /** Shows the recordings of `sessionId` (null: none, the call ended). */
  show(sessionId: string | null): void {
    this.#sessionId = sessionId;
    this.#awaited.clear();
    this.#stopPolling();
    this.#list.replaceChildren();
    this.#setStatus('');
    if (sessionId) {
      this.#setStatus('Loading recordings…');
      void this.refresh();
    }
  }

  /** A recording of the session stopped: refresh now, and until its file is ready. */
  watch(archiveId: string): void {
    this.#awaited.add(archiveId);
    this.#pollUntil = Date.now() + POLL_FOR_MS;
    void this.refresh();
  }

  /** Reloads the list. */
  async refresh(): Promise<void> {
    const sessionId = this.#sessionId;
    if (!sessionId) return;
    const request = ++this.#request;
    try {
      const listing = await listArchives(sessionId);
      if (sessionId !== this.#sessionId || request < this.#shown) return;
      this.#shown = request;
      this.#refresh.hidden = !listing.available;
      if (!listing.available) {
        this.#list.replaceChildren();
        this.#setStatus(listing.reason);
        return;
      }
      this.#render(listing.archives);
      this.#schedule(listing.archives);
    } catch (error) {
      if (sessionId !== this.#sessionId) return;
      this.#setStatus(`Could not list the recordings: ${describeError(error)}`);
      this.#schedule([]);
    }
  }

  #render(archives: ArchiveSummary[]): void {
    const processing = archives.filter((archive) => archive.status === 'stopped').length;
    const count = archives.length === 1 ? '1 recording' : `${archives.length} recordings`;
    this.#setStatus(
      archives.length === 0
        ? 'No recordings of this session yet.'
        : processing > 0
          ? `${count}; processing ${processing === 1 ? 'one' : processing}…`
          : `${count}.`,
    );
    this.#list.replaceChildren(...archives.map(item));
  }

  /** Polls again while an awaited archive (or any being processed) has not settled. */
  #schedule(archives: ArchiveSummary[]): void {
    this.#stopPolling();
    const listed = new Map(archives.map((archive) => [archive.id, archive]));
    for (const id of this.#awaited) {
      const archive = listed.get(id);
      if (archive && SETTLED.has(archive.status)) {
        this.#awaited.delete(id);
        this.#settled(archive);
      }
    }
    const processing = archives.some((archive) => archive.status === 'stopped');
    if ((this.#awaited.size === 0 && !processing) || Date.now() > this.#pollUntil) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.refresh();
    }, POLL_INTERVAL_MS);
  }

  #stopPolling(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Sets the status line only when it changes, so screen readers do not hear every poll. */
  #setStatus(text: string): void {
    if (this.#status.textContent !== text) this.#status.textContent = text;
  }
}

/** One archive of the list: its name, status and duration, and its download link when available. */
function item(archive: ArchiveSummary): HTMLLIElement {
  const started = new Date(archive.createdAt).toLocaleTimeString();
  const title = archive.name ?? `Recording of ${started}`;
  const status = STATUS_TEXT[archive.status] ?? archive.status;
  const details = [status];
  if (archive.duration > 0) details.push(formatDuration(archive.duration));
  if (archive.status === 'failed' && archive.reason) details.push(archive.reason);
  const entry = el(
    'li',
    { className: 'archive', attrs: { 'data-archive-id': archive.id, 'data-status': archive.status } },
    el('strong', { text: title }),
    el('span', { className: 'meta', text: details.join(' · ') }),
  );
  if (archive.status === 'available' && archive.url) {
    entry.append(
      el('a', {
        text: 'Download MP4',
        attrs: { href: archive.url, download: `${archive.id}.mp4`, 'aria-label': `Download ${title} (MP4)` },
      }),
    );
  }
  return entry;
}

/** `42 s`, `3 min 05 s`. */
function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}
