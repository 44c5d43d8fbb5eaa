import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountJwt,
  bearerJwt,
  createHarness,
  type Harness,
  json,
  opentokJwt,
} from '../../testing/harness.js';

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('REST authentication', () => {
  let h: Harness;
  let callbacksUrl: string;
  beforeAll(async () => {
    h = await createHarness();
    callbacksUrl = `/v2/project/${h.project.applicationId}/callback`;
  });
  afterAll(async () => {
    await h.close();
  });

  const get = (url: string, headers: Record<string, string>) => h.app.inject({ method: 'GET', url, headers });
  const expectError = (
    res: { statusCode: number; body: string },
    status: number,
    code: number,
    text?: string,
  ) => {
    expect(res.statusCode).toBe(status);
    const body = json<{ code: number; message: string }>(res);
    expect(body.code).toBe(code);
    if (text) expect(body.message).toContain(text);
  };

  describe('Authorization: Bearer (RS256)', () => {
    const bearer = async (claims: Record<string, unknown> = {}, now?: number) => ({
      authorization: `Bearer ${await bearerJwt(h.credentials, claims, now)}`,
    });

    it('accepts a valid token, with the application ID or the API key in the path', async () => {
      expect((await get(callbacksUrl, await bearer())).statusCode).toBe(200);
      expect((await get(`/v2/project/${h.project.apiKey}/callback`, await bearer())).statusCode).toBe(200);
    });

    it('allows 30 seconds of clock skew', async () => {
      expect((await get(callbacksUrl, await bearer({}, Date.now() - 900_000 - 20_000))).statusCode).toBe(200);
      expect((await get(callbacksUrl, await bearer({}, Date.now() + 20_000))).statusCode).toBe(200);
    });

    it('refuses expired tokens', async () => {
      expectError(await get(callbacksUrl, await bearer({}, Date.now() - 900_000 - 40_000)), 401, 40101);
    });

    it('refuses tokens issued or valid only in the future', async () => {
      expectError(await get(callbacksUrl, await bearer({}, Date.now() + 60_000)), 401, 40106);
      const nbf = Math.floor(Date.now() / 1000) + 120;
      expectError(await get(callbacksUrl, await bearer({ nbf })), 401, 40106);
    });

    it.each(['application_id', 'jti', 'exp', 'iat'])('refuses a token without %s', async (claim) => {
      expectError(await get(callbacksUrl, await bearer({ [claim]: undefined })), 401, 40107, claim);
    });

    it('accepts a jti only once', async () => {
      const headers = await bearer({ jti: randomUUID() });
      expect((await get(callbacksUrl, headers)).statusCode).toBe(200);
      expectError(await get(callbacksUrl, headers), 401, 40109);
    });

    it('refuses alg: none', async () => {
      const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({
        application_id: h.project.applicationId,
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 300,
        jti: randomUUID(),
      })}.`;
      expectError(await get(callbacksUrl, { authorization: `Bearer ${token}` }), 401, 40104, 'alg none');
    });

    it('refuses HS256 tokens signed with the public key (algorithm confusion)', async () => {
      const iat = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({
        application_id: h.project.applicationId,
        iat,
        exp: iat + 300,
        jti: randomUUID(),
      })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(h.project.publicKeyPem));
      expectError(await get(callbacksUrl, { authorization: `Bearer ${token}` }), 401, 40104, 'RS256');
    });

    it('refuses a token signed with another key', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const token = await bearerJwt({
        applicationId: h.project.applicationId,
        privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      });
      expectError(await get(callbacksUrl, { authorization: `Bearer ${token}` }), 401, 40105);
    });

    it('refuses unknown applications and malformed values', async () => {
      expectError(await get(callbacksUrl, await bearer({ application_id: randomUUID() })), 401, 40108);
      expectError(await get(callbacksUrl, { authorization: 'Bearer not-a-jwt' }), 401, 40103);
      expectError(await get(callbacksUrl, { authorization: `Basic ${btoa('a:b')}` }), 401, 40103, 'Bearer');
      const notJsonClaims = `${b64url({ alg: 'RS256' })}.${Buffer.from('not json').toString('base64url')}.x`;
      expectError(
        await get(callbacksUrl, { authorization: `Bearer ${notJsonClaims}` }),
        401,
        40103,
        'claims',
      );
    });

    it("never lets a project reach another project's resources", async () => {
      const other = await h.addProject();
      const res = await get(`/v2/project/${other.project.applicationId}/callback`, await bearer());
      expectError(res, 403, 40301, other.project.applicationId);
      const byKey = await get(`/v2/project/${other.project.apiKey}/callback`, await bearer());
      expectError(byKey, 403, 40301);
    });

    it('refuses a request carrying both kinds of credentials', async () => {
      const headers = { ...(await bearer()), 'x-opentok-auth': await opentokJwt(h.project) };
      expectError(await get(callbacksUrl, headers), 401, 40110);
    });
  });

  describe('X-OPENTOK-AUTH (HS256)', () => {
    it('accepts the opentok SDK form, ist in the JWT header (Ruby SDKs) and no ist at all', async () => {
      expect((await get(callbacksUrl, { 'x-opentok-auth': await opentokJwt(h.project) })).statusCode).toBe(
        200,
      );
      const rubyStyle = await opentokJwt(h.project, { ist: undefined }, Date.now(), { ist: 'project' });
      expect((await get(callbacksUrl, { 'x-opentok-auth': rubyStyle })).statusCode).toBe(200);
      const noIst = await opentokJwt(h.project, { ist: undefined });
      expect((await get(callbacksUrl, { 'x-opentok-auth': noIst })).statusCode).toBe(200);
    });

    it('refuses RS256 tokens, a wrong secret, unknown keys and a replayed jti', async () => {
      const rs256 = await bearerJwt(h.credentials, { iss: h.project.apiKey, ist: 'project' });
      expectError(await get(callbacksUrl, { 'x-opentok-auth': rs256 }), 401, 40104, 'HS256');
      const wrongSecret = await opentokJwt({ apiKey: h.project.apiKey, apiSecret: 'b'.repeat(40) });
      expectError(await get(callbacksUrl, { 'x-opentok-auth': wrongSecret }), 401, 40105);
      const unknown = await opentokJwt({ apiKey: '99999999', apiSecret: h.project.apiSecret });
      expectError(await get(callbacksUrl, { 'x-opentok-auth': unknown }), 401, 40108);
      const withJti = await opentokJwt(h.project, { jti: randomUUID() });
      expect((await get(callbacksUrl, { 'x-opentok-auth': withJti })).statusCode).toBe(200);
      expectError(await get(callbacksUrl, { 'x-opentok-auth': withJti }), 401, 40109);
    });

    it('refuses an ist that is neither project nor account', async () => {
      const token = await opentokJwt(h.project, { ist: 'admin' });
      expectError(await get(callbacksUrl, { 'x-opentok-auth': token }), 401, 40103, 'ist');
    });

    it('refuses the old secret once the secret is rotated', async () => {
      const { project } = await h.addProject('Rotating');
      const url = `/v2/project/${project.apiKey}/callback`;
      const before = await opentokJwt(project);
      // Verified once (and remembered as verified: see verified-hmac-tokens.ts) before the rotation.
      expect((await get(url, { 'x-opentok-auth': before })).statusCode).toBe(200);
      const rotated = await h.app.inject({
        method: 'POST',
        url: `/v2/project/${project.apiKey}/refreshSecret`,
        headers: { 'x-opentok-auth': await accountJwt(h.account) },
      });
      expect(rotated.statusCode).toBe(200);
      const { secret } = json<{ secret: string }>(rotated);
      expectError(await get(url, { 'x-opentok-auth': before }), 401, 40105);
      const after = await opentokJwt({ apiKey: project.apiKey, apiSecret: secret });
      expect((await get(url, { 'x-opentok-auth': after })).statusCode).toBe(200);
    });
  });

  describe('account credentials', () => {
    it('are required by project management and refused by project calls', async () => {
      expect((await get('/v2/project', { 'x-opentok-auth': await accountJwt(h.account) })).statusCode).toBe(
        200,
      );
      expectError(await get('/v2/project', { 'x-opentok-auth': await opentokJwt(h.project) }), 403, 40360);
      expectError(
        await get('/v2/project', { authorization: `Bearer ${await bearerJwt(h.credentials)}` }),
        403,
        40360,
      );
      expectError(await get(callbacksUrl, { 'x-opentok-auth': await accountJwt(h.account) }), 403, 40361);
    });

    it('must be signed with the account secret by the account key', async () => {
      const forged = await accountJwt({ apiKey: h.account.apiKey, apiSecret: h.project.apiSecret });
      expectError(await get('/v2/project', { 'x-opentok-auth': forged }), 401, 40105);
      const wrongKey = await accountJwt({ apiKey: h.project.apiKey, apiSecret: h.account.apiSecret });
      expectError(await get('/v2/project', { 'x-opentok-auth': wrongKey }), 401, 40108);
    });

    it('tell the caller what is missing', async () => {
      expectError(await get('/v2/project', {}), 401, 40102, 'account');
      expectError(await get(callbacksUrl, {}), 401, 40102, 'Bearer');
    });
  });
});
