import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppFixture, startAppFixture } from '../../../test/e2e/support/app-fixture.js';
import { openTokLive, vonageVideo } from '../../../test/e2e/support/sdk-clients.js';

let fx: AppFixture;
beforeAll(async () => {
  fx = await startAppFixture();
});
afterAll(() => fx.close());

const streamUri = (sessionId: string, id: string) =>
  `/v2/partner/${fx.harness.project.apiKey}/session/${sessionId}/stream/${id}`;

describe('moderation from the REST API', () => {
  it('mutes one stream (opentok SDK) and 404s an unknown one (@vonage/video)', async () => {
    const sessionId = await fx.createSession();
    const alice = await fx.join(sessionId);
    await alice.client.request('create', streamUri(sessionId, 'a'), {
      channel: [{ id: 'audio1', type: 'audio' }],
    });
    await openTokLive(fx).forceMuteStream(sessionId, 'a');
    const mute = await alice.client.message(
      (m) => m.method === 'update' && m.uri === streamUri(sessionId, 'a'),
    );
    expect(mute.content).toEqual({ reason: 'mute', active: true, channels: ['audio'] });
    await expect(vonageVideo(fx).muteStream(sessionId, 'ghost')).rejects.toThrow();
  });

  it('mutes all streams but the excluded, mutes later joiners on entry, and stops (@vonage/video)', async () => {
    const sessionId = await fx.createSession();
    const video = vonageVideo(fx);
    // Muting a session nobody has joined yet still applies to those who join later.
    const details = await video.forceMuteAll(sessionId, ['keep']);
    expect(details).toMatchObject({
      id: fx.harness.project.apiKey,
      applicationId: fx.harness.project.applicationId,
    });
    expect(details).not.toHaveProperty('secret');
    const alice = await fx.join(sessionId);
    expect(alice.reply.body?.mute).toEqual({ active: true });
    const muted = await alice.client.request('create', streamUri(sessionId, 'm'), {
      channel: [{ id: 'audio1', type: 'audio' }],
    });
    expect(muted.body?.mute).toEqual({ active: true });
    await alice.client.message((m) => m.method === 'update' && m.uri === streamUri(sessionId, 'm'));
    const kept = await alice.client.request('create', streamUri(sessionId, 'keep'), {
      channel: [{ id: 'audio1', type: 'audio' }],
    });
    expect(kept.body?.mute).toBeUndefined();

    await openTokLive(fx).disableForceMute(sessionId);
    const off = await alice.client.message(
      (m) => m.method === 'update' && m.uri.endsWith(sessionId) && m.content.active === false,
    );
    expect(off.content).toEqual({ reason: 'mute', active: false });
    const later = await alice.client.request('create', streamUri(sessionId, 'later'), {
      channel: [{ id: 'audio1', type: 'audio' }],
    });
    expect(later.body?.mute).toBeUndefined();
  });
});
