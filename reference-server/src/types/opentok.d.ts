/**
 * The part of the official `opentok` package (a dev dependency, used by tests to prove compatibility)
 * that our tests call. The package ships no types and `@types/opentok` describes an older version
 * without the T1 switch on `generateToken`, so we declare what we use here.
 */
declare module 'opentok' {
  namespace OpenTok {
    /** Options of `generateToken`. */
    interface TokenOptions {
      role?: 'publisher' | 'subscriber' | 'moderator' | 'publisheronly';
      data?: string;
      /** Expiry, Unix seconds. */
      expireTime?: number;
      initialLayoutClassList?: string[];
    }
  }

  class OpenTok {
    /**
     * `apiKey`/`apiSecret` for the legacy mode; an application ID and a PEM private key switch the SDK to
     * Vonage mode (RS256 tokens).
     */
    constructor(apiKey: string, apiSecret: string, options?: string | { apiUrl?: string; timeout?: number });
    /** Mints a client token: a JWT, or a legacy `T1==` token when `generateT1Token` is true. */
    generateToken(sessionId: string, options?: OpenTok.TokenOptions, generateT1Token?: boolean): string;
  }

  export = OpenTok;
}
