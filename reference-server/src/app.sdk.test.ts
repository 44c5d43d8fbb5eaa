/**
 * The official server SDKs against the app over real HTTP: they create sessions and register callbacks
 * here exactly as they would at Vonage, and the tokens they mint locally pass the server's verifier.
 */
import { MediaMode, Video } from '@vonage/video';
import OpenTok from 'opentok';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './testing/harness.js';
import { verifyClientToken } from './tokens/client-token.js';

/** The callback-style methods of the `opentok` SDK this file calls (its bundled typings omit them). */
interface OpenTokClient {
  createSession(
    options: { mediaMode?: 'routed' | 'relayed'; archiveMode?: 'manual' | 'always'; location?: string },
    callback: (error: Error | null, session?: { sessionId: string }) => void,
  ): void;
  generateToken(sessionId: string, options?: { role?: string; data?: string }, t1?: boolean): string;
  registerCallback(
    options: { group: string; event: string; url: string },
    callback: (error: Error | null, result?: { id: string }) => void,
  ): void;
  listCallbacks(callback: (error: Error | null, result?: Array<{ id: string; url: string }>) => void): void;
}

const promisify =
  <A extends unknown[], T>(fn: (...args: [...A, (error: Error | null, value?: T) => void]) => void) =>
  (...args: A): Promise<T> =>
    new Promise((resolve, reject) => {
      fn(...args, (error, value) => (error ? reject(error) : resolve(value as T)));
    });

describe('official SDKs over HTTP', () => {
  let h: Harness;
  let url: string;
  beforeAll(async () => {
    h = await createHarness();
    url = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await h.close();
  });

  const verify = (token: string) => verifyClientToken(token, (id) => h.store.projects.get(id));

  it('opentok (API key and secret) creates sessions whose tokens the server verifies', async () => {
    const ot = new OpenTok(h.project.apiKey, h.project.apiSecret, {
      apiUrl: url,
    }) as unknown as OpenTokClient;
    const createSession = promisify(ot.createSession.bind(ot));
    const routed = await createSession({ mediaMode: 'routed', archiveMode: 'always' });
    expect((await h.store.sessions.get(routed.sessionId))?.archiveMode).toBe('always');
    const relayed = await createSession({ location: '192.0.2.7' });
    expect(await h.store.sessions.get(relayed.sessionId)).toMatchObject({
      mediaMode: 'relayed',
      location: '192.0.2.7',
    });

    // generateToken checks the session ID embeds this API key before signing.
    const jwt = ot.generateToken(routed.sessionId, { role: 'moderator', data: 'name=Ada' });
    expect(await verify(jwt)).toMatchObject({
      sessionId: routed.sessionId,
      role: 'moderator',
      connectionData: 'name=Ada',
    });
    const t1 = ot.generateToken(relayed.sessionId, { role: 'subscriber' }, true);
    expect(t1.startsWith('T1==')).toBe(true);
    expect(await verify(t1)).toMatchObject({
      sessionId: relayed.sessionId,
      role: 'subscriber',
      format: 't1',
    });
  });

  it('opentok refuses locally what the server would refuse (always-archived relayed session)', async () => {
    const ot = new OpenTok(h.project.apiKey, h.project.apiSecret, {
      apiUrl: url,
    }) as unknown as OpenTokClient;
    await expect(
      promisify(ot.createSession.bind(ot))({ mediaMode: 'relayed', archiveMode: 'always' }),
    ).rejects.toThrow(/routed/);
  });

  it('opentok in Vonage mode (application ID and private key) authenticates with Bearer JWTs', async () => {
    const ot = new OpenTok(h.project.applicationId, h.credentials.privateKeyPem, {
      apiUrl: url,
    }) as unknown as OpenTokClient;
    const session = await promisify(ot.createSession.bind(ot))({ mediaMode: 'routed' });
    expect((await h.store.sessions.get(session.sessionId))?.applicationId).toBe(h.project.applicationId);
    expect(await verify(ot.generateToken(session.sessionId))).toMatchObject({
      format: 'vonage-jwt',
      role: 'publisher',
    });
  });

  it('opentok registers and lists callbacks', async () => {
    const ot = new OpenTok(h.project.apiKey, h.project.apiSecret, {
      apiUrl: url,
    }) as unknown as OpenTokClient;
    const registered = await promisify(ot.registerCallback.bind(ot))({
      group: 'connection',
      event: 'created',
      url: 'https://hooks.example.com/connections',
    });
    const listed = await promisify(ot.listCallbacks.bind(ot))();
    expect(listed.map((c) => c.id)).toContain(registered.id);
  });

  it('@vonage/video creates sessions (sending location=null) and mints tokens the server verifies', async () => {
    const video = new Video(
      { applicationId: h.project.applicationId, privateKey: h.credentials.privateKeyPem },
      { videoHost: url },
    );
    const routed = await video.createSession();
    expect(await h.store.sessions.get(routed.sessionId)).toMatchObject({
      mediaMode: 'routed',
      location: null,
    });
    const relayed = await video.createSession({ mediaMode: MediaMode.RELAYED, location: '198.51.100.4' });
    expect((await h.store.sessions.get(relayed.sessionId))?.mediaMode).toBe('relayed');

    const token = video.generateClientToken(routed.sessionId, { role: 'moderator', data: 'user=7' });
    expect(await verify(token)).toMatchObject({
      format: 'vonage-jwt',
      sessionId: routed.sessionId,
      role: 'moderator',
      connectionData: 'user=7',
    });
  });

  it('@vonage/video with another application’s key is refused', async () => {
    const other = await h.addProject();
    const video = new Video(
      { applicationId: h.project.applicationId, privateKey: other.credentials.privateKeyPem },
      { videoHost: url },
    );
    await expect(video.createSession()).rejects.toThrow();
  });
});
