/**
 * Errors of client-token verification. The realtime layer maps `reason` to its own refusal codes, and the
 * message always names the claim or part of the token that failed, so a developer can fix the minting side.
 */

/** Why a client token was refused. */
export type ClientTokenErrorReason =
  /** Not a JWT or `T1==` token, undecodable, or a required claim is missing or of the wrong type. */
  | 'malformed'
  /** The JWT header names an algorithm other than RS256 or HS256 (including `none`). */
  | 'unsupported-algorithm'
  /** The signature does not verify with the project's key. */
  | 'bad-signature'
  /** The token expired (beyond the allowed clock skew). */
  | 'expired'
  /** The token's `iat`/`nbf`/`create_time` is in the future (beyond the allowed clock skew). */
  | 'not-yet-valid'
  /** No project matches the token's application ID, API key or partner ID. */
  | 'unknown-project'
  /** The project exists but is suspended. */
  | 'project-suspended'
  /** `scope` is not `session.connect`, or `ist` is not `project` (e.g. a REST or account token). */
  | 'wrong-scope'
  /** `role` is not one of publisher, subscriber, moderator, publisheronly. */
  | 'invalid-role'
  /** The expiry is more than 30 days after issue. */
  | 'expiry-too-long'
  /** Connection data longer than 1000 characters. */
  | 'data-too-long'
  /** The initial layout class list is longer than 1000 characters. */
  | 'layout-classes-too-long'
  /** The token's session is not a session of the token's project. */
  | 'session-mismatch';

/** A client token that was refused; `reason` says why. */
export class ClientTokenError extends Error {
  override readonly name = 'ClientTokenError';

  constructor(
    readonly reason: ClientTokenErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
