/**
 * Authentication of REST calls. Each attempt of each request gets a freshly signed JWT with a new
 * `jti`: servers accept a `jti` once, so a retry must never replay the first attempt's token. Signing is
 * synchronous (`core/jwt.ts`), so adding the header costs no extra turn of the event loop.
 */
import { randomUUID } from 'node:crypto';
import { nowSeconds, signJwt } from './jwt.js';
import type { HmacSigningKey, RsaSigningKey } from './keys.js';

/** Produces the authentication headers of one request attempt. */
export interface Authenticator {
  /** Which scheme this is, for logs and errors. */
  readonly scheme: 'vonageJwt' | 'opentokJwt' | 'accountJwt' | 'none';
  /** Adds this attempt's authentication header(s) to `headers`. */
  apply(headers: Record<string, string>): void;
}

/** Default lifetime of REST JWTs, in seconds. Each token is used once, so it can be short. */
export const DEFAULT_REST_TOKEN_TTL_SECONDS = 300;

/** `Authorization: Bearer <RS256 JWT>` with the application's private key (the Vonage style). */
export class VonageJwtAuthenticator implements Authenticator {
  readonly scheme = 'vonageJwt';

  constructor(
    private readonly applicationId: string,
    private readonly key: RsaSigningKey,
    private readonly ttlSeconds = DEFAULT_REST_TOKEN_TTL_SECONDS,
  ) {}

  apply(headers: Record<string, string>): void {
    const iat = nowSeconds();
    const jwt = signJwt(
      { application_id: this.applicationId, iat, exp: iat + this.ttlSeconds, jti: randomUUID() },
      this.key,
    );
    headers.authorization = `Bearer ${jwt}`;
  }
}

/**
 * `X-OPENTOK-AUTH: <HS256 JWT>` with an API secret (the legacy OpenTok style). `ist` is `project` for
 * a project's key and secret, `account` for the account-level key and secret of project management.
 */
export class OpenTokJwtAuthenticator implements Authenticator {
  readonly scheme: 'opentokJwt' | 'accountJwt';

  constructor(
    private readonly issuer: string,
    private readonly key: HmacSigningKey,
    private readonly issuerType: 'project' | 'account',
    private readonly ttlSeconds = DEFAULT_REST_TOKEN_TTL_SECONDS,
  ) {
    this.scheme = issuerType === 'project' ? 'opentokJwt' : 'accountJwt';
  }

  apply(headers: Record<string, string>): void {
    const iat = nowSeconds();
    headers['x-opentok-auth'] = signJwt(
      { iss: this.issuer, ist: this.issuerType, iat, exp: iat + this.ttlSeconds, jti: randomUUID() },
      this.key,
    );
  }
}
