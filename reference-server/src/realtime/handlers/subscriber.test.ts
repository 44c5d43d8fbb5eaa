/**
 * The caption channel of a subscription over the real gateway: `subscribeToCaptions` in the subscriber
 * create (`caption1` active) and later updates of `…/subscriber/{id}/channel/caption1` turn the
 * subscriber's captions on and off; another client may not change them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RealtimeFixture, startRealtimeFixture } from '../../../test/e2e/support/realtime-fixture.js';

let fixture: RealtimeFixture;
beforeAll(async () => {
  fixture = await startRealtimeFixture();
});
afterAll(() => fixture.close());

describe('the caption channel of a subscriber', () => {
  it('follows subscribeToCaptions in the create and in channel updates', async () => {
    const sessionId = await fixture.createSession('relayed');
    const alice = await fixture.join(sessionId);
    const bob = await fixture.join(sessionId);
    const streamUri = fixture.uri(sessionId, ['stream', 'talk']);
    const channel = [
      { id: 'audio1', type: 'audio', active: true },
      { id: 'caption1', type: 'data', active: true },
    ];
    expect(
      (await alice.client.request('create', streamUri, { id: 'talk', name: 'talk', channel })).status,
    ).toBe(200);
    await bob.client.message((m) => m.method === 'created' && m.uri === streamUri);
    const subscriber = () =>
      fixture.realtime.registry.get(sessionId)?.stream('talk')?.subscribers.get('sub-b');

    const subUri = fixture.uri(sessionId, ['stream', 'talk'], ['subscriber', 'sub-b']);
    const create = {
      id: 'sub-b',
      channel: [
        { id: 'audio1', type: 'audio', active: true },
        { id: 'caption1', type: 'data', active: true },
      ],
    };
    expect((await bob.client.request('create', subUri, create)).status).toBe(200);
    expect(subscriber()?.captionsActive).toBe(true);

    const captionUri = fixture.uri(
      sessionId,
      ['stream', 'talk'],
      ['subscriber', 'sub-b'],
      ['channel', 'caption1'],
    );
    expect((await bob.client.request('update', captionUri, { active: false })).status).toBe(200);
    expect(subscriber()?.captionsActive).toBe(false);
    expect((await alice.client.request('update', captionUri, { active: true })).status).toBe(403);
    expect(subscriber()?.captionsActive).toBe(false);
    expect((await bob.client.request('update', captionUri, { active: true })).status).toBe(200);
    expect(subscriber()?.captionsActive).toBe(true);

    const otherUri = fixture.uri(sessionId, ['stream', 'talk'], ['subscriber', 'sub-c']);
    expect((await bob.client.request('create', otherUri, { id: 'sub-c' })).status).toBe(200);
    expect(
      fixture.realtime.registry.get(sessionId)?.stream('talk')?.subscribers.get('sub-c')?.captionsActive,
    ).toBe(false);
    for (const client of [alice, bob]) await client.client.goodbye();
  });
});
