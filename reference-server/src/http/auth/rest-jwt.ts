/**
 * Verification of the two REST credential formats:
 *
 * - `Authorization: Bearer <JWT>`: RS256, signed with the application's private key, verified with the
 *   project's registered public key. Claims `application_id`, `iat`, `exp`, `jti` (single-use).
 * - `X-OPENTOK-AUTH: <JWT>`: HS256, signed with the project's API secret (`ist: "project"`, `iss` = API
 *   key) or the account secret (`ist: "account"`, `iss` = account key). `ist` may sit in the claims or
 *   the JWT header; `jti` is optional but single-use when present.
 *
 * The algorithm is fixed per header before anything is verified, so `alg: none` and RS256/HS256 confusion
 * (an HS256 token "signed" with the public key) are refused. 30 seconds of clock skew are allowed.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { AccountCredentials } from '../../projects/credentials.js';
import type { ProjectRecord, Store } from '../../store/types.js';
import { ApiError } from '../errors.js';
import {
  checkTimeClaims,
  JwtError,
  type JwtKey,
  type ParsedJwt,
  parseJwt,
  verifyJwtSignature,
} from './compact-jws.js';
import { type VerifiedHmacToken, VerifiedHmacTokens } from './verified-hmac-tokens.js';

/** Allowed clock skew on `iat`, `nbf` and `exp`, in seconds. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** Who a verified REST JWT speaks for. */
export type RestPrincipal =
  | { kind: 'project'; project: ProjectRecord; via: 'bearer' | 'opentok' }
  | { kind: 'account'; accountKey: string };

/** What the verifiers need. */
export interface RestJwtVerifierOptions {
  store: Store;
  account: AccountCredentials;
  /** The clock, in ms since the epoch. */
  now: () => number;
}

/** Verifies REST JWTs against the store's projects and the account credentials. */
export class RestJwtVerifier {
  readonly #store: Store;
  readonly #account: AccountCredentials;
  readonly #now: () => number;
  /** Parsed public keys by application ID; the PEM is kept to notice a re-registered key. */
  readonly #publicKeys = new Map<string, { pem: string; key: KeyObject }>();
  /** `X-OPENTOK-AUTH` tokens already verified (see verified-hmac-tokens.ts): parsed and HMAC'd once. */
  readonly #verifiedHmac = new VerifiedHmacTokens();

  constructor(options: RestJwtVerifierOptions) {
    this.#store = options.store;
    this.#account = options.account;
    this.#now = options.now;
  }

  /** Verifies the JWT of an `Authorization: Bearer` header. */
  async verifyBearer(token: string): Promise<RestPrincipal> {
    const jwt = parse(token, 'Authorization');
    requireAlgorithm(jwt.header.alg, 'RS256', 'Authorization: Bearer');
    const applicationId = jwt.claims.application_id;
    if (typeof applicationId !== 'string' || applicationId === '') {
      throw new ApiError(
        'MISSING_CLAIM',
        'The Bearer JWT lacks the application_id claim (the application UUID)',
      );
    }
    const project = await this.#store.projects.get(applicationId);
    // `get` also matches API keys; a Bearer token must name the application by its UUID.
    if (!project || project.applicationId.toLowerCase() !== applicationId.toLowerCase()) {
      throw new ApiError('UNKNOWN_ISSUER', `No application has the application_id ${applicationId}`);
    }
    const claims = this.#verify(
      jwt,
      { alg: 'RS256', publicKey: this.#publicKey(project) },
      ['iat', 'exp', 'jti'],
      'Bearer',
    );
    await this.#claimJti(project.applicationId, claims);
    return { kind: 'project', project, via: 'bearer' };
  }

  /** Verifies the JWT of an `X-OPENTOK-AUTH` header (project or account). */
  async verifyOpentok(token: string): Promise<RestPrincipal> {
    const verified = this.#verifiedHmac.get(token);
    const jwt = verified?.jwt ?? parse(token, 'X-OPENTOK-AUTH');
    const { header, claims: unverified } = jwt;
    requireAlgorithm(header.alg, 'HS256', 'X-OPENTOK-AUTH');
    const iss = unverified.iss;
    if (typeof iss !== 'string' || iss === '') {
      throw new ApiError(
        'MISSING_CLAIM',
        'The X-OPENTOK-AUTH JWT lacks the iss claim (the API key or account key)',
      );
    }
    // The Ruby SDKs put `ist` in the JWT header instead of the claims.
    const ist = unverified.ist ?? header.ist ?? (iss === this.#account.apiKey ? 'account' : 'project');
    if (ist === 'account') {
      if (iss !== this.#account.apiKey) {
        throw new ApiError('UNKNOWN_ISSUER', `iss ${iss} is not the account key`);
      }
      const claims = this.#verifyHmac(token, jwt, verified, this.#account.apiSecret);
      await this.#claimJti(`account:${iss}`, claims);
      return { kind: 'account', accountKey: iss };
    }
    if (ist !== 'project') {
      throw new ApiError(
        'MALFORMED_TOKEN',
        `The ist claim must be "project" or "account", got ${JSON.stringify(ist)}`,
      );
    }
    const project = await this.#store.projects.get(iss);
    if (!project) throw new ApiError('UNKNOWN_ISSUER', `No project has the API key ${iss}`);
    const claims = this.#verifyHmac(token, jwt, verified, project.apiSecret);
    // The SDKs' X-OPENTOK-AUTH tokens carry no jti: no promise to wait for on every request.
    if (claims.jti !== undefined) await this.#claimJti(project.applicationId, claims);
    return { kind: 'project', project, via: 'opentok' };
  }

  /**
   * Verifies an `X-OPENTOK-AUTH` token under `secret`: the signature only when this exact token was not
   * verified under this exact secret before (`known`, looked up once by the caller), the time claims always.
   */
  #verifyHmac(
    token: string,
    jwt: ParsedJwt,
    known: VerifiedHmacToken | undefined,
    secret: string,
  ): Record<string, unknown> {
    if (known && known.secret === secret) return this.#checkClaims(jwt, ['iat', 'exp'], 'X-OPENTOK-AUTH');
    // Not verified yet, or under a secret that has since changed: the full check.
    if (known) this.#verifiedHmac.forget(token);
    const claims = this.#verify(jwt, { alg: 'HS256', secret }, ['iat', 'exp'], 'X-OPENTOK-AUTH');
    this.#verifiedHmac.remember(token, jwt, secret);
    return claims;
  }

  #publicKey(project: ProjectRecord): KeyObject {
    const cached = this.#publicKeys.get(project.applicationId);
    if (cached && cached.pem === project.publicKeyPem) return cached.key;
    const key = createPublicKey(project.publicKeyPem);
    this.#publicKeys.set(project.applicationId, { pem: project.publicKeyPem, key });
    return key;
  }

  #verify(jwt: ParsedJwt, key: JwtKey, required: string[], headerName: string): Record<string, unknown> {
    try {
      verifyJwtSignature(jwt, key);
    } catch (error) {
      throw error instanceof JwtError ? toApiError(error, headerName) : error;
    }
    return this.#checkClaims(jwt, required, headerName);
  }

  /** The time claims and `jti`'s form, checked on every request (the signature was checked). */
  #checkClaims(jwt: ParsedJwt, required: string[], headerName: string): Record<string, unknown> {
    try {
      checkTimeClaims(jwt.claims, {
        nowSeconds: this.#now() / 1000,
        toleranceSeconds: CLOCK_TOLERANCE_SECONDS,
        required,
      });
    } catch (error) {
      throw error instanceof JwtError ? toApiError(error, headerName) : error;
    }
    const { jti } = jwt.claims;
    if (jti !== undefined && (typeof jti !== 'string' || jti === '')) {
      throw new ApiError(
        'MISSING_CLAIM',
        `The jti claim of the ${headerName} JWT must be a non-empty string`,
      );
    }
    return jwt.claims;
  }

  async #claimJti(scope: string, claims: Record<string, unknown>): Promise<void> {
    if (typeof claims.jti !== 'string') return;
    // Remember the ID for as long as the token could still be accepted, skew included.
    const exp = typeof claims.exp === 'number' ? claims.exp : 0;
    const expiresAt = (exp + CLOCK_TOLERANCE_SECONDS) * 1000;
    if (!(await this.#store.jtis.claim(scope, claims.jti, expiresAt))) {
      throw new ApiError(
        'TOKEN_REPLAYED',
        `The JWT with jti ${claims.jti} was already used; mint a new one per request`,
      );
    }
  }
}

function parse(token: string, headerName: string): ParsedJwt {
  try {
    return parseJwt(token);
  } catch (error) {
    if (error instanceof JwtError && error.failure.reason === 'malformed-claims') {
      throw new ApiError('MALFORMED_TOKEN', `The claims of the ${headerName} JWT are not a JSON object`);
    }
    throw new ApiError(
      'MALFORMED_TOKEN',
      `The ${headerName} value is not a compact JWT (header.claims.signature)`,
    );
  }
}

function requireAlgorithm(alg: unknown, expected: 'RS256' | 'HS256', headerName: string): void {
  if (alg === expected) return;
  const shown = typeof alg === 'string' ? alg : JSON.stringify(alg);
  throw new ApiError(
    'UNSUPPORTED_ALGORITHM',
    `${headerName} JWTs must be signed ${expected}, got alg ${shown}`,
  );
}

function toApiError({ failure }: JwtError, headerName: string): ApiError {
  switch (failure.reason) {
    case 'expired':
      return new ApiError('TOKEN_EXPIRED', `The ${headerName} JWT has expired`);
    case 'not-yet-valid':
      return failure.claim === 'iat'
        ? new ApiError('TOKEN_NOT_YET_VALID', `The ${headerName} JWT was issued in the future (iat)`)
        : new ApiError(
            'TOKEN_NOT_YET_VALID',
            `The ${headerName} JWT is not valid yet (nbf is in the future)`,
          );
    case 'missing-claim':
      return new ApiError('MISSING_CLAIM', `The ${headerName} JWT lacks a valid ${failure.claim} claim`);
    case 'bad-signature':
      return new ApiError(
        'BAD_SIGNATURE',
        `The ${headerName} JWT signature does not verify with the project's key`,
      );
    case 'unsupported-header':
      return new ApiError(
        'MALFORMED_TOKEN',
        `The ${headerName} JWT header is not accepted: ${failure.detail}`,
      );
    default:
      return new ApiError('MALFORMED_TOKEN', `The ${headerName} JWT is malformed`);
  }
}
