import { createRequire } from 'node:module';
import { Video as VonageVideo } from '@vonage/video';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../core/errors.js';
import { importHmacSecret, importRsaPrivateKey } from '../core/keys.js';
import {
  API_KEY,
  API_SECRET,
  APPLICATION_ID,
  SESSION_ID,
  sessionIdFor,
  testKeyPair,
} from '../testing/fixtures.js';
import { decodeClientToken } from '../testing/token-decoder.js';
import { ClientTokenMinter } from './tokens.js';

const require = createRequire(import.meta.url);
const OpenTok = require('opentok') as new (
  apiKey: string,
  apiSecret: string,
) => { generateToken(sessionId: string, options?: object, t1?: boolean): string };

const { privateKeyPem, publicKey } = testKeyPair();
const keys = { publicKey, apiSecret: API_SECRET };
const application = { applicationId: APPLICATION_ID, key: importRsaPrivateKey(privateKeyPem) };
const project = { apiKey: API_KEY, secret: importHmacSecret(API_SECRET) };
const now = () => Math.floor(Date.now() / 1000);

describe('ClientTokenMinter: the three formats verify with the documented algorithms and claims', () => {
  it('mints a Vonage RS256 JWT with application credentials', async () => {
    const minter = new ClientTokenMinter({ application });
    const token = await minter.generate(SESSION_ID, {
      role: 'moderator',
      data: 'name=Alice',
      initialLayoutClassList: ['focus', 'big'],
    });
    const decoded = await decodeClientToken(token, keys);
    expect(decoded).toMatchObject({
      format: 'vonage-jwt',
      issuer: APPLICATION_ID,
      sessionId: SESSION_ID,
      role: 'moderator',
      connectionData: 'name=Alice',
      layoutClassList: 'focus big',
    });
    expect(decoded.claims).toMatchObject({ sub: 'video', acl: { paths: { '/session/**': {} } } });
    expect(decoded.claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(decoded.expiresAt - Number(decoded.claims.iat)).toBe(86_400);
  });

  it('mints a legacy HS256 JWT with an API key and secret', async () => {
    const minter = new ClientTokenMinter({ project });
    const token = await minter.generate(SESSION_ID, { role: 'subscriber' });
    const decoded = await decodeClientToken(token, keys);
    expect(decoded).toMatchObject({
      format: 'legacy-jwt',
      issuer: API_KEY,
      sessionId: SESSION_ID,
      role: 'subscriber',
    });
    expect(decoded.claims).toMatchObject({ ist: 'project', scope: 'session.connect' });
    expect(decoded.claims.nonce).toBeTypeOf('string');
  });

  it('mints a T1 token whose HMAC-SHA1 signature verifies', async () => {
    const minter = new ClientTokenMinter({ project });
    const token = await minter.generate(SESSION_ID, {
      format: 'T1',
      data: 'a b&c=d',
      initialLayoutClassList: 'x y',
    });
    expect(token.startsWith('T1==')).toBe(true);
    const decoded = await decodeClientToken(token, keys);
    expect(decoded).toMatchObject({
      format: 'T1',
      issuer: API_KEY,
      sessionId: SESSION_ID,
      role: 'publisher',
      connectionData: 'a b&c=d',
      layoutClassList: 'x y',
    });
    await expect(decodeClientToken(token, { apiSecret: 'wrong' })).rejects.toThrow('bad T1 signature');
  });

  it('prefers the Vonage JWT when both credential kinds are configured', async () => {
    const minter = new ClientTokenMinter({ application, project });
    expect((await decodeClientToken(await minter.generate(SESSION_ID), keys)).format).toBe('vonage-jwt');
    expect((await decodeClientToken(await minter.generate(SESSION_ID, { format: 'T1' }), keys)).format).toBe(
      'T1',
    );
  });

  it('generateSync mints tokens that verify exactly like the jose-signed ones', async () => {
    for (const credentials of [{ application }, { project }]) {
      const minter = new ClientTokenMinter(credentials);
      const options = { role: 'publisheronly' as const, data: 'd', expireTime: now() + 600 };
      const sync = await decodeClientToken(minter.generateSync(SESSION_ID, options), keys);
      const async = await decodeClientToken(await minter.generate(SESSION_ID, options), keys);
      expect({ ...sync, claims: undefined }).toEqual({ ...async, claims: undefined });
      expect(Object.keys(sync.claims).sort()).toEqual(Object.keys(async.claims).sort());
    }
  });

  it('a tampered token does not verify', async () => {
    const token = await new ClientTokenMinter({ application }).generate(SESSION_ID);
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()),
        role: 'moderator',
      }),
    ).toString('base64url');
    await expect(decodeClientToken(`${header}.${forged}.${signature}`, keys)).rejects.toThrow();
  });
});

describe('ClientTokenMinter: validation names the field', () => {
  const minter = new ClientTokenMinter({ project });
  const cases: [string, object, string][] = [
    ['an unknown role', { role: 'admin' }, 'options.role'],
    ['an expiry in the past', { expireTime: now() - 10 }, 'options.expireTime'],
    ['an expiry beyond 30 days', { expireTime: now() + 31 * 86_400 }, 'options.expireTime'],
    ['a non-numeric expiry', { expireTime: 'tomorrow' }, 'options.expireTime'],
    ['connection data over 1000 characters', { data: 'x'.repeat(1001) }, 'options.data'],
    [
      'a layout class list over 1000 characters',
      { initialLayoutClassList: ['y'.repeat(1001)] },
      'options.initialLayoutClassList',
    ],
    ['a layout class list of non-strings', { initialLayoutClassList: [1] }, 'options.initialLayoutClassList'],
    ['an unknown format', { format: 'T2' }, 'options.format'],
  ];
  it.each(cases)('rejects %s', (_label, options, field) => {
    expect(() => minter.generateSync(SESSION_ID, options as never)).toThrow(InvalidArgumentError);
    expect(() => minter.generateSync(SESSION_ID, options as never)).toThrow(
      expect.objectContaining({ field }),
    );
  });

  it('accepts the limits themselves: 1000 characters and exactly 30 days', async () => {
    const token = minter.generateSync(SESSION_ID, {
      data: 'x'.repeat(1000),
      expireTime: now() + 30 * 86_400,
    });
    expect((await decodeClientToken(token, keys)).connectionData).toHaveLength(1000);
  });

  it('accepts a Date as expireTime', async () => {
    const expiry = new Date(Date.now() + 3_600_000);
    const decoded = await decodeClientToken(minter.generateSync(SESSION_ID, { expireTime: expiry }), keys);
    expect(decoded.expiresAt).toBe(Math.floor(expiry.getTime() / 1000));
  });

  it('refuses a session of another project with a legacy key', () => {
    expect(() => minter.generateSync(sessionIdFor('999999'))).toThrow(/belongs to project 999999/);
    expect(() => minter.generateSync('not-a-session')).toThrow(InvalidArgumentError);
  });

  it('refuses T1 with application credentials only, and minting with no credentials', () => {
    expect(() => new ClientTokenMinter({ application }).generateSync(SESSION_ID, { format: 'T1' })).toThrow(
      expect.objectContaining({ field: 'options.format' }),
    );
    expect(() => new ClientTokenMinter({}).generateSync(SESSION_ID)).toThrow(
      expect.objectContaining({ field: 'credentials' }),
    );
  });
});

describe('tokens of the official SDKs decode the same way as ours', () => {
  const options = { role: 'moderator' as const, data: 'name=Bob', initialLayoutClassList: ['a', 'b'] };

  it('@vonage/video generateClientToken ≡ our Vonage JWT', async () => {
    const vonage = new VonageVideo({ applicationId: APPLICATION_ID, privateKey: privateKeyPem });
    const theirs = await decodeClientToken(vonage.generateClientToken(SESSION_ID, options), keys);
    const ours = await decodeClientToken(
      await new ClientTokenMinter({ application }).generate(SESSION_ID, options),
      keys,
    );
    expect({ ...ours, claims: undefined, expiresAt: 0 }).toEqual({
      ...theirs,
      claims: undefined,
      expiresAt: 0,
    });
    expect(Math.abs(ours.expiresAt - theirs.expiresAt)).toBeLessThanOrEqual(2);
    expect(Object.keys(ours.claims).sort()).toEqual(Object.keys(theirs.claims).sort());
  });

  it('opentok generateToken (JWT and T1) ≡ ours', async () => {
    const opentok = new OpenTok(API_KEY, API_SECRET);
    const minter = new ClientTokenMinter({ project });
    for (const format of ['jwt', 'T1'] as const) {
      const theirs = await decodeClientToken(
        opentok.generateToken(SESSION_ID, options, format === 'T1'),
        keys,
      );
      const ours = await decodeClientToken(await minter.generate(SESSION_ID, { ...options, format }), keys);
      expect({ ...ours, claims: undefined, expiresAt: 0 }).toEqual({
        ...theirs,
        claims: undefined,
        expiresAt: 0,
      });
      expect(Math.abs(ours.expiresAt - theirs.expiresAt)).toBeLessThanOrEqual(2);
    }
  });
});
