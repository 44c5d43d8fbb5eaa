import { createHmac, generateKeyPairSync } from 'node:crypto';
import { Video } from '@vonage/video';
import { SignJWT } from 'jose';
import OpenTok from 'opentok';
import { describe, expect, it } from 'vitest';
import type { ProjectRecord } from '../store/types.js';
import { type ClientTokenErrorReason, verifyClientToken } from './client-token.js';
import { encodeSessionId } from './session-id.js';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKeyPem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const otherKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });

const project: ProjectRecord = {
  applicationId: '5f2b1d2e-8a61-4c3b-9a7e-0d1c2b3a4f56',
  apiKey: '47000001',
  apiSecret: 'c2VjcmV0LWFwaS1zZWNyZXQtZm9yLXRlc3Rz',
  publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  webhookSecret: 'whsec_dGVzdA==',
  name: 'Test',
  status: 'ACTIVE',
  callbackUrls: {},
  archiveStorage: null,
  createdAt: 0,
  updatedAt: 0,
};
const other: ProjectRecord = {
  ...project,
  applicationId: '0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d',
  apiKey: '47000002',
  apiSecret: 'another-secret',
  publicKeyPem: otherKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
};
const projects = [project, other];
const resolve = async (id: string) => projects.find((p) => p.applicationId === id || p.apiKey === id) ?? null;

const sessionId = encodeSessionId({ ...project, location: null, createdAt: 1_700_000_000_000 });
const otherSessionId = encodeSessionId({ ...other, location: null, createdAt: 1_700_000_000_000 });
const nowSec = () => Math.floor(Date.now() / 1000);

const expectRefusal = async (token: string, reason: ClientTokenErrorReason, options = {}) => {
  await expect(verifyClientToken(token, resolve, options)).rejects.toMatchObject({
    name: 'ClientTokenError',
    reason,
  });
};

/** Signs claims as a legacy HS256 client token would be, with the given secret and header. */
const hs256 = (
  claims: Record<string, unknown>,
  secret = project.apiSecret,
  header: Record<string, unknown> = {},
) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header }).sign(Buffer.from(secret));

const rs256 = (claims: Record<string, unknown>, key = keys.privateKey) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(key);

const legacyClaims = (overrides: Record<string, unknown> = {}) => ({
  iss: project.apiKey,
  ist: 'project',
  iat: nowSec(),
  exp: nowSec() + 3600,
  scope: 'session.connect',
  session_id: sessionId,
  role: 'publisher',
  nonce: 0.5,
  ...overrides,
});

const vonageClaims = (overrides: Record<string, unknown> = {}) => ({
  application_id: project.applicationId,
  iat: nowSec(),
  exp: nowSec() + 3600,
  jti: 'jti-1',
  scope: 'session.connect',
  session_id: sessionId,
  role: 'publisher',
  ...overrides,
});

/** Builds a T1 token over `data` exactly as the OpenTok SDKs do. */
const t1 = (data: string, secret = project.apiSecret, partnerId = project.apiKey) => {
  const sig = createHmac('sha1', secret).update(data).digest('hex');
  return `T1==${Buffer.from(`partner_id=${partnerId}&sig=${sig}:${data}`).toString('base64')}`;
};

describe('tokens minted by the official opentok package', () => {
  const opentok = new OpenTok(project.apiKey, project.apiSecret);
  const options = {
    role: 'moderator' as const,
    data: 'name=Alice&x=1',
    initialLayoutClassList: ['focus', 'full'],
    expireTime: nowSec() + 7200,
  };

  it('verifies its default legacy JWT', async () => {
    const verified = await verifyClientToken(opentok.generateToken(sessionId, options), resolve);
    expect(verified).toMatchObject({
      format: 'legacy-jwt',
      applicationId: project.applicationId,
      apiKey: project.apiKey,
      sessionId,
      role: 'moderator',
      connectionData: 'name=Alice&x=1',
      initialLayoutClassList: ['focus', 'full'],
      expiresAt: options.expireTime * 1000,
    });
    expect(verified.nonce).toMatch(/^0\.\d+/);
    expect(verified.issuedAt).toBeGreaterThan(0);
  });

  it('verifies its T1 token', async () => {
    const verified = await verifyClientToken(opentok.generateToken(sessionId, options, true), resolve);
    expect(verified).toMatchObject({
      format: 't1',
      sessionId,
      role: 'moderator',
      connectionData: 'name=Alice&x=1',
      initialLayoutClassList: ['focus', 'full'],
      expiresAt: options.expireTime * 1000,
    });
  });

  it('verifies a default token as a publisher with no data for 24 hours', async () => {
    const verified = await verifyClientToken(opentok.generateToken(sessionId), resolve);
    expect(verified).toMatchObject({ role: 'publisher', connectionData: '', initialLayoutClassList: [] });
    // opentok rounds the expiry but floors `iat`, so the lifetime is 24 h or 24 h + 1 s.
    const lifetime = (verified.expiresAt - (verified.issuedAt ?? 0)) / 1000;
    expect([86_400, 86_401]).toContain(lifetime);
  });

  it('verifies its Vonage-mode (application ID + private key) RS256 token', async () => {
    const vonageMode = new OpenTok(project.applicationId, privateKeyPem);
    const verified = await verifyClientToken(vonageMode.generateToken(sessionId, options), resolve);
    expect(verified).toMatchObject({
      format: 'vonage-jwt',
      applicationId: project.applicationId,
      role: 'moderator',
      connectionData: 'name=Alice&x=1',
      initialLayoutClassList: ['focus', 'full'],
    });
    expect(verified.nonce).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is refused for a project with another secret', async () => {
    const impostor = new OpenTok(project.apiKey, 'not-the-secret');
    await expectRefusal(impostor.generateToken(sessionId), 'bad-signature');
    await expectRefusal(impostor.generateToken(sessionId, {}, true), 'bad-signature');
  });
});

describe('tokens minted by @vonage/video', () => {
  const video = new Video({ applicationId: project.applicationId, privateKey: privateKeyPem });

  it('verifies generateClientToken', async () => {
    const token = video.generateClientToken(sessionId, {
      role: 'subscriber',
      data: 'userId=42',
      initialLayoutClassList: ['small'],
      expireTime: nowSec() + 600,
    });
    const verified = await verifyClientToken(token, resolve);
    expect(verified).toMatchObject({
      format: 'vonage-jwt',
      applicationId: project.applicationId,
      apiKey: project.apiKey,
      sessionId,
      role: 'subscriber',
      connectionData: 'userId=42',
      initialLayoutClassList: ['small'],
    });
  });

  it('is refused when signed with another application’s key', async () => {
    const impostor = new Video({
      applicationId: project.applicationId,
      privateKey: otherKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    await expectRefusal(impostor.generateClientToken(sessionId), 'bad-signature');
  });
});

describe('claim-name differences between SDKs', () => {
  it('reads `data` (Ruby) as connection data and `subject` is harmless', async () => {
    const token = await rs256(vonageClaims({ data: 'ruby', subject: 'video' }));
    expect((await verifyClientToken(token, resolve)).connectionData).toBe('ruby');
  });

  it('accepts the layout class list as an array (Python)', async () => {
    const token = await rs256(vonageClaims({ initial_layout_class_list: ['a', 'b c'] }));
    expect((await verifyClientToken(token, resolve)).initialLayoutClassList).toEqual(['a', 'b', 'c']);
  });

  it('accepts `ist` in the JWT header (Ruby) or not at all', async () => {
    const { ist: _ist, ...withoutIst } = legacyClaims();
    expect(
      (await verifyClientToken(await hs256(withoutIst, undefined, { ist: 'project' }), resolve)).format,
    ).toBe('legacy-jwt');
    expect((await verifyClientToken(await hs256(withoutIst), resolve)).format).toBe('legacy-jwt');
  });

  it('reads `expire_time` when `exp` is absent, and a numeric iss', async () => {
    const expireTime = nowSec() + 60;
    const { exp: _exp, ...claims } = legacyClaims({ iss: Number(project.apiKey), expire_time: expireTime });
    const verified = await verifyClientToken(await hs256(claims), resolve);
    expect(verified.expiresAt).toBe(expireTime * 1000);
  });

  it('gives a T1 token without expire_time 24 hours after create_time', async () => {
    const created = nowSec();
    const verified = await verifyClientToken(
      t1(`session_id=${sessionId}&create_time=${created}&role=subscriber&nonce=123`),
      resolve,
    );
    expect(verified).toMatchObject({ format: 't1', role: 'subscriber', nonce: '123' });
    expect(verified.expiresAt).toBe((created + 86_400) * 1000);
  });

  it('decodes `+` as a space in T1 data (Python urlencode) and accepts any parameter order', async () => {
    const data = `role=publisher&connection_data=hello+world&initial_layout_class_list=a+b&expire_time=${
      nowSec() + 60
    }&create_time=${nowSec()}&session_id=${sessionId}&nonce=x`;
    const verified = await verifyClientToken(t1(data), resolve);
    expect(verified).toMatchObject({ connectionData: 'hello world', initialLayoutClassList: ['a', 'b'] });
  });
});

describe('refused tokens', () => {
  it('tampered payload', async () => {
    const [h, , s] = (await hs256(legacyClaims())).split('.');
    const forged = Buffer.from(JSON.stringify(legacyClaims({ role: 'moderator' }))).toString('base64url');
    await expectRefusal(`${h}.${forged}.${s}`, 'bad-signature');
    const good = t1(`session_id=${sessionId}&create_time=${nowSec()}&role=publisher`);
    const decoded = Buffer.from(good.slice(4), 'base64')
      .toString()
      .replace('role=publisher', 'role=moderator');
    await expectRefusal(`T1==${Buffer.from(decoded).toString('base64')}`, 'bad-signature');
  });

  it('wrong secret', async () => {
    await expectRefusal(await hs256(legacyClaims(), 'wrong'), 'bad-signature');
    await expectRefusal(t1(`session_id=${sessionId}&create_time=${nowSec()}`, 'wrong'), 'bad-signature');
  });

  it('unknown project', async () => {
    await expectRefusal(await hs256(legacyClaims({ iss: '99999' })), 'unknown-project');
    await expectRefusal(await rs256(vonageClaims({ application_id: 'nope' })), 'unknown-project');
    await expectRefusal(
      t1(`session_id=${sessionId}&create_time=${nowSec()}`, project.apiSecret, '1'),
      'unknown-project',
    );
  });

  it('a session of another project', async () => {
    await expectRefusal(await hs256(legacyClaims({ session_id: otherSessionId })), 'session-mismatch');
    await expectRefusal(await hs256(legacyClaims({ session_id: 'not-a-session' })), 'session-mismatch');
    const foreign = new OpenTok(other.apiKey, other.apiSecret).generateToken(otherSessionId);
    expect((await verifyClientToken(foreign, resolve)).applicationId).toBe(other.applicationId);
  });

  it('alg none and algorithm confusion', async () => {
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
      JSON.stringify(legacyClaims()),
    ).toString('base64url')}.`;
    await expectRefusal(none, 'unsupported-algorithm');
    await expectRefusal(
      await new SignJWT(legacyClaims())
        .setProtectedHeader({ alg: 'HS512' })
        .sign(Buffer.from(project.apiSecret)),
      'unsupported-algorithm',
    );
    // HS256 "signed" with the public key, aimed at the RS256 path: it is verified with the API secret instead.
    await expectRefusal(
      await hs256(vonageClaims({ iss: project.apiKey }), project.publicKeyPem),
      'bad-signature',
    );
    // An RS256 header over an HMAC signature.
    const [, payload, sig] = (await hs256(vonageClaims(), project.publicKeyPem)).split('.');
    const header = Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url');
    await expectRefusal(`${header}.${payload}.${sig}`, 'bad-signature');
  });

  it('expired, beyond the clock tolerance only', async () => {
    const token = await hs256(legacyClaims({ exp: nowSec() - 10 }));
    expect((await verifyClientToken(token, resolve)).role).toBe('publisher');
    await expectRefusal(token, 'expired', { clockToleranceSec: 5 });
    const opentokToken = new OpenTok(project.apiKey, project.apiSecret).generateToken(sessionId, {}, true);
    await expectRefusal(opentokToken, 'expired', { now: Date.now() + 86_400_000 + 60_000 });
  });

  it('not yet valid', async () => {
    await expectRefusal(
      await hs256(legacyClaims({ iat: nowSec() + 600, exp: nowSec() + 1200 })),
      'not-yet-valid',
    );
    await expectRefusal(await rs256(vonageClaims({ nbf: nowSec() + 600 })), 'not-yet-valid');
  });

  it('expiry more than 30 days after issue', async () => {
    const iat = nowSec();
    expect(
      await verifyClientToken(await hs256(legacyClaims({ iat, exp: iat + 30 * 86_400 })), resolve),
    ).toBeTruthy();
    await expectRefusal(await hs256(legacyClaims({ iat, exp: iat + 30 * 86_400 + 1 })), 'expiry-too-long');
    await expectRefusal(
      t1(`session_id=${sessionId}&create_time=${iat}&expire_time=${iat + 31 * 86_400}`),
      'expiry-too-long',
    );
  });

  it('connection data or layout classes too long', async () => {
    expect(
      await verifyClientToken(await rs256(vonageClaims({ connection_data: 'x'.repeat(1000) })), resolve),
    ).toBeTruthy();
    await expectRefusal(await rs256(vonageClaims({ connection_data: 'x'.repeat(1001) })), 'data-too-long');
    await expectRefusal(
      await rs256(vonageClaims({ initial_layout_class_list: Array(200).fill('class').join(' ') })),
      'layout-classes-too-long',
    );
  });

  it('invalid role', async () => {
    await expectRefusal(await rs256(vonageClaims({ role: 'admin' })), 'invalid-role');
    await expectRefusal(t1(`session_id=${sessionId}&create_time=${nowSec()}&role=owner`), 'invalid-role');
  });

  it('wrong scope: REST and account tokens are not client tokens', async () => {
    const { scope: _scope, session_id: _sid, ...rest } = vonageClaims();
    await expectRefusal(await rs256(rest), 'wrong-scope');
    await expectRefusal(await hs256(legacyClaims({ ist: 'account' })), 'wrong-scope');
    await expectRefusal(await hs256(legacyClaims({ scope: 'session.admin' })), 'wrong-scope');
    await expectRefusal(t1(`session_id=${sessionId}&create_time=${nowSec()}&scope=other`), 'wrong-scope');
  });

  it('a suspended project', async () => {
    const suspended = async (id: string) =>
      (await resolve(id)) ? { ...project, status: 'SUSPENDED' as const } : null;
    await expect(verifyClientToken(await rs256(vonageClaims()), suspended)).rejects.toMatchObject({
      reason: 'project-suspended',
    });
  });

  it.each([
    ['empty', ''],
    ['garbage', 'hello'],
    ['two-part JWT', 'a.b'],
    ['T1 with bad base64', 'T1==***'],
    ['T1 without a colon', `T1==${Buffer.from('partner_id=1&sig=00').toString('base64')}`],
  ])('malformed: %s', async (_name, token) => {
    await expectRefusal(token, 'malformed');
  });

  it('malformed claims name the claim', async () => {
    await expect(verifyClientToken(await rs256(vonageClaims({ session_id: 5 })), resolve)).rejects.toThrow(
      /session_id/,
    );
    await expect(verifyClientToken(await rs256(vonageClaims({ exp: 'soon' })), resolve)).rejects.toThrow(
      /exp/,
    );
    const { exp: _exp, ...noExpiry } = vonageClaims();
    await expectRefusal(await rs256(noExpiry), 'malformed');
    await expect(
      verifyClientToken(await rs256(vonageClaims({ connection_data: 7 })), resolve),
    ).rejects.toThrow(/connection_data/);
    await expectRefusal(
      t1(`session_id=${sessionId}&create_time=${nowSec()}&role=publisher&role=moderator`),
      'malformed',
    );
    await expectRefusal(t1(`session_id=${sessionId}&create_time=soon`), 'malformed');
  });
});
