/**
 * Compact JWS signing for the two algorithms the Video API uses: RS256 (Vonage application keys) and
 * HS256 (API secrets).
 *
 * Why `node:crypto` and not `jose` here: every REST call and most token mints sign a JWT, and `jose`
 * signs through WebCrypto, which is asynchronous and costs several times more per token than a direct
 * `crypto.sign` / `createHmac` call on an already-imported `KeyObject` (see `bench/results/latest.md`).
 * A JWS is only `base64url(header).base64url(claims).base64url(signature)`, and RS256 (PKCS#1 v1.5) and
 * HS256 are deterministic, so the output is byte-for-byte what `jose` produces: `jwt.test.ts` checks
 * exactly that, and the SDK's tests verify every token it mints with `jose`, the library of record for
 * parsing and verifying JWTs.
 */
import { createHmac, sign as rsaSign } from 'node:crypto';
import type { HmacSigningKey, RsaSigningKey } from './keys.js';

/** A key that can sign a JWT: RSA → RS256, HMAC → HS256. */
export type JwtSigningKey = RsaSigningKey | HmacSigningKey;

/** JWT claims: any JSON object. */
export type JwtClaims = Record<string, unknown>;

/** The JWS algorithm a key signs with. */
export function algorithmOf(key: JwtSigningKey): 'RS256' | 'HS256' {
  return key.kind === 'rsa' ? 'RS256' : 'HS256';
}

/** The encoded protected header of each algorithm, computed once: it never changes. */
const ENCODED_HEADERS = {
  RS256: base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' })),
  HS256: base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' })),
} as const;

/**
 * Signs `claims` with `key` and returns the compact JWS, `<header>.<claims>.<signature>`, with the
 * header `{"alg":"RS256"|"HS256","typ":"JWT"}`. Synchronous: see the file comment for why.
 */
export function signJwt(claims: JwtClaims, key: JwtSigningKey): string {
  const signingInput = `${ENCODED_HEADERS[algorithmOf(key)]}.${base64url(JSON.stringify(claims))}`;
  const signature =
    key.kind === 'rsa'
      ? rsaSign('sha256', Buffer.from(signingInput, 'latin1'), key.keyObject)
      : createHmac('sha256', key.keyObject).update(signingInput, 'latin1').digest();
  return `${signingInput}.${signature.toString('base64url')}`;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** The current time in whole Unix seconds, the unit of `iat`, `nbf` and `exp`. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
