import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JoinedClient } from '../../../test/e2e/support/realtime-fixture.js';
import { type RealtimeFixture, startRealtimeFixture } from '../../../test/e2e/support/realtime-fixture.js';

let fixture: RealtimeFixture;

beforeAll(async () => {
  fixture = await startRealtimeFixture();
});
afterAll(() => fixture.close());

const publish = (sessionId: string, who: JoinedClient, streamId: string) =>
  who.client.request('create', fixture.uri(sessionId, ['stream', streamId]), {
    channel: [{ id: 'audio1', type: 'audio', active: true }],
  });

describe('signals', () => {
  it('delivers a session signal to everyone, the sender included, from the bound connection', async () => {
    const sessionId = await fixture.createSession();
    const alice = await fixture.join(sessionId);
    const bob = await fixture.join(sessionId);
    const reply = await alice.client.request(
      'signal',
      fixture.uri(sessionId, ['signal', 'sig-1']),
      { type: 'chat', data: 'hello all' },
      { headers: { 'X-TB-FROM-ADDRESS': bob.connectionId } },
    );
    expect(reply.status).toBe(200);
    for (const who of [alice, bob]) {
      const signal = await who.client.message((m) => m.method === 'signal');
      expect(signal).toMatchObject({
        from: alice.connectionId,
        content: { type: 'chat', data: 'hello all' },
      });
    }
    await alice.client.goodbye();
    await bob.client.goodbye();
  });

  it('delivers a targeted signal to one connection only', async () => {
    const sessionId = await fixture.createSession();
    const [alice, bob, carol] = [
      await fixture.join(sessionId),
      await fixture.join(sessionId),
      await fixture.join(sessionId),
    ];
    const uri = fixture.uri(sessionId, ['connection', bob.connectionId], ['signal', 's2']);
    expect((await alice.client.request('signal', uri, { type: 'dm', data: 'psst' })).status).toBe(200);
    expect((await bob.client.message((m) => m.method === 'signal')).content).toEqual({
      type: 'dm',
      data: 'psst',
    });
    // Order is preserved per sender, so a later broadcast arriving first proves the DM skipped them.
    await alice.client.request('signal', fixture.uri(sessionId, ['signal', 's3']), { type: 'all', data: '' });
    for (const other of [alice, carol]) {
      const first = await other.client.message((m) => m.method === 'signal');
      expect(first.content).toMatchObject({ type: 'all' });
    }
    for (const c of [alice, bob, carol]) await c.client.goodbye();
  });

  it.each([
    ['a type over 128 characters', { type: 'a'.repeat(129), data: '' }, 413],
    ['data over 8192 characters', { type: 'a', data: 'x'.repeat(8193) }, 413],
    ['a type with a space', { type: 'a b', data: '' }, 400],
    ['non-string data', { type: 'a', data: { x: 1 } }, 400],
  ])('refuses %s', async (_name, content, status) => {
    const sessionId = await fixture.createSession();
    const alice = await fixture.join(sessionId);
    expect(
      (await alice.client.request('signal', fixture.uri(sessionId, ['signal', 'bad']), content)).status,
    ).toBe(status);
    await alice.client.goodbye();
  });

  it('refuses a signal to a connection that is not there with 404, and signals from subscribers with 403', async () => {
    const sessionId = await fixture.createSession();
    const alice = await fixture.join(sessionId);
    const uri = fixture.uri(sessionId, ['connection', 'ghost'], ['signal', '1']);
    expect((await alice.client.request('signal', uri, { type: 'x', data: '' })).status).toBe(404);
    const viewer = await fixture.join(sessionId, 'subscriber');
    expect(
      (
        await viewer.client.request('signal', fixture.uri(sessionId, ['signal', '2']), {
          type: 'x',
          data: '',
        })
      ).status,
    ).toBe(403);
    await alice.client.goodbye();
    await viewer.client.goodbye();
  });

  it('delivers a server signal with an empty from-address', async () => {
    const sessionId = await fixture.createSession();
    const alice = await fixture.join(sessionId);
    fixture.realtime.registry.get(sessionId)?.signal(null, null, 'server', 'hi', 'srv-1');
    const signal = await alice.client.message((m) => m.method === 'signal');
    expect(signal.from).toBe('');
    await alice.client.goodbye();
  });
});

describe('moderation', () => {
  it('lets only moderators force-unpublish, force-disconnect and force-mute', async () => {
    const sessionId = await fixture.createSession();
    const alice = await fixture.join(sessionId);
    const bob = await fixture.join(sessionId);
    await publish(sessionId, alice, 'a1');
    expect((await bob.client.request('delete', fixture.uri(sessionId, ['stream', 'a1']), {})).status).toBe(
      403,
    );
    expect(
      (await bob.client.request('delete', fixture.uri(sessionId, ['connection', alice.connectionId]), {}))
        .status,
    ).toBe(403);
    expect(
      (
        await bob.client.request('update', fixture.uri(sessionId, ['stream', 'a1']), {
          reason: 'mute',
          active: true,
        })
      ).status,
    ).toBe(403);
    expect(
      (await bob.client.request('update', fixture.uri(sessionId), { reason: 'mute', active: true })).status,
    ).toBe(403);
    await alice.client.goodbye();
    await bob.client.goodbye();
  });

  it('force-unpublishes a stream with forceUnpublished', async () => {
    const sessionId = await fixture.createSession();
    const alice = await fixture.join(sessionId);
    const mod = await fixture.join(sessionId, 'moderator');
    await publish(sessionId, alice, 'fu');
    expect((await mod.client.request('delete', fixture.uri(sessionId, ['stream', 'fu']), {})).status).toBe(
      200,
    );
    for (const who of [alice, mod]) {
      const gone = await who.client.message((m) => m.method === 'deleted' && m.uri.endsWith('/stream/fu'));
      expect(gone.reason).toBe('forceUnpublished');
    }
    await alice.client.goodbye();
    await mod.client.goodbye();
  });

  it('force-disconnects a client: its streams end, everyone learns forceDisconnected, its socket closes', async () => {
    const sessionId = await fixture.createSession();
    const alice = await fixture.join(sessionId);
    const mod = await fixture.join(sessionId, 'moderator');
    await publish(sessionId, alice, 'fd');
    const reply = await mod.client.request(
      'delete',
      fixture.uri(sessionId, ['connection', alice.connectionId]),
      {},
    );
    expect(reply.status).toBe(200);
    const streamGone = await mod.client.message(
      (m) => m.method === 'deleted' && m.uri.endsWith('/stream/fd'),
    );
    expect(streamGone.reason).toBe('forceDisconnected');
    const connectionGone = await mod.client.message(
      (m) => m.method === 'deleted' && m.uri.endsWith(alice.connectionId),
    );
    expect(connectionGone.reason).toBe('forceDisconnected');
    const own = await alice.client.message(
      (m) => m.method === 'deleted' && m.uri.endsWith(alice.connectionId),
    );
    expect(own.reason).toBe('forceDisconnected');
    expect((await alice.client.closed).code).toBe(1000);
    expect(mod.client.messages.indexOf(streamGone)).toBeLessThan(mod.client.messages.indexOf(connectionGone));
    await mod.client.goodbye();
  });

  it('force-mutes one stream: only its publisher is told', async () => {
    const sessionId = await fixture.createSession();
    const alice = await fixture.join(sessionId);
    const mod = await fixture.join(sessionId, 'moderator');
    await publish(sessionId, alice, 'fm');
    const uri = fixture.uri(sessionId, ['stream', 'fm']);
    expect(
      (await mod.client.request('update', uri, { reason: 'mute', channels: ['audio'], active: true })).status,
    ).toBe(200);
    const mute = await alice.client.message((m) => m.method === 'update' && m.uri === uri);
    expect(mute.content).toEqual({ reason: 'mute', active: true, channels: ['audio'] });
    expect(mod.client.messages.some((m) => m.method === 'update')).toBe(false);
    await alice.client.goodbye();
    await mod.client.goodbye();
  });

  it('mutes all but excluded streams, mutes later publishers on entry, and stops when disabled', async () => {
    const sessionId = await fixture.createSession();
    const alice = await fixture.join(sessionId);
    const bob = await fixture.join(sessionId);
    const mod = await fixture.join(sessionId, 'moderator');
    await publish(sessionId, alice, 'ma');
    await publish(sessionId, bob, 'mb');
    const reply = await mod.client.request('update', fixture.uri(sessionId), {
      reason: 'mute',
      channels: ['audio'],
      active: true,
      locked: false,
      exclusion: ['mb', 'late-excluded'],
    });
    expect(reply.status).toBe(200);
    for (const who of [alice, bob]) {
      const session = await who.client.message(
        (m) => m.method === 'update' && m.uri === fixture.uri(sessionId),
      );
      expect(session.content).toEqual({ reason: 'mute', active: true });
    }
    // The requesting moderator is not told about its own request.
    expect(mod.client.messages.some((m) => m.method === 'update')).toBe(false);
    await alice.client.message((m) => m.method === 'update' && m.uri.endsWith('/stream/ma'));
    expect(bob.client.messages.some((m) => m.method === 'update' && m.uri.endsWith('/stream/mb'))).toBe(
      false,
    );

    const carol = await fixture.join(sessionId);
    expect(carol.reply.body?.mute).toEqual({ active: true });
    const late = await publish(sessionId, carol, 'mc');
    expect(late.body?.mute).toEqual({ active: true });
    await carol.client.message((m) => m.method === 'update' && m.uri.endsWith('/stream/mc'));
    const excluded = await publish(sessionId, carol, 'late-excluded');
    expect(excluded.body?.mute).toBeUndefined();

    await mod.client.request('update', fixture.uri(sessionId), { reason: 'mute', active: false });
    const dave = await fixture.join(sessionId);
    expect(dave.reply.body?.mute).toBeUndefined();
    expect((await publish(sessionId, dave, 'md')).body?.mute).toBeUndefined();
    for (const c of [alice, bob, mod, carol, dave]) await c.client.goodbye();
  });
});
