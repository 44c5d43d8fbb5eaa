import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { API_SECRET, testKeyPair } from '../testing/fixtures.js';
import { signJwt } from './jwt.js';
import { importHmacSecret, importRsaPrivateKey } from './keys.js';

const claims = () => ({
  iss: '47123456',
  ist: 'project',
  iat: 1_700_000_000,
  exp: 4_100_000_000,
  jti: randomUUID(),
  note: 'ünïcödé ✓', // non-ASCII claims must be UTF-8 encoded like jose does
});

describe('signJwt (node:crypto) against jose, the library of record', () => {
  it('produces exactly the HS256 token jose signs, and jose verifies it', async () => {
    const body = claims();
    const secret = new TextEncoder().encode(API_SECRET);
    const ours = signJwt(body, importHmacSecret(API_SECRET));
    const joses = await new SignJWT(body).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret);
    expect(ours).toBe(joses);
    expect((await jwtVerify(ours, secret)).payload).toEqual(body);
  });

  it('produces exactly the RS256 token jose signs, and jose verifies it with the public key', async () => {
    const { privateKeyPem, publicKey } = testKeyPair();
    const key = importRsaPrivateKey(privateKeyPem);
    const body = claims();
    const ours = signJwt(body, key);
    const joses = await new SignJWT(body)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .sign(key.keyObject);
    expect(ours).toBe(joses); // RSASSA-PKCS1-v1_5 is deterministic
    expect(decodeProtectedHeader(ours)).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect((await jwtVerify(ours, publicKey)).payload).toEqual(body);
  });

  it('signs with the key it is given: another secret does not verify', async () => {
    const token = signJwt(claims(), importHmacSecret('another secret'));
    await expect(jwtVerify(token, new TextEncoder().encode(API_SECRET))).rejects.toThrow();
  });
});
