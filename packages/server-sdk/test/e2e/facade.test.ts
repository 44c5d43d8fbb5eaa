/**
 * End to end: the `@vonage/video`-compatible `Video` facade against the real reference server, with the
 * calls an app migrating from `@vonage/video` makes first. Operations the server does not implement yet
 * are recognised by its 501 answer, as in `resources.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type APIError, InternalServerError, Video } from '../../src/index.js';
import { type ReferenceServer, startReferenceServer } from './support/reference-server.js';

let server: ReferenceServer;
let video: Video;
beforeAll(async () => {
  server = await startReferenceServer();
  const { applicationId, privateKey } = server.credentials;
  video = new Video({ applicationId, privateKey }, { videoHost: server.url, maxRetries: 0 });
}, 60_000);
afterAll(async () => {
  await video?.client.close();
  await server?.close();
});

describe('Video facade on the reference server', () => {
  it('creates sessions and mints tokens the server accepts, then drives the live session', async () => {
    const session = await video.createSession({ mediaMode: 'enabled', location: '203.0.113.9' });
    expect(session).toMatchObject({ mediaMode: 'enabled', archiveMode: 'manual', location: '203.0.113.9' });
    const token = video.generateClientToken(session.sessionId, { role: 'moderator', data: 'name=Ada' });
    expect(await server.verifyToken(token)).toMatchObject({
      format: 'vonage-jwt',
      sessionId: session.sessionId,
      role: 'moderator',
      connectionData: 'name=Ada',
    });

    const ada = await server.join(session.sessionId, token);
    await ada.publish('cam', 'Ada');
    expect(await video.getStreamInfo(session.sessionId)).toMatchObject({ count: 1, items: [{ id: 'cam' }] });
    await video.setStreamClassLists(session.sessionId, [{ id: 'cam', layoutClassList: ['full'] }]);
    expect(await video.getStreamInfo(session.sessionId, 'cam')).toMatchObject({ layoutClassList: ['full'] });
    await video.sendSignal({ type: 'note', data: 'hello' }, session.sessionId, ada.connectionId);
    expect(await video.forceMuteAll(session.sessionId, ['cam'])).toMatchObject({
      applicationId: server.credentials.applicationId,
    });
    await video.disableForceMute(session.sessionId);
    await video.muteStream(session.sessionId, 'cam');

    const bo = await server.join(session.sessionId, video.generateClientToken(session.sessionId));
    await video.disconnectClient(session.sessionId, bo.connectionId);
    expect((await bo.closed).code).toBe(1000);
  });

  it('lists archives, or surfaces the server’s 501 as a typed error while archiving is not implemented', async () => {
    const { sessionId } = await video.createSession();
    try {
      const page = await video.searchArchives({ sessionId });
      expect(page.count).toBeGreaterThanOrEqual(page.items.length);
    } catch (error) {
      expect(error).toBeInstanceOf(InternalServerError);
      expect(error).toMatchObject({ status: 501, code: 50101 });
      expect((error as APIError).message).toContain('listArchives is not implemented');
    }
  });
});
