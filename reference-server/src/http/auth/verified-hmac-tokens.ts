/**
 * HS256 REST tokens this server has already verified, so that a token sent again is not parsed and
 * HMAC'd again. The `opentok` SDKs mint a fresh `X-OPENTOK-AUTH` JWT for every request, but its claims
 * are `iss`, `ist`, `iat` and `exp` in whole seconds and HS256 is deterministic: every request a server
 * sends within one second carries the same token. Parsing and the HMAC were the largest cost of an
 * authenticated request (≈ 35–45 µs of ≈ 190 under load, `bench/PROFILE.md`, third round).
 *
 * What is remembered, and why it changes nothing a client can observe:
 * - only the facts "these exact bytes are a well-formed JWS whose HMAC-SHA256 under this exact secret
 *   matches": the secret is kept with the entry and compared with the project's current secret on every
 *   use, so a rotated secret (or a deleted project) stops the token at once, as recomputing would;
 * - everything that depends on time or state still runs on every request: the time claims (`exp`, `nbf`,
 *   `iat`), the project lookup, the issuer and `ist` checks, the project-ownership check;
 * - tokens with a `jti` are never remembered: they are single-use, and their claim is recorded in the
 *   store on every request anyway;
 * - the parsed token is frozen (it is shared between requests), size is bounded (entries and token length).
 */
import type { ParsedJwt } from './compact-jws.js';

/** Entries kept at most; past it the oldest is dropped. */
const MAX_ENTRIES = 1024;
/** Longer tokens are never remembered (an SDK's are ≈ 150–250 characters). */
const MAX_TOKEN_LENGTH = 2048;

/** A token verified under `secret`. */
export interface VerifiedHmacToken {
  readonly jwt: Readonly<ParsedJwt>;
  readonly secret: string;
}

/** Verified HS256 tokens by their exact text. */
export class VerifiedHmacTokens {
  readonly #entries = new Map<string, VerifiedHmacToken>();
  readonly #maxEntries: number;

  constructor(maxEntries = MAX_ENTRIES) {
    this.#maxEntries = maxEntries;
  }

  /** How many tokens are remembered. */
  get size(): number {
    return this.#entries.size;
  }

  /** The earlier verification of exactly `token`, if any. The caller must still compare the secret. */
  get(token: string): VerifiedHmacToken | undefined {
    return this.#entries.get(token);
  }

  /**
   * Remembers that `jwt` (parsed from `token`) carries a valid HS256 signature under `secret`. Call only
   * after the signature was checked; tokens with a `jti` are refused here.
   */
  remember(token: string, jwt: ParsedJwt, secret: string): void {
    if (token.length > MAX_TOKEN_LENGTH || jwt.claims.jti !== undefined) return;
    if (this.#entries.size >= this.#maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    Object.freeze(jwt.claims);
    this.#entries.set(token, Object.freeze({ jwt: Object.freeze(jwt), secret }));
  }

  /** Forgets `token` (its secret no longer matches). */
  forget(token: string): void {
    this.#entries.delete(token);
  }
}
