/**
 * Admission of a client to a session: the token check done twice, at session info (anvil) and again at
 * connection create, where the connection really starts. Every client-supplied value is untrusted: the
 * token must verify, name this session, and the session must exist in the token's active project.
 */
import type { ProjectRecord, SessionRecord, Store } from '../store/types.js';
import { ClientTokenError, type VerifiedClientToken, verifyClientToken } from '../tokens/client-token.js';

/** A client the token admits to a session. */
export interface AdmittedClient {
  project: ProjectRecord;
  session: SessionRecord;
  token: VerifiedClientToken;
}

/** Why a client was refused. */
export type AdmissionFailure =
  /** No token, or not in any of the three formats. */
  | 'malformed-token'
  /** Wrong signature, expired, not yet valid, unknown project, bad claims. */
  | 'invalid-token'
  /** The token is for another session or project. */
  | 'wrong-session'
  /** The session does not exist (in the token's project). */
  | 'unknown-session'
  /** The project is suspended. */
  | 'suspended';

/** The status and message of each failure, as session info reports them (spec: `getSessionInfo`). */
const FAILURES: Record<AdmissionFailure, { status: 403 | 404 | 409; message: string }> = {
  'malformed-token': { status: 403, message: 'Invalid token format' },
  'invalid-token': { status: 403, message: 'Invalid token' },
  'wrong-session': { status: 403, message: 'Token does not match the session' },
  'unknown-session': { status: 404, message: 'Session not found' },
  suspended: { status: 409, message: 'Project is suspended' },
};

/** A refused client. `status` is what session info reports; `message` is the public reason. */
export class AdmissionError extends Error {
  override readonly name = 'AdmissionError';
  readonly status: 403 | 404 | 409;
  /** What exactly was wrong (for logs; may name the failing claim). */
  readonly detail: string;

  constructor(
    readonly failure: AdmissionFailure,
    detail?: string,
  ) {
    super(FAILURES[failure].message);
    this.status = FAILURES[failure].status;
    this.detail = detail ?? this.message;
  }
}

/** Verifies `token` for `sessionId`. Throws {@link AdmissionError}. */
export async function admitClient(
  store: Store,
  token: string | undefined,
  sessionId: string,
  now: number = Date.now(),
): Promise<AdmittedClient> {
  if (!token) throw new AdmissionError('malformed-token', 'No token was sent');
  let verified: VerifiedClientToken;
  try {
    verified = await verifyClientToken(token, (id) => store.projects.get(id), { now });
  } catch (error) {
    if (!(error instanceof ClientTokenError)) throw error;
    if (error.reason === 'malformed') throw new AdmissionError('malformed-token', error.message);
    if (error.reason === 'project-suspended') throw new AdmissionError('suspended', error.message);
    if (error.reason === 'session-mismatch') throw new AdmissionError('wrong-session', error.message);
    throw new AdmissionError('invalid-token', error.message);
  }
  if (verified.sessionId !== sessionId)
    throw new AdmissionError('wrong-session', 'The token is for another session');
  const project = await store.projects.get(verified.applicationId);
  if (!project) throw new AdmissionError('invalid-token', 'The token names an unknown project');
  if (project.status !== 'ACTIVE') throw new AdmissionError('suspended');
  const session = await store.sessions.get(sessionId);
  if (!session) throw new AdmissionError('unknown-session', `Session ${sessionId} does not exist`);
  if (session.applicationId !== project.applicationId) {
    throw new AdmissionError('wrong-session', 'The session belongs to another project');
  }
  return { project, session, token: verified };
}
