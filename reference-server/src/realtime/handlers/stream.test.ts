import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JoinedClient } from '../../../test/e2e/support/realtime-fixture.js';
import { type RealtimeFixture, startRealtimeFixture } from '../../../test/e2e/support/realtime-fixture.js';

let fixture: RealtimeFixture;

beforeAll(async () => {
  fixture = await startRealtimeFixture({
    iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }],
  });
});
afterAll(() => fixture.close());

const streamContent = (id: string) => ({
  id,
  name: 'camera',
  channel: [
    { id: 'audio1', type: 'audio', active: true },
    {
      id: 'video1',
      type: 'video',
      active: true,
      width: 640,
      height: 480,
      source: 'camera',
      fitMode: 'cover',
    },
  ],
  publisherAudioFallbackEnabled: false,
  subscriberAudioFallbackEnabled: true,
  customProperties: {},
});

async function publish(sessionId: string, publisher: JoinedClient, streamId: string) {
  return publisher.client.request(
    'create',
    fixture.uri(sessionId, ['stream', streamId]),
    streamContent(streamId),
  );
}

describe('publishing and subscribing in a relayed session', () => {
  it('announces a stream, relays the negotiation and ends the stream on unpublish', async () => {
    const sessionId = await fixture.createSession('relayed');
    const alice = await fixture.join(sessionId);
    const bob = await fixture.join(sessionId);
    const eve = await fixture.join(sessionId);

    const created = await publish(sessionId, alice, 'stream-a');
    expect(created).toMatchObject({
      status: 200,
      body: { content: { iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }] } },
    });
    const announced = await bob.client.message(
      (m) => m.method === 'created' && m.uri.endsWith('/stream/stream-a'),
    );
    expect(announced.content).toMatchObject({
      id: 'stream-a',
      name: 'camera',
      sourceStreamId: 'P2P',
      connection: { id: alice.connectionId },
      channel: [
        { id: 'audio1', type: 'audio', active: true },
        { id: 'video1', type: 'video', width: 640 },
      ],
    });
    await alice.client.message((m) => m.method === 'created' && m.uri.endsWith('/stream/stream-a'));

    const subUri = fixture.uri(sessionId, ['stream', 'stream-a'], ['subscriber', 'sub-b']);
    expect((await bob.client.request('create', subUri, { id: 'sub-b', connection: 'forged' })).status).toBe(
      200,
    );
    const ask = await alice.client.message((m) => m.method === 'generateoffer' && m.uri === subUri);
    expect(ask).toMatchObject({ from: bob.connectionId, content: { sourceStreamId: 'P2P' } });

    const candidate = {
      candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
      sourceStreamId: 'P2P',
    };
    expect((await alice.client.request('candidate', subUri, candidate)).status).toBe(200);
    expect(
      (
        await alice.client.request('offer', subUri, {
          type: 'offer',
          sdp: 'v=0 offer',
          sourceStreamId: 'P2P',
        })
      ).status,
    ).toBe(200);
    const offer = await bob.client.message((m) => m.method === 'offer' && m.uri === subUri);
    expect(offer).toMatchObject({ from: alice.connectionId, content: { sdp: 'v=0 offer' } });
    await bob.client.message((m) => m.method === 'candidate' && m.uri === subUri);
    expect((await bob.client.request('answer', subUri, { type: 'answer', sdp: 'v=0 answer' })).status).toBe(
      200,
    );
    const answer = await alice.client.message((m) => m.method === 'answer' && m.uri === subUri);
    expect(answer).toMatchObject({ from: bob.connectionId, content: { sdp: 'v=0 answer' } });

    // A third party may not inject itself into someone else's negotiation.
    expect((await eve.client.request('offer', subUri, { type: 'offer', sdp: 'evil' })).status).toBe(403);

    const channelUri = fixture.uri(sessionId, ['stream', 'stream-a'], ['channel', 'video1']);
    const change = { active: false, activeReason: 'auto', width: 320 };
    expect((await alice.client.request('update', channelUri, change)).status).toBe(200);
    const updated = await bob.client.message((m) => m.method === 'updated' && m.uri === channelUri);
    // Only keys OpenTok.js knows: it drops a whole update at the first unknown key.
    expect(updated.content).toEqual({ active: false, width: 320 });
    expect((await bob.client.request('update', channelUri, { active: false })).status).toBe(403);

    expect(
      (await alice.client.request('delete', fixture.uri(sessionId, ['stream', 'stream-a']), {})).status,
    ).toBe(200);
    const gone = await bob.client.message(
      (m) => m.method === 'deleted' && m.uri.endsWith('/stream/stream-a'),
    );
    expect(gone.reason).toBe('clientDisconnected');
    // Deleting an ended stream again is fine (a force-unpublished publisher does it).
    expect(
      (await alice.client.request('delete', fixture.uri(sessionId, ['stream', 'stream-a']), {})).status,
    ).toBe(200);
    for (const c of [alice, bob, eve]) await c.client.goodbye();
  });

  it('tells a late joiner about existing streams and drops the subscription when the subscriber leaves', async () => {
    const sessionId = await fixture.createSession('relayed');
    const alice = await fixture.join(sessionId);
    await publish(sessionId, alice, 'stream-late');
    const bob = await fixture.join(sessionId);
    expect(bob.reply.body?.stream).toEqual([expect.objectContaining({ id: 'stream-late' })]);
    const subUri = fixture.uri(sessionId, ['stream', 'stream-late'], ['subscriber', 'sub-late']);
    await bob.client.request('create', subUri, {});
    await bob.client.goodbye();
    const dropped = await alice.client.message((m) => m.method === 'deleted' && m.uri === subUri);
    expect(dropped.from).toBe(bob.connectionId);
    await alice.client.goodbye();
  });

  it('refuses bad streams and duplicate IDs', async () => {
    const sessionId = await fixture.createSession('relayed');
    const alice = await fixture.join(sessionId);
    expect((await publish(sessionId, alice, 'dup')).status).toBe(200);
    expect((await publish(sessionId, alice, 'dup')).status).toBe(409);
    const badChannel = await alice.client.request('create', fixture.uri(sessionId, ['stream', 'x1']), {
      channel: [{ id: 'video1', type: 'audio' }],
    });
    expect(badChannel).toMatchObject({
      status: 400,
      body: { reason: expect.stringMatching(/channel\[0\]/) },
    });
    const e2ee = await alice.client.request('create', fixture.uri(sessionId, ['stream', 'x4']), {
      e2ee: true,
    });
    expect(e2ee).toMatchObject({ status: 405, body: { reason: 'IncompatibleEncryptionSettings' } });
    const wrongId = await alice.client.request('create', fixture.uri(sessionId, ['stream', 'x2']), {
      id: 'x3',
    });
    expect(wrongId.status).toBe(400);
    expect(
      (
        await alice.client.request(
          'create',
          fixture.uri(sessionId, ['stream', 'nope'], ['subscriber', 's']),
          {},
        )
      ).status,
    ).toBe(404);
    await alice.client.goodbye();
  });

  it('refuses publishing in a routed session when no media server is configured', async () => {
    const sessionId = await fixture.createSession('routed');
    const alice = await fixture.join(sessionId);
    expect((await publish(sessionId, alice, 'routed-1')).status).toBe(503);
    await alice.client.goodbye();
  });
});

describe('roles', () => {
  it('forbids a subscriber to publish and a publisheronly client to subscribe', async () => {
    const sessionId = await fixture.createSession('relayed');
    const publisher = await fixture.join(sessionId, 'publisher');
    await publish(sessionId, publisher, 'roles-1');
    const subscriber = await fixture.join(sessionId, 'subscriber');
    expect((await publish(sessionId, subscriber, 'roles-2')).status).toBe(403);
    const only = await fixture.join(sessionId, 'publisheronly');
    const reply = await only.client.request(
      'create',
      fixture.uri(sessionId, ['stream', 'roles-1'], ['subscriber', 's1']),
      {},
    );
    expect(reply).toMatchObject({ status: 403, body: { reason: 'A publisheronly token may not subscribe' } });
    expect((await publish(sessionId, only, 'roles-3')).status).toBe(200);
    for (const c of [publisher, subscriber, only]) await c.client.goodbye();
  });
});
