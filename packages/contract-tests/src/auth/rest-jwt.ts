/**
 * Signs the REST JWTs the spec documents, with `jose` and nothing of Parley's own SDK, so the suite
 * catches SDK and server mistakes independently: RS256 `Authorization: Bearer` (Vonage), HS256
 * `X-OPENTOK-AUTH` (legacy project), HS256 `X-OPENTOK-AUTH` with `ist: "account"` (project management),
 * and the broken variants the authentication checks send.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { type ContractCredentials, CredentialsError } from './credentials.js';

/** Which credentials sign a request. */
export type AuthScheme = 'vonage' | 'opentok' | 'account';

/** Ways to break a credential, each of which the spec says must be refused. */
export type BrokenAuth =
  /** No credentials header at all. */
  | 'missing'
  /** A header whose value is not a compact JWS. */
  | 'malformed'
  /** A well-signed JWT whose `exp` is an hour in the past. */
  | 'expired'
  /** A JWT signed with a key or secret the target has never seen. */
  | 'wrongKey'
  /** An unsigned JWT (`alg: none`). */
  | 'algNone';

/** Every {@link BrokenAuth} variant, in the order the checks send them. */
export const BROKEN_AUTH: readonly BrokenAuth[] = ['missing', 'malformed', 'expired', 'wrongKey', 'algNone'];

const encoder = new TextEncoder();

/** The key type jose imports PEM keys as. */
type SigningKey = Awaited<ReturnType<typeof importPKCS8>>;
const b64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Imported private keys by PEM, so each test's signer does not import the same key again. */
const importedKeys = new Map<string, Promise<SigningKey>>();
/** One RSA key nobody registered, made once per process (generating a 2048-bit key is slow). */
let strangerKey: Promise<SigningKey> | null = null;

function importKey(pem: string): Promise<SigningKey> {
  let key = importedKeys.get(pem);
  if (!key) {
    key = importPKCS8(pem, 'RS256');
    importedKeys.set(pem, key);
  }
  return key;
}

/** Signs REST JWTs for one set of credentials. */
export class RestJwtSigner {
  readonly #credentials: ContractCredentials;
  readonly #now: () => number;

  constructor(credentials: ContractCredentials, now: () => number = Date.now) {
    this.#credentials = credentials;
    this.#now = now;
  }

  /** The headers that authenticate a request with `scheme`, a fresh JWT (and `jti`) every call. */
  async headers(scheme: AuthScheme): Promise<Record<string, string>> {
    const token = await this.#sign(scheme, {});
    return scheme === 'vonage' ? { authorization: `Bearer ${token}` } : { 'x-opentok-auth': token };
  }

  /** The headers of a broken credential for `scheme`. */
  async brokenHeaders(scheme: AuthScheme, broken: BrokenAuth): Promise<Record<string, string>> {
    const header = (token: string): Record<string, string> =>
      scheme === 'vonage' ? { authorization: `Bearer ${token}` } : { 'x-opentok-auth': token };
    switch (broken) {
      case 'missing':
        return {};
      case 'malformed':
        return header('this-is.not-a.jwt!');
      case 'expired': {
        const now = Math.floor(this.#now() / 1000);
        return header(await this.#sign(scheme, { iat: now - 7200, exp: now - 3600 }));
      }
      case 'wrongKey':
        return header(await this.#sign(scheme, {}, true));
      case 'algNone': {
        const now = Math.floor(this.#now() / 1000);
        const claims = { ...this.#claims(scheme), iat: now, exp: now + 300, jti: randomUUID() };
        return header(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`);
      }
    }
  }

  #claims(scheme: AuthScheme): Record<string, string> {
    const c = this.#credentials;
    if (scheme === 'vonage') {
      if (!c.applicationId)
        throw new CredentialsError('credentials.applicationId is required for Bearer JWTs');
      return { application_id: c.applicationId };
    }
    if (scheme === 'opentok') {
      if (!c.apiKey) throw new CredentialsError('credentials.apiKey is required for X-OPENTOK-AUTH JWTs');
      return { iss: c.apiKey, ist: 'project' };
    }
    if (!c.accountKey) throw new CredentialsError('credentials.accountKey is required for account JWTs');
    return { iss: c.accountKey, ist: 'account' };
  }

  async #sign(scheme: AuthScheme, times: { iat?: number; exp?: number }, stranger = false): Promise<string> {
    const now = Math.floor(this.#now() / 1000);
    const jwt = new SignJWT(this.#claims(scheme))
      .setIssuedAt(times.iat ?? now)
      .setExpirationTime(times.exp ?? now + 300)
      .setJti(randomUUID());
    if (scheme === 'vonage') {
      return jwt.setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(await this.#rsaKey(stranger));
    }
    const secret = stranger
      ? randomBytes(20).toString('hex')
      : scheme === 'opentok'
        ? this.#credentials.apiSecret
        : this.#credentials.accountSecret;
    if (!secret)
      throw new CredentialsError(
        `credentials.${scheme === 'opentok' ? 'apiSecret' : 'accountSecret'} is required`,
      );
    return jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(encoder.encode(secret));
  }

  #rsaKey(stranger: boolean): Promise<SigningKey> {
    if (stranger) {
      strangerKey ??= importPKCS8(
        generateKeyPairSync('rsa', { modulusLength: 2048 })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
        'RS256',
      );
      return strangerKey;
    }
    const pem = this.#credentials.privateKey;
    if (!pem) throw new CredentialsError('credentials.privateKey is required for Bearer JWTs');
    return importKey(pem);
  }
}
