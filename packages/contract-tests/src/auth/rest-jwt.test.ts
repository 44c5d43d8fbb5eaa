import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import { decodeJwt, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { CredentialsError, validateCredentials } from './credentials.js';
import { BROKEN_AUTH, RestJwtSigner } from './rest-jwt.js';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const credentials = {
  applicationId: 'app',
  privateKey,
  apiKey: '47123456',
  apiSecret: 'project-secret',
  accountKey: '1234567890',
  accountSecret: 'account-secret',
};
const signer = new RestJwtSigner(credentials);
const secret = (text: string) => createSecretKey(Buffer.from(text));

describe('RestJwtSigner', () => {
  it('signs the three documented schemes, each verifiable with its key', async () => {
    const bearer = (await signer.headers('vonage')).authorization?.replace('Bearer ', '') ?? '';
    expect((await jwtVerify(bearer, pair.publicKey, { algorithms: ['RS256'] })).payload).toMatchObject({
      application_id: 'app',
    });
    const legacy = (await signer.headers('opentok'))['x-opentok-auth'] ?? '';
    expect((await jwtVerify(legacy, secret('project-secret'))).payload).toMatchObject({
      iss: '47123456',
      ist: 'project',
    });
    const account = (await signer.headers('account'))['x-opentok-auth'] ?? '';
    expect((await jwtVerify(account, secret('account-secret'))).payload).toMatchObject({
      iss: '1234567890',
      ist: 'account',
    });
  });

  it('gives every token its own jti', async () => {
    const a = decodeJwt((await signer.headers('opentok'))['x-opentok-auth'] ?? '');
    const b = decodeJwt((await signer.headers('opentok'))['x-opentok-auth'] ?? '');
    expect(a.jti).not.toBe(b.jti);
  });

  it('breaks credentials in every documented way, none of which verifies', async () => {
    for (const broken of BROKEN_AUTH) {
      const headers = await signer.brokenHeaders('opentok', broken);
      const token = headers['x-opentok-auth'];
      if (broken === 'missing') {
        expect(headers).toEqual({});
        continue;
      }
      await expect(jwtVerify(token ?? '', secret('project-secret')), broken).rejects.toThrow();
    }
    const expired =
      (await signer.brokenHeaders('vonage', 'expired')).authorization?.replace('Bearer ', '') ?? '';
    expect(decodeJwt(expired).exp).toBeLessThan(Date.now() / 1000 - 3000);
  });

  it('names the missing credential', async () => {
    await expect(new RestJwtSigner({ apiKey: 'k', apiSecret: 's' }).headers('vonage')).rejects.toThrow(
      CredentialsError,
    );
    expect(() => validateCredentials({ applicationId: 'a' })).toThrow(
      'credentials.privateKey is required when credentials.applicationId is given',
    );
    expect(() => validateCredentials({})).toThrow(
      /need applicationId \+ privateKey .* or apiKey \+ apiSecret/,
    );
    expect(() => validateCredentials({ applicationId: 'a', privateKey: 'not pem' })).toThrow(
      /must be a PEM private key/,
    );
  });
});
