/**
 * Authentication of REST calls. Each attempt of each request gets a freshly signed JWT with a new
 * `jti`: servers accept a `jti` once, so a retry must never replay the first attempt's token.
 */
import { randomUUID } from 'node:crypto';
import { nowSeconds, signJwt } from './jwt.js';
import type { HmacSigningKey, RsaSigningKey } from './keys.js';

/** Produces the authentication headers of one request attempt. */
export interface Authenticator {
  /** Which scheme this is, for logs and errors. */
  readonly scheme: 'vonageJwt' | 'opentokJwt' | 'accountJwt' | 'none';
  /** Headers to add to one attempt. */
  headers(): Promise<Record<string, string>>;
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

  async headers(): Promise<Record<string, string>> {
    const iat = nowSeconds();
    const jwt = await signJwt(
      { application_id: this.applicationId, iat, exp: iat + this.ttlSeconds, jti: randomUUID() },
      this.key,
    );
    return { authorization: `Bearer ${jwt}` };
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

  async headers(): Promise<Record<string, string>> {
    const iat = nowSeconds();
    const jwt = await signJwt(
      { iss: this.issuer, ist: this.issuerType, iat, exp: iat + this.ttlSeconds, jti: randomUUID() },
      this.key,
    );
    return { 'x-opentok-auth': jwt };
  }
}
