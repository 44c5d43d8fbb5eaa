/**
 * The end-to-end encryption key: AES-GCM 256 derived from the app's shared secret with PBKDF2-SHA-256
 * (100 000 iterations), salted with the session ID so one secret gives different keys in different
 * sessions. Only WebCrypto: runs in browsers (and in Node for tests).
 */
import { InvalidParameterError } from '../errors.js';

/** The shortest accepted secret, in characters. */
export const MIN_SECRET_LENGTH = 8;
/** The longest accepted secret, in characters. */
export const MAX_SECRET_LENGTH = 256;
const ITERATIONS = 100_000;

/** Checks a secret given by the app; throws an `OT_INVALID_PARAMETER` error naming the problem. */
export function checkSecret(secret: unknown): string {
  if (typeof secret !== 'string') throw new InvalidParameterError('secret', 'must be a string');
  if (secret.length < MIN_SECRET_LENGTH || secret.length > MAX_SECRET_LENGTH) {
    throw new InvalidParameterError(
      'secret',
      `must be ${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH} characters long, got ${secret.length}`,
    );
  }
  return secret;
}

/** Derives the frame key of a session from a secret. */
export async function deriveFrameKey(secret: string, sessionId: string): Promise<CryptoKey> {
  const encoder = new TextEncoder();
  const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'PBKDF2', false, [
    'deriveKey',
  ]);
  return crypto.subtle.deriveKey(
    {
      name: 'PBKDF2',
      hash: 'SHA-256',
      salt: encoder.encode(`parley-e2ee/v1/${sessionId}`),
      iterations: ITERATIONS,
    },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}
