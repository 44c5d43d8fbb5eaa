/** The chat: signals of type `chat` to everyone in the session, listed as they arrive. */
import type { Session, SignalEvent } from '@parley/client';
import { byId, el } from './dom.js';
import { displayName } from './names.js';

/** Longest chat message, in characters (signals allow 8192; a chat line needs far less). */
export const MAX_CHAT_LENGTH = 1000;

/** Wires the chat form and log to a session. */
export class Chat {
  readonly #log = byId('chat-log', HTMLOListElement);
  readonly #form = byId('chat-form', HTMLFormElement);
  readonly #input = byId('chat-input', HTMLInputElement);
  #session: Session | null = null;

  constructor(onError: (error: unknown) => void) {
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = this.#input.value.trim();
      if (text === '' || !this.#session) return;
      this.#session
        .signal({ type: 'chat', data: text.slice(0, MAX_CHAT_LENGTH) })
        .then(() => {
          this.#input.value = '';
        })
        .catch(onError);
    });
  }

  /** Listens to `session`'s chat signals (the sender's own messages come back too). */
  attach(session: Session): void {
    this.#session = session;
    this.#log.replaceChildren();
    session.on('signal:chat', (event: SignalEvent) => this.#append(event));
  }

  detach(): void {
    this.#session = null;
  }

  #append(event: SignalEvent): void {
    const own = event.from !== null && event.from.connectionId === this.#session?.connection?.connectionId;
    const now = new Date();
    this.#log.append(
      el(
        'li',
        {},
        el('span', { className: 'from', text: own ? 'You' : displayName(event.from) }),
        document.createTextNode(`: ${event.data}`),
        el('time', {
          text: now.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
          attrs: { datetime: now.toISOString() },
        }),
      ),
    );
    this.#log.scrollTop = this.#log.scrollHeight;
  }
}
