/**
 * Test support (not shipped): credentials and session IDs for tests. The RSA key pair is generated once
 * per test file, so no private key is committed to the repository.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';

/** A test application's ID. */
export const APPLICATION_ID = '1c3f2d9e-8b7a-4c5d-9e0f-112233445566';
/** A test project's numeric API key. */
export const API_KEY = '47123456';
/** A test project's API secret. */
export const API_SECRET = '4f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6';

let keyPair: { privateKeyPem: string; publicKey: KeyObject } | undefined;

/** An RSA key pair for RS256 (generated on first use). */
export function testKeyPair(): { privateKeyPem: string; publicKey: KeyObject } {
  if (!keyPair) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keyPair = { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey };
  }
  return keyPair;
}

/** Builds a session ID in Parley's format for `apiKey`. */
export function sessionIdFor(
  apiKey: string,
  applicationId = APPLICATION_ID,
  createdMs = 1_700_000_000_000,
): string {
  const payload = `1~${apiKey}~~${createdMs}~abcdef~${applicationId}~`;
  return `2_${Buffer.from(payload).toString('base64url')}`;
}

/** A session of the test project. */
export const SESSION_ID = sessionIdFor(API_KEY);
