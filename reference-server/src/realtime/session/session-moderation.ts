/**
 * Force-mute in one live session: the session-wide state (on, with the streams it excludes) and the
 * streams whose audio a moderator muted. Kept apart from the session because the rule spans a stream's
 * whole life — muted on entry while the session is force-muted, muted now when a moderator asks, and
 * free again only once its own publisher turns the audio back on — and the media bridge must follow it.
 */
import type { RaptorKey } from '@parley/protocol';
import type { MediaBridge } from '../media/types.js';
import type { ConnectionRoster } from './connection-roster.js';
import type { MuteState } from './events.js';
import type { StreamRegistry } from './stream-registry.js';
import type { LiveConnection, LiveStream, OutboundMessage } from './types.js';

/** What {@link SessionModeration} works with: the session's parts, its addresses and its event. */
export interface SessionModerationContext {
  readonly roster: ConnectionRoster;
  readonly streams: StreamRegistry;
  readonly media: MediaBridge;
  /** The Raptor URI of the session or of a resource inside it. */
  uri(...pairs: [RaptorKey, string][]): string;
  /** Reports a change of the session-wide state (`muteChanged`). */
  muteChanged(state: MuteState): void;
}

/** The force-mute state of one live session; see the file comment. */
export class SessionModeration {
  readonly #context: SessionModerationContext;
  #mute: MuteState = { active: false, excludedStreamIds: [] };
  /** Streams whose audio a moderator force-muted and whose publisher has not re-enabled it since. */
  readonly #audioForceMuted = new Set<string>();

  constructor(context: SessionModerationContext) {
    this.#context = context;
  }

  /** The session-wide force-mute state. */
  get state(): MuteState {
    return this.#mute;
  }

  /** Whether a new stream must start muted (the session is force-muted and the stream not excluded). */
  mutesOnEntry(streamId: string): boolean {
    return this.#mute.active && !this.#mute.excludedStreamIds.includes(streamId);
  }

  /**
   * Force-mutes one stream's audio: its publisher gets `muteForced` and mutes, and the media bridge stops
   * the audio (routed) until the publisher re-enables it with a channel update (`active: true`).
   */
  forceMuteStream(streamId: string): boolean {
    const { streams, media, roster } = this.#context;
    const stream = streams.get(streamId);
    if (!stream) return false;
    this.#audioForceMuted.add(stream.id);
    media.audioForceMuted(stream, true);
    roster.sendTo(stream.connectionId, {
      method: 'update',
      uri: this.#context.uri(['stream', stream.id]),
      content: { reason: 'mute', active: true, channels: ['audio'] },
    });
    return true;
  }

  /**
   * Turns the session's force-mute on (muting every stream not excluded, now and on entry) or off (later
   * streams are no longer muted; muted ones stay muted). `requester` (a moderator's connection) is not
   * told about its own request.
   */
  setMuteAll(active: boolean, excludedStreamIds: readonly string[], requester?: LiveConnection): void {
    this.#mute = { active, excludedStreamIds: active ? [...new Set(excludedStreamIds)] : [] };
    const message: OutboundMessage = {
      method: 'update',
      uri: this.#context.uri(),
      content: { reason: 'mute', active },
    };
    this.#context.roster.broadcast(message, requester);
    if (active) {
      for (const stream of this.#context.streams.announced()) {
        if (this.mutesOnEntry(stream.id)) this.forceMuteStream(stream.id);
      }
    }
    this.#context.muteChanged(this.#mute);
  }

  /** The publisher turned the stream's audio back on: a forced mute is over and media may flow again. */
  audioReenabled(stream: LiveStream): void {
    if (this.#audioForceMuted.delete(stream.id)) this.#context.media.audioForceMuted(stream, false);
  }

  /** Forgets an ended stream. */
  streamRemoved(streamId: string): void {
    this.#audioForceMuted.delete(streamId);
  }
}
