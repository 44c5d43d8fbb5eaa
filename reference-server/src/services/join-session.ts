/**
 * How a server-side service (an Audio Connector, a SIP call) becomes a participant of a session: it opens
 * the live session (creating it when nobody is in it yet) and joins it as an in-process
 * {@link SessionClient} with a fresh connection ID. Shared so that every service cleans up and reports a
 * full session the same way.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../http/errors.js';
import { SignalingError } from '../realtime/errors.js';
import type { LiveSessionRegistry } from '../realtime/session/registry.js';
import type { ProjectRecord, SessionRecord } from '../store/types.js';
import type { VerifiedClientToken } from '../tokens/client-token.js';
import { SessionClient, type SessionClientOptions } from './audio-connector/session-client.js';

/** Options of {@link joinSessionAsService}. */
export interface ServiceJoinOptions {
  registry: LiveSessionRegistry;
  /** The project that owns the session. */
  project: Pick<ProjectRecord, 'applicationId' | 'apiKey'>;
  /** The stored session, already checked to belong to `project`. */
  session: Pick<SessionRecord, 'sessionId' | 'mediaMode' | 'e2ee'>;
  /** The verified client token the service joins with (role, connection data, layout classes). */
  token: VerifiedClientToken;
  /** Shown in logs as the connection's user agent, e.g. `Parley SIP <callId>`. */
  userAgent: string;
  now: () => number;
  /** Called once when the session ends the connection (force-disconnect, session closed). */
  onEnded: SessionClientOptions['onEnded'];
  /** Sees every message the session sends the client. */
  onMessage?: SessionClientOptions['onMessage'];
}

/**
 * Joins `options.session` as a new connection of a server-side service.
 *
 * When the join fails the live session is released again (so an otherwise empty session does not stay
 * open), and a full session becomes a 400 `INVALID_FIELD` naming `body.sessionId` — the request's
 * session cannot take another connection. Other errors are rethrown as they are.
 *
 * @returns The joined client; the caller leaves with {@link SessionClient.leave}.
 * @throws ApiError `INVALID_FIELD` when the session has reached its connection limit.
 */
export function joinSessionAsService(options: ServiceJoinOptions): SessionClient {
  const { registry, project, session: record } = options;
  const session = registry.open({
    sessionId: record.sessionId,
    project: { applicationId: project.applicationId, apiKey: project.apiKey },
    mediaMode: record.mediaMode,
    e2ee: record.e2ee,
  });
  try {
    return SessionClient.join({
      registry,
      session,
      connectionId: randomUUID(),
      token: options.token,
      userAgent: options.userAgent,
      now: options.now,
      onEnded: options.onEnded,
      onMessage: options.onMessage,
    });
  } catch (error) {
    registry.release(session);
    if (error instanceof SignalingError && error.errorName === 'CONNECTION_LIMIT') {
      throw new ApiError(
        'INVALID_FIELD',
        `body.sessionId: session ${record.sessionId} has reached its connection limit`,
      );
    }
    throw error;
  }
}
