/** The participant list, with the moderator's actions on each other participant. */
import type { Capabilities, Connection, Stream } from '@parley/client';
import { actionButton, byId, el } from './dom.js';
import { displayName } from './names.js';

/** One participant as the list shows it. */
export interface ParticipantInfo {
  connection: Connection;
  self: boolean;
  streams: Stream[];
}

/** What the moderator buttons do. */
export interface ModeratorActions {
  muteStream(stream: Stream): Promise<void>;
  unpublish(stream: Stream): Promise<void>;
  disconnect(connection: Connection): Promise<void>;
}

/** Renders the list (re-rendered on every change: it is short). */
export class ParticipantList {
  readonly #list = byId('participants', HTMLUListElement);
  readonly #actions: ModeratorActions;

  constructor(actions: ModeratorActions) {
    this.#actions = actions;
  }

  render(participants: ParticipantInfo[], capabilities: Capabilities): void {
    this.#list.replaceChildren(...participants.map((participant) => this.#item(participant, capabilities)));
  }

  #item({ connection, self, streams }: ParticipantInfo, capabilities: Capabilities): HTMLLIElement {
    const name = displayName(connection);
    const what = streams.length === 0 ? 'not publishing' : streams.map(describeStream).join(', ');
    const item = el(
      'li',
      { className: 'participant', attrs: { 'data-connection-id': connection.connectionId } },
      el(
        'div',
        { className: 'who' },
        el('strong', { text: self ? `${name} (you)` : name }),
        el('span', { className: 'meta', text: what }),
      ),
    );
    if (self) return item;
    const actions = el('div', {
      className: 'actions',
      attrs: { role: 'group', 'aria-label': `Moderate ${name}` },
    });
    for (const stream of streams) {
      const label = stream.videoType === 'screen' ? 'screen' : 'camera';
      if (capabilities.forceMute && stream.hasAudio) {
        const muted = stream.videoType === 'screen' ? 'screen audio' : 'microphone';
        actions.append(
          actionButton('Mute', `Mute ${name}'s ${muted}`, () => this.#actions.muteStream(stream)),
        );
      }
      if (capabilities.forceUnpublish) {
        actions.append(
          actionButton(`Stop ${label}`, `Stop ${name}'s ${label}`, () => this.#actions.unpublish(stream)),
        );
      }
    }
    if (capabilities.forceDisconnect) {
      actions.append(
        actionButton('Remove', `Remove ${name} from the call`, () => this.#actions.disconnect(connection)),
      );
    }
    if (actions.childElementCount > 0) item.append(actions);
    return item;
  }
}

function describeStream(stream: Stream): string {
  const kind = stream.videoType === 'screen' ? 'screen' : 'camera';
  const parts = [stream.hasVideo ? kind : `${kind} off`];
  if (stream.videoType !== 'screen') parts.push(stream.hasAudio ? 'mic on' : 'muted');
  return parts.join(', ');
}
