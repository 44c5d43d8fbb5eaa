/**
 * Recording in the call: the indicator everyone sees while the session is recorded, and the moderator's
 * "Start recording" / "Stop recording" button. Both follow the client SDK's `archiveStarted` and
 * `archiveStopped` events (which also announce an archive already running when someone joins), so
 * everyone sees the same state whoever started the recording; the button's own answers only fill the gap
 * until the event arrives.
 */
import { type JoinGrant, startArchive, stopArchive } from './api.js';
import { byId } from './dom.js';

/** How recording reports to the page. */
export interface RecordingHooks {
  status(text: string): void;
  error(error: unknown): void;
}

/** The recording indicator and control of one page. */
export class RecordingControl {
  readonly #hooks: RecordingHooks;
  readonly #indicator = byId('recording-indicator', HTMLElement);
  readonly #button = byId('toggle-recording', HTMLButtonElement);
  readonly #note = byId('recording-note', HTMLParagraphElement);
  /** Archives recording the session: ID → name. */
  readonly #recording = new Map<string, string>();
  /** Archives known to have stopped, so a late answer to "start" cannot bring one back. */
  readonly #stopped = new Set<string>();
  #sessionId: string | null = null;
  #pending: 'starting' | 'stopping' | null = null;

  constructor(hooks: RecordingHooks) {
    this.#hooks = hooks;
    this.#button.addEventListener('click', () => void this.#toggle());
  }

  /** Shows the control for a joined call: moderators of routed sessions may record. */
  attach(grant: Pick<JoinGrant, 'sessionId' | 'role' | 'mediaMode'>): void {
    this.#reset();
    this.#sessionId = grant.sessionId;
    const moderator = grant.role === 'moderator';
    const routed = grant.mediaMode === 'routed';
    this.#button.hidden = !moderator || !routed;
    this.#note.hidden = routed;
    this.#note.textContent = routed
      ? ''
      : 'This session is relayed (peer to peer), so it cannot be recorded: recordings are made from the ' +
        "media that passes through the server's SFU. To record, start a new session with " +
        '"Routed: through the server\'s SFU" as its media.';
    this.#render();
  }

  /** Hides everything (the call ended). */
  detach(): void {
    this.#reset();
    this.#sessionId = null;
    this.#button.hidden = true;
    this.#note.hidden = true;
    this.#render();
  }

  /** An archive started recording the session (`archiveStarted`). */
  started(archiveId: string, name: string): void {
    if (this.#stopped.has(archiveId)) return;
    this.#recording.set(archiveId, name);
    this.#render();
  }

  /** An archive stopped (`archiveStopped`). */
  stopped(archiveId: string): void {
    this.#stopped.add(archiveId);
    this.#recording.delete(archiveId);
    this.#render();
  }

  /** Whether the session is being recorded, as far as this page knows. */
  get recording(): boolean {
    return this.#recording.size > 0;
  }

  #reset(): void {
    this.#recording.clear();
    this.#stopped.clear();
    this.#pending = null;
  }

  async #toggle(): Promise<void> {
    const sessionId = this.#sessionId;
    if (!sessionId || this.#pending) return;
    const stopping = this.recording;
    this.#pending = stopping ? 'stopping' : 'starting';
    this.#render();
    try {
      if (stopping) {
        // Normally one archive; stop every one the session has, so "Stop" means the recording ends.
        const ids = [...this.#recording.keys()];
        await Promise.all(ids.map((id) => stopArchive(sessionId, id)));
        if (sessionId === this.#sessionId) for (const id of ids) this.stopped(id);
      } else {
        const archive = await startArchive(sessionId);
        if (sessionId === this.#sessionId) this.started(archive.id, archive.name ?? '');
      }
    } catch (error) {
      this.#hooks.error(error);
    } finally {
      if (sessionId === this.#sessionId) {
        this.#pending = null;
        this.#render();
      }
    }
  }

  #render(): void {
    const recording = this.recording;
    this.#indicator.hidden = !recording;
    const button = this.#button;
    // aria-disabled rather than disabled: a disabled button drops the keyboard focus.
    button.setAttribute('aria-disabled', String(this.#pending !== null));
    if (this.#pending === 'starting') button.textContent = 'Starting recording…';
    else if (this.#pending === 'stopping') button.textContent = 'Stopping recording…';
    else button.textContent = recording ? 'Stop recording' : 'Start recording';
    button.classList.toggle('danger', recording);
  }
}
