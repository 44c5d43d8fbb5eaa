/**
 * The request checks that every service joining a session as a client (Audio Connector, SIP call) starts
 * with: the session must be one of the calling project's, and the client token in the body must admit
 * to it. Each service names its own error for a bad token (Vonage gives the Audio Connector and SIP
 * different codes), so the caller says which.
 */
import { ApiError, type ErrorName } from '../http/errors.js';
import { AdmissionError, admitClient } from '../realtime/access.js';
import type { ProjectRecord, SessionRecord, Store } from '../store/types.js';
import type { VerifiedClientToken } from '../tokens/client-token.js';

/**
 * Loads `sessionId` as a session of `project`.
 *
 * @throws ApiError `SESSION_NOT_FOUND` when no session has that ID, or it belongs to another project
 *   (another project's sessions are reported as missing, never as forbidden).
 */
export async function projectSession(
  store: Store,
  project: Pick<ProjectRecord, 'applicationId'>,
  sessionId: string,
): Promise<SessionRecord> {
  const record = await store.sessions.get(sessionId);
  if (!record || record.applicationId !== project.applicationId) {
    throw new ApiError('SESSION_NOT_FOUND', `Session ${sessionId} was not found`);
  }
  return record;
}

/** The error a service answers a refused token with, and the start of its message. */
export interface TokenRefusal {
  error: ErrorName;
  /** Followed by `: ` and what was wrong with the token. */
  message: string;
}

/**
 * Verifies the client token (`request.token`) a service joins `request.sessionId` with.
 *
 * @param refusal - The service's own error for a refused token; its message is followed by the
 *   {@link AdmissionError} detail (bad signature, expired, another session, suspended project…).
 * @throws ApiError `refusal.error` when the token does not admit to the session; other failures (the
 *   store failing) are rethrown as they are.
 */
export async function admitServiceToken(
  store: Store,
  request: { token: string; sessionId: string },
  now: number,
  refusal: TokenRefusal,
): Promise<VerifiedClientToken> {
  try {
    return (await admitClient(store, request.token, request.sessionId, now)).token;
  } catch (error) {
    if (error instanceof AdmissionError)
      throw new ApiError(refusal.error, `${refusal.message}: ${error.detail}`);
    throw error;
  }
}
