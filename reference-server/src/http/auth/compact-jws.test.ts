import { createHmac, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { checkTimeClaims, JwtError, type JwtFailure, parseJwt, verifyJwtSignature } from './compact-jws.js';

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const secret = 's'.repeat(40);
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = 1_800_000_000;

const hs256 = (claims: Record<string, unknown> = {}) =>
  new SignJWT({ iat: now, exp: now + 300, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(secret));
const rs256 = (claims: Record<string, unknown> = {}) =>
  new SignJWT({ iat: now, exp: now + 300, ...claims })
    .setProtectedHeader({ alg: 'RS256' })
    .sign(rsa.privateKey);

function failure(fn: () => unknown): JwtFailure {
  try {
    fn();
  } catch (error) {
    if (error instanceof JwtError) return error.failure;
    throw error;
  }
  throw new Error('expected a JwtError');
}

describe('parseJwt', () => {
  it('decodes header and claims and keeps the signing input', async () => {
    const token = await hs256({ iss: '123' });
    const jwt = parseJwt(token);
    expect(jwt.header).toEqual({ alg: 'HS256' });
    expect(jwt.claims).toMatchObject({ iss: '123', iat: now });
    expect(jwt.signingInput).toBe(token.split('.').slice(0, 2).join('.'));
  });

  it.each([
    ['two parts', 'a.b'],
    ['four parts', 'a.b.c.d'],
    ['a header that is not JSON', `${Buffer.from('nope').toString('base64url')}.${b64url({})}.x`],
    ['a header that is an array', `${b64url([1])}.${b64url({})}.x`],
    ['padding in the signature', `${b64url({ alg: 'HS256' })}.${b64url({})}.ab==`],
  ])('refuses %s as a malformed header', (_what, token) => {
    expect(failure(() => parseJwt(token))).toEqual({ reason: 'malformed-header' });
  });

  it('refuses claims that are not a JSON object', () => {
    const token = `${b64url({ alg: 'HS256' })}.${b64url('text')}.x`;
    expect(failure(() => parseJwt(token))).toEqual({ reason: 'malformed-claims' });
  });
});

describe('parseJwt header decoding, remembered per header segment', () => {
  it('decodes a repeated header once, as a frozen object every token reads the same', async () => {
    const first = parseJwt(await hs256({ iss: 'a' }));
    const second = parseJwt(await hs256({ iss: 'b' }));
    expect(second.header).toBe(first.header);
    expect(Object.isFrozen(first.header)).toBe(true);
    expect(() => {
      (first.header as Record<string, unknown>).alg = 'none';
    }).toThrow(TypeError);
    expect(second.header).toEqual({ alg: 'HS256' });
    expect(second.claims).toMatchObject({ iss: 'b' });
  });

  it('decodes headers holding objects afresh each time (nothing shared a caller could change)', () => {
    const token = `${b64url({ alg: 'HS256', jwk: { kty: 'oct' } })}.${b64url({})}.x`;
    const first = parseJwt(token);
    const second = parseJwt(token);
    expect(second.header).not.toBe(first.header);
    expect(second.header).toEqual({ alg: 'HS256', jwk: { kty: 'oct' } });
    expect(Object.isFrozen(first.header)).toBe(false);
  });

  it('still refuses a remembered header that verification refuses, every time', () => {
    const header = b64url({ alg: 'HS256', crit: 'exp' });
    const signed = (claims: string) => {
      const signature = createHmac('sha256', secret).update(`${header}.${claims}`).digest('base64url');
      return `${header}.${claims}.${signature}`;
    };
    for (const claims of [b64url({ n: 1 }), b64url({ n: 2 })]) {
      const jwt = parseJwt(signed(claims));
      expect(failure(() => verifyJwtSignature(jwt, { alg: 'HS256', secret }))).toMatchObject({
        reason: 'unsupported-header',
      });
    }
  });

  it('checks the signature against the segment as sent, not the remembered decoding', async () => {
    const token = await hs256({ iss: 'a' });
    const [header, claims, signature] = token.split('.') as [string, string, string];
    // The same JSON, encoded with a different segment: a distinct signing input.
    const padded = Buffer.from(JSON.stringify({ alg: 'HS256' }).replace('{', '{ ')).toString('base64url');
    const jwt = parseJwt(`${padded}.${claims}.${signature}`);
    expect(jwt.header).toEqual(parseJwt(token).header);
    expect(jwt.signingInput).toBe(`${padded}.${claims}`);
    expect(failure(() => verifyJwtSignature(jwt, { alg: 'HS256', secret }))).toEqual({
      reason: 'bad-signature',
    });
    expect(() =>
      verifyJwtSignature(parseJwt(`${header}.${claims}.${signature}`), { alg: 'HS256', secret }),
    ).not.toThrow();
  });
});

describe('verifyJwtSignature', () => {
  it('accepts HS256 and RS256 tokens signed with the right key', async () => {
    const hs = parseJwt(await hs256());
    expect(() => verifyJwtSignature(hs, { alg: 'HS256', secret })).not.toThrow();
    const publicKey = createPublicKey(rsa.publicKey.export({ type: 'spki', format: 'pem' }));
    const rs = parseJwt(await rs256());
    expect(() => verifyJwtSignature(rs, { alg: 'RS256', publicKey })).not.toThrow();
  });

  it('refuses a wrong secret, a tampered claim set and a truncated signature', async () => {
    const token = await hs256();
    expect(failure(() => verifyJwtSignature(parseJwt(token), { alg: 'HS256', secret: 'other' }))).toEqual({
      reason: 'bad-signature',
    });
    const [header, , signature] = token.split('.');
    const tampered = `${header}.${b64url({ iat: now, exp: now + 99_999 })}.${signature}`;
    expect(failure(() => verifyJwtSignature(parseJwt(tampered), { alg: 'HS256', secret }))).toEqual({
      reason: 'bad-signature',
    });
    const truncated = token.slice(0, -4);
    expect(failure(() => verifyJwtSignature(parseJwt(truncated), { alg: 'HS256', secret }))).toEqual({
      reason: 'bad-signature',
    });
  });

  it('never verifies a token whose alg differs from the key (algorithm confusion, alg none)', async () => {
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    // An HS256 token "signed" with the public key text must not pass as RS256.
    const confused = await new SignJWT({ iat: now })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(pem));
    expect(
      failure(() => verifyJwtSignature(parseJwt(confused), { alg: 'RS256', publicKey: rsa.publicKey })),
    ).toEqual({ reason: 'bad-signature' });
    const none = `${b64url({ alg: 'none' })}.${b64url({ iat: now })}.`;
    expect(failure(() => verifyJwtSignature(parseJwt(none), { alg: 'HS256', secret }))).toEqual({
      reason: 'bad-signature',
    });
  });

  it('refuses RSA keys under 2048 bits and non-RSA keys for RS256', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    // jose refuses to sign with a small key, so this one is signed by hand.
    const input = `${b64url({ alg: 'RS256' })}.${b64url({ iat: now })}`;
    const token = `${input}.${sign('sha256', Buffer.from(input), small.privateKey).toString('base64url')}`;
    expect(
      failure(() => verifyJwtSignature(parseJwt(token), { alg: 'RS256', publicKey: small.publicKey })),
    ).toEqual({ reason: 'bad-signature' });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const signed = parseJwt(await rs256());
    expect(failure(() => verifyJwtSignature(signed, { alg: 'RS256', publicKey: ec.publicKey }))).toEqual({
      reason: 'bad-signature',
    });
  });

  it('refuses the JWS extensions crit and b64', async () => {
    const critInput = `${b64url({ alg: 'HS256', crit: ['exp'] })}.${b64url({ iat: now })}`;
    const critSignature = createHmac('sha256', secret).update(critInput).digest('base64url');
    const crit = parseJwt(`${critInput}.${critSignature}`);
    expect(failure(() => verifyJwtSignature(crit, { alg: 'HS256', secret }))).toMatchObject({
      reason: 'unsupported-header',
    });
    const b64 = `${b64url({ alg: 'HS256', b64: false })}.${b64url({})}.x`;
    expect(failure(() => verifyJwtSignature(parseJwt(b64), { alg: 'HS256', secret }))).toMatchObject({
      reason: 'unsupported-header',
    });
  });
});

describe('checkTimeClaims', () => {
  const check = (claims: Record<string, unknown>, required: string[] = ['iat', 'exp']) =>
    failure(() => checkTimeClaims(claims, { nowSeconds: now, toleranceSeconds: 30, required }));
  const passes = (claims: Record<string, unknown>, required: string[] = ['iat', 'exp']) =>
    expect(() => checkTimeClaims(claims, { nowSeconds: now, toleranceSeconds: 30, required })).not.toThrow();

  it('requires the listed claims with the right types', () => {
    expect(check({ exp: now + 10 })).toEqual({ reason: 'missing-claim', claim: 'iat' });
    expect(check({ iat: '1', exp: now + 10 })).toEqual({ reason: 'missing-claim', claim: 'iat' });
    expect(check({ iat: now, exp: now + 10 }, ['iat', 'exp', 'jti'])).toEqual({
      reason: 'missing-claim',
      claim: 'jti',
    });
    expect(check({ iat: now, exp: now + 10, nbf: 'soon' })).toEqual({
      reason: 'missing-claim',
      claim: 'nbf',
    });
    passes({ iat: now, exp: now + 10, jti: 'x' }, ['iat', 'exp', 'jti']);
  });

  it('allows the clock skew on both sides, and no more', () => {
    passes({ iat: now - 100, exp: now - 29 });
    expect(check({ iat: now - 100, exp: now - 30 })).toEqual({ reason: 'expired' });
    passes({ iat: now + 30, exp: now + 300 });
    expect(check({ iat: now + 31, exp: now + 300 })).toEqual({ reason: 'not-yet-valid', claim: 'iat' });
    passes({ iat: now, exp: now + 300, nbf: now + 30 });
    expect(check({ iat: now, exp: now + 300, nbf: now + 31 })).toEqual({
      reason: 'not-yet-valid',
      claim: 'nbf',
    });
  });
});
