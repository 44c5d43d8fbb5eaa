/**
 * Client tokens, minted locally: no request is made. Three formats, all accepted by every server:
 *
 * 1. **Vonage JWT (RS256)**, signed with the application's private key (application credentials).
 * 2. **Legacy JWT (HS256)**, signed with the API secret (API key and secret).
 * 3. **Legacy `T1==` token**, an HMAC-SHA1-signed query string (API key and secret).
 *
 * The claims match those of the official SDKs, so servers and clients read them the same way. JWTs are
 * signed with `node:crypto` directly (see `core/jwt.ts` for why, and for how the output is checked
 * against `jose`).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { InvalidArgumentError } from '../core/errors.js';
import { type JwtClaims, nowSeconds, signJwt } from '../core/jwt.js';
import type { HmacSigningKey, RsaSigningKey } from '../core/keys.js';
import { randomHex } from '../core/random.js';
import { assertSessionIdShape, decodeSessionId } from './session-id.js';
import { type ClientTokenOptions, type ResolvedTokenOptions, resolveTokenOptions } from './token-options.js';

/** The key material a client can mint tokens with. */
export interface TokenCredentials {
  /** A Vonage application: signs RS256 JWTs. */
  application?: { applicationId: string; key: RsaSigningKey } | undefined;
  /** A legacy project: signs HS256 JWTs and `T1==` tokens. */
  project?: { apiKey: string; secret: HmacSigningKey } | undefined;
}

/** A token ready to sign: either JWT claims with their key, or a finished `T1==` token. */
type PreparedToken =
  | { kind: 'jwt'; claims: JwtClaims; key: RsaSigningKey | HmacSigningKey }
  | { kind: 'T1'; token: string };

/** Mints client tokens with the credentials of one client. */
export class ClientTokenMinter {
  readonly #credentials: TokenCredentials;

  constructor(credentials: TokenCredentials) {
    this.#credentials = credentials;
  }

  /**
   * Mints a token for `sessionId`; the promise rejects with {@link InvalidArgumentError} for an invalid
   * option, or — with an API key — a session of another project.
   */
  async generate(sessionId: string, options?: ClientTokenOptions): Promise<string> {
    return this.generateSync(sessionId, options);
  }

  /**
   * Mints the same token as {@link generate}, synchronously (throwing instead of rejecting), for code
   * written against the synchronous token methods of the official SDKs.
   */
  generateSync(sessionId: string, options?: ClientTokenOptions): string {
    const prepared = this.#prepare(sessionId, options);
    return prepared.kind === 'T1' ? prepared.token : signJwt(prepared.claims, prepared.key);
  }

  #prepare(sessionId: string, options: ClientTokenOptions | undefined): PreparedToken {
    assertSessionIdShape(sessionId, 'sessionId');
    const resolved = resolveTokenOptions(options, nowSeconds());
    const { application, project } = this.#credentials;

    if (resolved.format === 'jwt' && application) {
      return {
        kind: 'jwt',
        claims: vonageClaims(application.applicationId, sessionId, resolved),
        key: application.key,
      };
    }
    if (!project) {
      throw new InvalidArgumentError(
        resolved.format === 'T1' ? 'options.format' : 'credentials',
        resolved.format === 'T1'
          ? '"T1" needs an apiKey and apiSecret; application credentials mint JWTs only'
          : 'are required to mint tokens: pass applicationId and privateKey, or apiKey and apiSecret',
      );
    }
    assertSessionOwnership(sessionId, project.apiKey);
    if (resolved.format === 'T1')
      return { kind: 'T1', token: t1Token(project.apiKey, project.secret, sessionId, resolved) };
    return { kind: 'jwt', claims: legacyClaims(project.apiKey, sessionId, resolved), key: project.secret };
  }
}

/** The legacy SDKs refuse to mint a token for another project's session; so do we. */
function assertSessionOwnership(sessionId: string, apiKey: string): void {
  const owner = decodeSessionId(sessionId).apiKey;
  if (owner !== apiKey) {
    throw new InvalidArgumentError(
      'sessionId',
      `belongs to project ${owner}, not to this client's API key ${apiKey}`,
    );
  }
}

/** Claims of a Vonage RS256 client token (as `@vonage/video` writes them). */
function vonageClaims(applicationId: string, sessionId: string, token: ResolvedTokenOptions): JwtClaims {
  return {
    application_id: applicationId,
    scope: 'session.connect',
    session_id: sessionId,
    role: token.role,
    initial_layout_class_list: token.layoutClassList,
    ...(token.data === undefined ? {} : { connection_data: token.data }),
    sub: 'video',
    acl: { paths: { '/session/**': {} } },
    iat: token.issuedAt,
    exp: token.expiresAt,
    jti: randomUUID(),
  };
}

/** Claims of a legacy HS256 client token (as `opentok` writes them). */
function legacyClaims(apiKey: string, sessionId: string, token: ResolvedTokenOptions): JwtClaims {
  return {
    iss: apiKey,
    ist: 'project',
    iat: token.issuedAt,
    exp: token.expiresAt,
    scope: 'session.connect',
    session_id: sessionId,
    role: token.role,
    create_time: token.issuedAt,
    expire_time: token.expiresAt,
    nonce: nonce(),
    initial_layout_class_list: token.layoutClassList,
    ...(token.data === undefined ? {} : { connection_data: token.data }),
    jti: randomUUID(),
  };
}

/**
 * A legacy `T1==` token:
 * `"T1==" + base64("partner_id=<key>&sig=<hex HMAC-SHA1(secret, data)>:" + data)`.
 */
function t1Token(
  apiKey: string,
  secret: HmacSigningKey,
  sessionId: string,
  token: ResolvedTokenOptions,
): string {
  const fields: [string, string][] = [
    ['session_id', sessionId],
    ['create_time', String(token.issuedAt)],
    ['expire_time', String(token.expiresAt)],
    ['role', token.role],
    ['nonce', nonce()],
  ];
  if (token.data !== undefined) fields.push(['connection_data', token.data]);
  if (token.layoutClassList !== '') fields.push(['initial_layout_class_list', token.layoutClassList]);
  // Percent-encoding as Node's querystring does (spaces as %20, not "+"), like the official SDKs.
  const dataString = fields.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
  const signature = createHmac('sha1', secret.keyObject).update(dataString).digest('hex');
  return `T1==${Buffer.from(`partner_id=${apiKey}&sig=${signature}:${dataString}`).toString('base64')}`;
}

/** 16 random hex characters, as the official SDKs' nonces. */
function nonce(): string {
  return randomHex(8);
}
