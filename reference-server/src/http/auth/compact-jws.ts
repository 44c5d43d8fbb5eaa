/**
 * Compact JWS parsing, signature verification and time-claim checks for REST JWTs, on `node:crypto`.
 *
 * Why not jose's `jwtVerify`: it runs every verification through WebCrypto, which imports the key and
 * schedules an asynchronous job per call; that was the largest single cost of an authenticated request
 * (see `bench/results.md`). REST JWTs use exactly two algorithms, fixed per header before anything is
 * verified, so a small synchronous verifier is both faster and easier to audit:
 *
 * - the token is parsed once (header, claims, signature), and a header with `crit` or `b64: false` is
 *   refused (we implement no JWS extensions);
 * - the caller states the one algorithm it accepts; any other `alg` (including `none`) fails before the
 *   signature is looked at, so an HS256 token "signed" with an RSA public key can never verify;
 * - HS256 is compared in constant time; RS256 keys must be RSA keys of at least 2048 bits.
 */
import { createHmac, type KeyObject, timingSafeEqual, verify as verifySignature } from 'node:crypto';

/** A parsed, not yet verified, compact JWS with a JSON claims set. */
export interface ParsedJwt {
  /** Read-only: decoded headers are shared between tokens with the same header segment (frozen). */
  header: Readonly<Record<string, unknown>>;
  claims: Record<string, unknown>;
  /** `<header>.<claims>` as sent: the signed bytes. */
  signingInput: string;
  signature: Buffer;
}

/** Why a JWT was refused. `claim` names the claim for the claim-related reasons. */
export type JwtFailure =
  | { reason: 'malformed-header' }
  | { reason: 'malformed-claims' }
  | { reason: 'unsupported-header'; detail: string }
  | { reason: 'bad-signature' }
  | { reason: 'missing-claim'; claim: string }
  | { reason: 'expired' }
  | { reason: 'not-yet-valid'; claim: 'nbf' | 'iat' };

/** A refused JWT. */
export class JwtError extends Error {
  override readonly name = 'JwtError';
  constructor(readonly failure: JwtFailure) {
    super(failure.reason);
  }
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function jsonObject(segment: string): Record<string, unknown> | null {
  if (segment === '' || !BASE64URL.test(segment)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Decoded headers kept at most; past it the memo starts over. */
const MAX_MEMO_HEADERS = 256;
/** Longer header segments are decoded every time (real ones are ~36–60 characters). */
const MAX_MEMO_HEADER_LENGTH = 256;
/** Decoded JOSE headers by their base64url segment; see {@link decodeHeader}. */
const headerMemo = new Map<string, Readonly<Record<string, unknown>>>();

/**
 * Decodes a JOSE header segment, remembering the result. A client signs every token with the same header
 * (`{"alg":"HS256","typ":"JWT"}` for most SDKs), so its decoding — a third of the parse — repeats on
 * every request. Only decoding is remembered: the signature always covers the segment exactly as sent.
 * The remembered object is frozen and only headers of primitive values are remembered, so no caller can
 * change what a later request reads.
 */
function decodeHeader(segment: string): Record<string, unknown> | null {
  const known = headerMemo.get(segment);
  if (known) return known;
  const header = jsonObject(segment);
  if (!header || segment.length > MAX_MEMO_HEADER_LENGTH) return header;
  for (const key in header) {
    const value = header[key];
    if (value !== null && typeof value === 'object') return header;
  }
  if (headerMemo.size >= MAX_MEMO_HEADERS) headerMemo.clear();
  headerMemo.set(segment, Object.freeze(header));
  return header;
}

/** Splits and decodes a compact JWS. Throws {@link JwtError} when it is not one with JSON claims. */
export function parseJwt(token: string): ParsedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError({ reason: 'malformed-header' });
  const [headerPart, claimsPart, signaturePart] = parts as [string, string, string];
  const header = decodeHeader(headerPart);
  if (!header || !BASE64URL.test(signaturePart)) throw new JwtError({ reason: 'malformed-header' });
  const claims = jsonObject(claimsPart);
  if (!claims) throw new JwtError({ reason: 'malformed-claims' });
  return {
    header,
    claims,
    signingInput: `${headerPart}.${claimsPart}`,
    signature: Buffer.from(signaturePart, 'base64url'),
  };
}

/** The key for {@link verifyJwtSignature}: an HS256 secret or an RS256 public key. */
export type JwtKey = { alg: 'HS256'; secret: string } | { alg: 'RS256'; publicKey: KeyObject };

/**
 * Verifies the signature of `jwt` with `key`. The caller must already have checked that `jwt.header.alg`
 * equals `key.alg`; this checks it again, so a forgotten check cannot turn into algorithm confusion.
 */
export function verifyJwtSignature(jwt: ParsedJwt, key: JwtKey): void {
  if (jwt.header.alg !== key.alg) throw new JwtError({ reason: 'bad-signature' });
  if ('crit' in jwt.header) {
    throw new JwtError({
      reason: 'unsupported-header',
      detail: 'the crit header parameter is not supported',
    });
  }
  if ('b64' in jwt.header) {
    throw new JwtError({ reason: 'unsupported-header', detail: 'the b64 header parameter is not supported' });
  }
  let valid: boolean;
  if (key.alg === 'HS256') {
    const expected = createHmac('sha256', key.secret).update(jwt.signingInput).digest();
    valid = expected.length === jwt.signature.length && timingSafeEqual(expected, jwt.signature);
  } else {
    const details = key.publicKey.asymmetricKeyDetails;
    if (key.publicKey.asymmetricKeyType !== 'rsa' || (details?.modulusLength ?? 0) < 2048) {
      throw new JwtError({ reason: 'bad-signature' });
    }
    valid = verifySignature('sha256', Buffer.from(jwt.signingInput), key.publicKey, jwt.signature);
  }
  if (!valid) throw new JwtError({ reason: 'bad-signature' });
}

/** Options of {@link checkTimeClaims}. */
export interface TimeClaimOptions {
  /** Now, in seconds since the epoch. */
  nowSeconds: number;
  /** Allowed clock skew in seconds. */
  toleranceSeconds: number;
  /** Claims that must be present (numbers for `iat`, `exp`, `nbf`; non-empty strings otherwise). */
  required: readonly string[];
}

const NUMERIC_CLAIMS = new Set(['iat', 'exp', 'nbf']);

/**
 * Checks the required claims and `exp`, `nbf`, `iat` against the clock with the given skew: expired when
 * `exp <= now - skew`, not yet valid when `nbf` or `iat` is after `now + skew`.
 */
export function checkTimeClaims(claims: Record<string, unknown>, options: TimeClaimOptions): void {
  for (const claim of options.required) {
    const value = claims[claim];
    const ok = NUMERIC_CLAIMS.has(claim)
      ? typeof value === 'number' && Number.isFinite(value)
      : typeof value === 'string' && value !== '';
    if (!ok) throw new JwtError({ reason: 'missing-claim', claim });
  }
  for (const claim of NUMERIC_CLAIMS) {
    const value = claims[claim];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value))) {
      throw new JwtError({ reason: 'missing-claim', claim });
    }
  }
  const { nowSeconds, toleranceSeconds } = options;
  const { exp, nbf, iat } = claims as { exp?: number; nbf?: number; iat?: number };
  if (nbf !== undefined && nbf > nowSeconds + toleranceSeconds) {
    throw new JwtError({ reason: 'not-yet-valid', claim: 'nbf' });
  }
  if (iat !== undefined && iat > nowSeconds + toleranceSeconds) {
    throw new JwtError({ reason: 'not-yet-valid', claim: 'iat' });
  }
  if (exp !== undefined && exp <= nowSeconds - toleranceSeconds) throw new JwtError({ reason: 'expired' });
}
