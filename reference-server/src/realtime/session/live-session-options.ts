/**
 * What a live session is made from: its project and the options its registry passes in. Kept apart from
 * {@link LiveSession} so the shapes its creators fill in can be read (and imported) without the class.
 */
import type { TypedEmitter } from '@parley/events';
import type { MediaBridge } from '../media/types.js';
import type { LiveSessionEvents } from './events.js';
import type { LiveSession } from './live-session.js';
import type { MediaMode } from './types.js';

/** The project a live session belongs to. */
export interface SessionProject {
  applicationId: string;
  apiKey: string;
}

/** What a live session needs from its registry. */
export interface LiveSessionOptions {
  sessionId: string;
  project: SessionProject;
  mediaMode: MediaMode;
  /** Whether the session is end-to-end encrypted (publishers must agree). */
  e2ee: boolean;
  /** The address server messages come from (`symphony.…`). */
  serverAddress: string;
  maxConnections: number;
  events: TypedEmitter<LiveSessionEvents>;
  /** Builds the media bridge (relayed relay or routed SFU) for this session. */
  createMedia: (session: LiveSession) => MediaBridge;
  now?: () => number;
}
