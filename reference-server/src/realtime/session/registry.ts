/**
 * The registry of live sessions: one {@link LiveSession} per session ID that has connections (or sticky
 * state such as force-mute), created on first use and dropped when idle. Every session's events are
 * emitted here, so consumers subscribe once.
 */
import { TypedEmitter } from '@parley/events';
import type { MediaBridge } from '../media/types.js';
import type { LiveSessionEvents } from './events.js';
import { LiveSession, type SessionProject } from './live-session.js';
import type { MediaMode } from './types.js';

/** Options of {@link LiveSessionRegistry}. */
export interface LiveSessionRegistryOptions {
  /** The address server messages come from. Must start with `symphony.` (OpenTok.js hides such senders). */
  serverAddress?: string;
  /** The most connections one session accepts. Default 3000. */
  maxConnectionsPerSession?: number;
  /** Builds a session's media bridge from its media mode. */
  createMedia: (session: LiveSession) => MediaBridge;
  now?: () => number;
}

/** What identifies a session when it is first used. */
export interface SessionDescriptor {
  sessionId: string;
  project: SessionProject;
  mediaMode: MediaMode;
  e2ee: boolean;
}

/** The default server address. */
export const DEFAULT_SERVER_ADDRESS = 'symphony.parley';

/** All live sessions of this server. */
export class LiveSessionRegistry extends TypedEmitter<LiveSessionEvents> {
  readonly serverAddress: string;
  readonly #sessions = new Map<string, LiveSession>();
  readonly #options: LiveSessionRegistryOptions;

  constructor(options: LiveSessionRegistryOptions) {
    super();
    this.#options = options;
    this.serverAddress = options.serverAddress ?? DEFAULT_SERVER_ADDRESS;
    // Drop idle sessions once everything has seen their last event.
    this.on('sessionEnded', (session) => this.release(session));
  }

  /** The live session, or undefined when nothing is happening in it. */
  get(sessionId: string): LiveSession | undefined {
    return this.#sessions.get(sessionId);
  }

  /** The live session, created when it does not exist yet. */
  open(descriptor: SessionDescriptor): LiveSession {
    let session = this.#sessions.get(descriptor.sessionId);
    if (!session) {
      session = new LiveSession({
        ...descriptor,
        serverAddress: this.serverAddress,
        maxConnections: this.#options.maxConnectionsPerSession ?? 3000,
        events: this,
        createMedia: this.#options.createMedia,
        now: this.#options.now,
      });
      this.#sessions.set(descriptor.sessionId, session);
    }
    return session;
  }

  /** Forgets a session when it is idle (no connections, no force-mute). */
  release(session: LiveSession): void {
    if (session.idle && this.#sessions.get(session.sessionId) === session) {
      this.#sessions.delete(session.sessionId);
      session.media.close();
    }
  }

  /** Every live session. */
  get sessions(): readonly LiveSession[] {
    return [...this.#sessions.values()];
  }

  /**
   * Ends every live session of a project (suspended or deleted): each connection ends with
   * `forceDisconnected` and its socket closes; sticky state such as force-mute is dropped. Returns how
   * many sessions ended.
   */
  closeProject(applicationId: string): number {
    let ended = 0;
    for (const session of [...this.#sessions.values()]) {
      if (session.project.applicationId !== applicationId) continue;
      session.close();
      this.#sessions.delete(session.sessionId);
      ended++;
    }
    return ended;
  }

  /** Ends every session (server shutdown). */
  close(): void {
    for (const session of [...this.#sessions.values()]) {
      session.close();
      this.#sessions.delete(session.sessionId);
    }
  }
}
