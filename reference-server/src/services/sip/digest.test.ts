import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DigestError, digestCredentials, parseDigestChallenge } from './digest.js';

/** The `response=` of a credentials value. */
const responseOf = (credentials: string) => /response="([0-9a-f]+)"/.exec(credentials)?.[1];

describe('digest authentication', () => {
  it('matches the RFC 2617 §3.5 example (MD5, qop=auth)', () => {
    const challenge = parseDigestChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    expect(challenge).toMatchObject({
      realm: 'testrealm@host.com',
      algorithm: 'MD5',
      qop: ['auth', 'auth-int'],
    });
    const credentials = digestCredentials(challenge, {
      method: 'GET',
      uri: '/dir/index.html',
      username: 'Mufasa',
      password: 'Circle Of Life',
      nonceCount: 1,
      cnonce: '0a4f113b',
    });
    expect(responseOf(credentials)).toBe('6629fae49393a05397450978507c4ef1');
    expect(credentials).toContain('nc=00000001');
    expect(credentials).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
  });

  const rfc7616 = (algorithm: string) =>
    `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`;
  const request = {
    method: 'GET',
    uri: '/dir/index.html',
    username: 'Mufasa',
    password: 'Circle of Life',
    nonceCount: 1,
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  };

  it('matches the RFC 7616 §3.9.1 examples (MD5 and SHA-256)', () => {
    expect(responseOf(digestCredentials(parseDigestChallenge(rfc7616('MD5')), request))).toBe(
      '8ca523f5e9506fed4657c9700eebdbec',
    );
    const sha = digestCredentials(parseDigestChallenge(rfc7616('SHA-256')), request);
    expect(responseOf(sha)).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
    expect(sha).toContain('algorithm=SHA-256');
  });

  it('answers a challenge without qop the RFC 2069 way (as SIP registrars often send)', () => {
    const challenge = parseDigestChallenge('Digest realm="biloxi.com", nonce="n1"');
    const credentials = digestCredentials(challenge, {
      ...request,
      method: 'INVITE',
      uri: 'sip:bob@biloxi.com',
    });
    expect(credentials).not.toContain('qop=');
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    const expected = md5(`${md5('Mufasa:biloxi.com:Circle of Life')}:n1:${md5('INVITE:sip:bob@biloxi.com')}`);
    expect(responseOf(credentials)).toBe(expected);
  });

  it('refuses what it cannot answer', () => {
    expect(() => parseDigestChallenge('Basic realm="x"')).toThrow(DigestError);
    expect(() => parseDigestChallenge('Digest nonce="x"')).toThrow(/realm/);
    const unknown = parseDigestChallenge('Digest realm="r", nonce="n", algorithm=SHA-1');
    expect(() => digestCredentials(unknown, request)).toThrow(/SHA-1/);
    const intOnly = parseDigestChallenge('Digest realm="r", nonce="n", qop="auth-int"');
    expect(() => digestCredentials(intOnly, request)).toThrow(/auth-int/);
  });
});
