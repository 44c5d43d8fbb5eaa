/**
 * Client tokens, minted locally with the client's credentials (no request is made).
 */
import type { ClientTokenOptions } from '../lib/token-options.js';
import type { ClientTokenMinter } from '../lib/tokens.js';

/** Mint client tokens. */
export class Tokens {
  readonly #minter: ClientTokenMinter;

  /** @internal Created by the client. */
  constructor(minter: ClientTokenMinter) {
    this.#minter = minter;
  }

  /**
   * Mints a client token for one session: a Vonage RS256 JWT with application credentials, a legacy
   * HS256 JWT with an API key and secret, or a `T1==` token with `format: 'T1'`. Role defaults to
   * `publisher`, expiry to 24 hours (at most 30 days).
   *
   * @example
   * const token = await video.tokens.generate(sessionId, { role: 'moderator', data: 'name=Alice' });
   */
  generate(sessionId: string, options?: ClientTokenOptions): Promise<string> {
    return this.#minter.generate(sessionId, options);
  }

  /** The same token as {@link generate}, minted synchronously (for code written against the official SDKs). */
  generateSync(sessionId: string, options?: ClientTokenOptions): string {
    return this.#minter.generateSync(sessionId, options);
  }
}
