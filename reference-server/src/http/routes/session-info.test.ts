import { Video } from '@vonage/video';
import { SignJWT } from 'jose';
import OpenTok from 'opentok';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppFixture, startAppFixture } from '../../../test/e2e/support/app-fixture.js';
import { encodeSessionId } from '../../tokens/session-id.js';
import { isClientPath } from './session-info.js';

let fx: AppFixture;
let sessionId: string;

beforeAll(async () => {
  fx = await startAppFixture({
    realtime: { iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' }] },
  });
  sessionId = await fx.createSession('relayed');
});
afterAll(() => fx.close());

const sessionInfo = (path: string, token?: string, host?: string) =>
  fx.harness.app.inject({
    method: 'GET',
    url: path,
    headers: {
      accept: 'application/json',
      'x-tb-version': '1',
      'x-tb-client-version': 'js-2.35.2',
      ...(token === undefined ? {} : { 'x-opentok-auth': token }),
      ...(host ? { host } : {}),
    },
  });

describe('session info', () => {
  it('answers the array form with the messaging URL of the request host, ICE servers and media properties', async () => {
    const res = await sessionInfo(
      `/session/${sessionId}?extended=true`,
      fx.token(sessionId),
      'parley.test:8443',
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.json()).toEqual([
      {
        session_id: sessionId,
        partner_id: fx.harness.project.apiKey,
        project_id: fx.harness.project.apiKey,
        application_id: fx.harness.project.applicationId,
        messaging_url: 'ws://parley.test:8443/rumorwebsocketsv2',
        messaging_server_url: 'parley.test',
        symphony_address: '/symphony.parley',
        media_server_hostname: 'parley.test',
        ice_servers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' }],
        properties: {
          p2p: { preference: { value: 'enabled' } },
          reconnection: true,
          renegotiation: true,
          simulcast: false,
          streamSimulcastRidEnabled: false,
          e2ee: false,
          singlePeerConnection: false,
        },
      },
    ]);
  });

  it('serves the proxied path and reports a routed session as p2p disabled', async () => {
    const routed = await fx.createSession('routed');
    const res = await sessionInfo(`/anvil.opentok.com/session/${routed}?extended=true`, fx.token(routed));
    expect(res.json()[0]).toMatchObject({
      session_id: routed,
      // The fixture's SFU engine has simulcast off (the default): routed sessions do not advertise it.
      properties: {
        p2p: { preference: { value: 'disabled' } },
        simulcast: false,
        streamSimulcastRidEnabled: false,
      },
    });
  });

  it('answers a Vonage JWT with the application ID as partner_id', async () => {
    const video = new Video({
      applicationId: fx.harness.credentials.applicationId,
      privateKey: fx.harness.credentials.privateKeyPem,
    });
    const res = await sessionInfo(`/session/${sessionId}`, video.generateClientToken(sessionId));
    expect(res.json()[0]).toMatchObject({ partner_id: fx.harness.project.applicationId });
  });

  it.each([
    ['a malformed token', 'garbage', '403', 'Invalid token format'],
    ['an expired token', 'expired', '403', 'Invalid token'],
    ['a token of another session', 'other', '403', 'Token does not match the session'],
  ])('answers %s with HTTP 200 and the error array', async (_name, kind, code, message) => {
    let token = kind;
    if (kind === 'expired') {
      const iat = Math.floor(Date.now() / 1000) - 7200;
      token = await new SignJWT({
        iss: fx.harness.project.apiKey,
        ist: 'project',
        scope: 'session.connect',
        session_id: sessionId,
        role: 'publisher',
        nonce: 'n',
        iat,
        exp: iat + 60,
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .sign(Buffer.from(fx.harness.project.apiSecret));
    }
    if (kind === 'other') token = fx.token(await fx.createSession());
    const res = await sessionInfo(`/session/${sessionId}`, token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([{ error: { code, errorMessage: { message } } }]);
  });

  it('answers 404 Session not found for a token of a session that does not exist', async () => {
    const ghost = encodeSessionId({ ...fx.harness.project, location: null, createdAt: Date.now() });
    const res = await sessionInfo(`/session/${ghost}`, fx.token(ghost));
    expect(res.json()).toEqual([{ error: { code: '404', errorMessage: { message: 'Session not found' } } }]);
  });

  it('answers 409 for a suspended project', async () => {
    const { project } = await fx.harness.addProject('suspended');
    await fx.harness.store.projects.update({ ...project, status: 'SUSPENDED' });
    const otherSession = encodeSessionId({ ...project, location: null, createdAt: Date.now() });
    const token = new OpenTok(project.apiKey, project.apiSecret).generateToken(otherSession);
    const res = await sessionInfo(`/session/${otherSession}`, token);
    expect(res.json()[0].error.code).toBe('409');
  });
});

describe('CORS, telemetry and configuration', () => {
  it('answers the preflight OpenTok.js sends from another origin', async () => {
    const res = await fx.harness.app.inject({
      method: 'OPTIONS',
      url: `/session/${sessionId}?extended=true`,
      headers: {
        origin: 'http://app.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-opentok-auth,x-tb-client-version,x-tb-connectionid,x-tb-version',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    for (const header of ['x-opentok-auth', 'x-tb-client-version', 'x-tb-connectionid', 'x-tb-version']) {
      expect(res.headers['access-control-allow-headers']).toContain(header);
    }
  });

  it('leaves the REST session creation out of CORS (its path only looks like session info)', () => {
    expect(isClientPath('/session/create')).toBe(false);
    expect(isClientPath('/session/create?x=1')).toBe(false);
    expect(isClientPath('/session/create/')).toBe(false);
    expect(isClientPath(`/session/${sessionId}`)).toBe(true);
    expect(isClientPath(`/anvil.opentok.com/session/${sessionId}`)).toBe(true);
  });

  it.each(['/logging/ClientEvent', '/hlg.tokbox.com/prod/logging/ClientQos'])(
    'accepts telemetry at %s with 204',
    async (url) => {
      const res = await fx.harness.app.inject({ method: 'POST', url, payload: { action: 'Connect' } });
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('*');
    },
  );

  it('answers the proxied live configuration with {}', async () => {
    const res = await fx.harness.app.inject({
      method: 'GET',
      url: `/config.opentok.com/project/${fx.harness.project.apiKey}/config.json`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
  });

  it('answers a plain GET of the signaling path with 426', async () => {
    const res = await fx.harness.app.inject({ method: 'GET', url: '/rumorwebsocketsv2' });
    expect(res.statusCode).toBe(426);
    expect(res.json()).toMatchObject({ code: 42670 });
  });

  it('lets a client joined through the app socket signal', async () => {
    const { client } = await fx.join(sessionId);
    const reply = await client.request(
      'signal',
      `/v2/partner/${fx.harness.project.apiKey}/session/${sessionId}/signal/1`,
      {
        type: 'x',
        data: 'y',
      },
    );
    expect(reply.status).toBe(200);
    await client.goodbye();
  });
});
