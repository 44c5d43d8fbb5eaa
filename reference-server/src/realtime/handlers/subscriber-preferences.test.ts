/**
 * A subscriber's preferred resolution and frame rate over the real gateway: in the subscriber create's
 * `video1` channel and in later `…/subscriber/{id}/channel/video1` updates (`setPreferredResolution`,
 * `setPreferredFrameRate`), they reach the session's media bridge; malformed ones are refused naming the
 * field. The bridge is a relayed one that records the calls (routed sessions pass them to the SFU).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RealtimeFixture, startRealtimeFixture } from '../../../test/e2e/support/realtime-fixture.js';
import { RelayedMedia } from '../media/relayed.js';
import type { SubscriberVideoPreferences } from '../media/types.js';
import type { LiveStream, LiveSubscriber } from '../session/types.js';

const calls: { subscriberId: string; preferences: SubscriberVideoPreferences }[] = [];

class RecordingMedia extends RelayedMedia {
  subscriberPreferencesChanged(
    _stream: LiveStream,
    subscriber: LiveSubscriber,
    preferences: SubscriberVideoPreferences,
  ): void {
    calls.push({ subscriberId: subscriber.id, preferences });
  }
}

let fixture: RealtimeFixture;
beforeAll(async () => {
  fixture = await startRealtimeFixture({ routedMedia: (session) => new RecordingMedia(session) });
});
afterAll(() => fixture.close());

describe('the preferred video of a subscriber', () => {
  it('reaches the media bridge from the create and from channel updates, and bad values are refused', async () => {
    const sessionId = await fixture.createSession('routed');
    const alice = await fixture.join(sessionId);
    const bob = await fixture.join(sessionId);
    const streamUri = fixture.uri(sessionId, ['stream', 'cam']);
    const channel = [{ id: 'video1', type: 'video', active: true, width: 1280, height: 720 }];
    expect(
      (await alice.client.request('create', streamUri, { id: 'cam', name: 'cam', channel })).status,
    ).toBe(200);
    await bob.client.message((m) => m.method === 'created' && m.uri === streamUri);

    const subUri = fixture.uri(sessionId, ['stream', 'cam'], ['subscriber', 'sub-b']);
    const create = {
      id: 'sub-b',
      channel: [{ id: 'video1', type: 'video', active: true, preferredWidth: 320, preferredHeight: 240 }],
    };
    expect((await bob.client.request('create', subUri, create)).status).toBe(200);
    expect(calls).toEqual([
      { subscriberId: 'sub-b', preferences: { preferredWidth: 320, preferredHeight: 240 } },
    ]);

    const videoUri = fixture.uri(
      sessionId,
      ['stream', 'cam'],
      ['subscriber', 'sub-b'],
      ['channel', 'video1'],
    );
    expect((await bob.client.request('update', videoUri, { preferredFrameRate: 7.5 })).status).toBe(200);
    expect(
      (await bob.client.request('update', videoUri, { preferredWidth: 0, preferredHeight: 0 })).status,
    ).toBe(200);
    expect(calls.slice(1).map((call) => call.preferences)).toEqual([
      { preferredFrameRate: 7.5 },
      { preferredWidth: 0, preferredHeight: 0 },
    ]);

    const bad = await bob.client.request('update', videoUri, { preferredWidth: 'big' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad)).toContain('content.preferredWidth');
    // Another client may not change bob's preferences.
    expect((await alice.client.request('update', videoUri, { preferredWidth: 640 })).status).toBe(403);
    expect(calls).toHaveLength(3);
    for (const client of [alice, bob]) await client.client.goodbye();
  });
});
