/**
 * Archive notifications through the real signaling gateway, with the Rumor test client: connected
 * clients get `created`/`updated` on `…/archive/{id}` (OpenTok.js: archiveStarted/archiveStopped), and
 * clients joining while an archive records find it in the `archive` array of their session state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RealtimeFixture, startRealtimeFixture } from '../../../test/e2e/support/realtime-fixture.js';

let fx: RealtimeFixture;
beforeAll(async () => {
  fx = await startRealtimeFixture();
});
afterAll(() => fx.close());

const isArchive = (id: string) => (m: { uri: string }) => m.uri.endsWith(`/archive/${id}`);

describe('LiveArchiveNotifier', () => {
  it('announces archives starting and stopping, and lists recording ones to joining clients', async () => {
    const sessionId = await fx.createSession('routed');
    const notifier = fx.realtime.archiveNotifier;
    const alice = await fx.join(sessionId);
    expect(alice.reply.body?.archive).toEqual([]);

    notifier.archivesChanged(sessionId, [{ id: 'arch-1', name: 'Demo' }]);
    const started = await alice.client.message(isArchive('arch-1'));
    expect(started).toMatchObject({
      method: 'created',
      uri: fx.uri(sessionId, ['archive', 'arch-1']),
      content: { id: 'arch-1', name: 'Demo', status: 'started' },
    });
    expect(started.from).toMatch(/^symphony\./);

    // A second archive (multiArchiveTag) with no name: only it is announced, with an empty name.
    notifier.archivesChanged(sessionId, [
      { id: 'arch-1', name: 'Demo' },
      { id: 'arch-2', name: null },
    ]);
    expect(await alice.client.message(isArchive('arch-2'))).toMatchObject({
      method: 'created',
      content: { id: 'arch-2', name: '', status: 'started' },
    });

    const bob = await fx.join(sessionId);
    expect(bob.reply.body?.archive).toEqual([
      { id: 'arch-1', name: 'Demo', status: 'started' },
      { id: 'arch-2', name: '', status: 'started' },
    ]);

    notifier.archivesChanged(sessionId, [{ id: 'arch-2', name: null }]);
    for (const client of [alice.client, bob.client]) {
      const stopped = await client.message((m) => isArchive('arch-1')(m) && m.method === 'updated');
      expect(stopped.content).toMatchObject({ id: 'arch-1', status: 'stopped' });
    }
    notifier.archivesChanged(sessionId, []);
    await bob.client.message((m) => isArchive('arch-2')(m) && m.method === 'updated');
    const carol = await fx.join(sessionId);
    expect(carol.reply.body?.archive).toEqual([]);
    // Each change was sent once: no duplicate for the archive that kept recording.
    expect(alice.client.messages.filter(isArchive('arch-1')).map((m) => m.method)).toEqual([
      'created',
      'updated',
    ]);
    expect(alice.client.messages.filter(isArchive('arch-2')).map((m) => m.method)).toEqual([
      'created',
      'updated',
    ]);
  });

  it('keeps the archives of a session nobody is connected to for the clients that join later', async () => {
    const sessionId = await fx.createSession('routed');
    fx.realtime.archiveNotifier.archivesChanged(sessionId, [{ id: 'early', name: 'Always' }]);
    const first = await fx.join(sessionId);
    expect(first.reply.body?.archive).toEqual([{ id: 'early', name: 'Always', status: 'started' }]);
    // Everyone leaves (the live session is dropped) while the archive keeps recording.
    await first.client.goodbye();
    const deadline = Date.now() + 2000;
    while (fx.realtime.registry.get(sessionId) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(fx.realtime.registry.get(sessionId)).toBeUndefined();
    const again = await fx.join(sessionId);
    expect(again.reply.body?.archive).toEqual([{ id: 'early', name: 'Always', status: 'started' }]);
    fx.realtime.archiveNotifier.archivesChanged(sessionId, []);
    expect(
      (await again.client.message((m) => isArchive('early')(m) && m.method === 'updated')).content,
    ).toMatchObject({ status: 'stopped' });
  });
});
