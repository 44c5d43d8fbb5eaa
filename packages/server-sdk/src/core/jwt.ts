/**
 * Compact JWS signing for the two algorithms the Video API uses: RS256 (Vonage application keys) and
 * HS256 (API secrets). `signJwt` signs with `jose`; `signJwtSync` produces the identical token with
 * `node:crypto`, for the synchronous token methods that drop-in compatibility with the official SDKs
 * requires. Claims (including `iat`/`exp`) are always computed by the caller, so both paths agree.
 */
import { createHmac, sign as rsaSign } from 'node:crypto';
import { SignJWT } from 'jose';
import type { HmacSigningKey, RsaSigningKey } from './keys.js';

/** A key that can sign a JWT: RSA → RS256, HMAC → HS256. */
export type JwtSigningKey = RsaSigningKey | HmacSigningKey;

/** JWT claims: any JSON object. */
export type JwtClaims = Record<string, unknown>;

/** The JWS algorithm a key signs with. */
export function algorithmOf(key: JwtSigningKey): 'RS256' | 'HS256' {
  return key.kind === 'rsa' ? 'RS256' : 'HS256';
}

/** Signs `claims` with `key` using `jose`. */
export function signJwt(claims: JwtClaims, key: JwtSigningKey): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: algorithmOf(key), typ: 'JWT' }).sign(key.cryptoKey);
}

/** Signs `claims` with `key` synchronously (same output format as {@link signJwt}). */
export function signJwtSync(claims: JwtClaims, key: JwtSigningKey): string {
  const header = base64url(JSON.stringify({ alg: algorithmOf(key), typ: 'JWT' }));
  const signingInput = `${header}.${base64url(JSON.stringify(claims))}`;
  const signature =
    key.kind === 'rsa'
      ? rsaSign('sha256', Buffer.from(signingInput), key.keyObject)
      : createHmac('sha256', key.keyObject).update(signingInput).digest();
  return `${signingInput}.${signature.toString('base64url')}`;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** The current time in whole Unix seconds, the unit of `iat`, `nbf` and `exp`. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
