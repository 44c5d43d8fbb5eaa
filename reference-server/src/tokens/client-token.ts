/**
 * Verification of the tokens clients present to join a session, shared by the REST layer and the
 * realtime gateway. Three formats are accepted (spec: info › *Client tokens*): Vonage JWT (RS256),
 * legacy JWT (HS256) and legacy `T1==` (HMAC-SHA1), tolerating the claim-name differences between the
 * official SDKs. The caller still compares `sessionId` with the session being joined.
 *
 * @example
 * ```ts
 * const verified = await verifyClientToken(token, (id) => store.projects.get(id));
 * if (verified.sessionId !== joiningSessionId) refuse();
 * ```
 */
import type { ProjectRecord } from '../store/types.js';
import { ClientTokenError } from './errors.js';
import { verifyJwtToken } from './jwt-token.js';
import { T1_PREFIX, verifyT1Token } from './t1-token.js';
import { applyTokenRules, type VerifiedClientToken } from './token-rules.js';

export { ClientTokenError, type ClientTokenErrorReason } from './errors.js';
export {
  MAX_CONNECTION_DATA_LENGTH,
  MAX_LAYOUT_CLASS_LIST_LENGTH,
  MAX_TOKEN_LIFETIME_SECONDS,
  type VerifiedClientToken,
} from './token-rules.js';

/** Allowed clock skew on `iat`, `nbf` and `exp` unless told otherwise, in seconds. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

/** Options of {@link verifyClientToken}. */
export interface VerifyClientTokenOptions {
  /** The current time, ms since the Unix epoch. Default `Date.now()`. */
  now?: number;
  /** Allowed clock skew, in seconds. Default {@link DEFAULT_CLOCK_TOLERANCE_SECONDS}. */
  clockToleranceSec?: number;
}

/**
 * Verifies a client token and returns what it grants. `resolveProject` finds a project by application ID
 * or API key (`store.projects.get` fits). Throws {@link ClientTokenError} with a `reason` when the token is
 * refused.
 */
export async function verifyClientToken(
  token: string,
  resolveProject: (idOrKey: string) => Promise<ProjectRecord | null>,
  options: VerifyClientTokenOptions = {},
): Promise<VerifiedClientToken> {
  if (typeof token !== 'string' || token.trim() === '') {
    throw new ClientTokenError('malformed', 'The token is empty');
  }
  const clock = {
    now: options.now ?? Date.now(),
    toleranceSec: options.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
  };
  const trimmed = token.trim();
  const { project, fields } = trimmed.startsWith(T1_PREFIX)
    ? await verifyT1Token(trimmed, resolveProject)
    : await verifyJwtToken(trimmed, resolveProject);
  return applyTokenRules(fields, project, clock);
}
