/**
 * Connections: headless participants appear in `listConnections`; `forceDisconnect` removes one (it is
 * told `forceDisconnected`, the others see it leave) and a second `forceDisconnect` answers 404.
 */
import { describe, expect } from 'vitest';
import { useAfterFree } from '../checks/index.js';
import { contractTest } from '../harness/contract-test.js';
import { createSession, expectMediaStops, ROUTED, UNKNOWN_SESSION_ID } from './fixtures.js';

interface ConnectionList {
  count: number;
  items: { connectionId: string; connectionState: string }[];
}

describe('connections', () => {
  contractTest(
    'listConnections of a session nobody joined is empty',
    { operations: ['createSession', 'listConnections'] },
    async (h) => {
      const sessionId = await createSession(h);
      const list = (await h.expect('listConnections', 200, { path: { sessionId } })).body as ConnectionList;
      expect(list.count).toBe(0);
      expect(list.items).toEqual([]);
    },
  );

  contractTest(
    'participants are listed, forceDisconnect removes one, and a second forceDisconnect answers 404',
    { operations: ['createSession', 'listConnections', 'forceDisconnect'], needs: ['participants'] },
    async (h) => {
      const sessionId = await createSession(h);
      const alice = await h.join(sessionId, 'publisher', 'name=Alice');
      const bob = await h.join(sessionId, 'moderator', 'name=Bob');
      const listed = (await h.expect('listConnections', 200, { path: { sessionId } })).body as ConnectionList;
      const ids = listed.items.filter((c) => c.connectionState === 'Connected').map((c) => c.connectionId);
      expect(ids).toEqual(expect.arrayContaining([alice.connectionId, bob.connectionId]));
      expect(listed.count).toBe(listed.items.length);

      const deleted = await h.expect('forceDisconnect', 204, {
        path: { sessionId, connectionId: alice.connectionId },
      });
      expect((await alice.waitFor('sessionDisconnected')).reason).toBe('forceDisconnected');
      const gone = await bob.waitFor('connectionDestroyed', (e) => e.connectionId === alice.connectionId);
      expect(gone.reason).toBe('forceDisconnected');

      const after = (await h.expect('listConnections', 200, { path: { sessionId } })).body as ConnectionList;
      expect(
        after.items.filter((c) => c.connectionState === 'Connected').map((c) => c.connectionId),
      ).not.toContain(alice.connectionId);
      useAfterFree(
        h.spec,
        deleted,
        await h.send('forceDisconnect', { path: { sessionId, connectionId: alice.connectionId } }),
      );
    },
  );

  contractTest(
    'routed session: forceDisconnect of a publisher ends its stream for everyone and its media stops',
    {
      operations: ['createSession', 'forceDisconnect', 'listStreams'],
      needs: ['participants', 'media'],
      timeoutMs: 60_000,
    },
    async (h) => {
      const sessionId = await createSession(h, ROUTED);
      const alice = await h.join(sessionId);
      const bob = await h.join(sessionId, 'subscriber');
      const stream = await alice.publish();
      const subscription = await bob.subscribe(stream.id);
      await subscription.waitForPackets({ audio: 10, video: 5 }, 20_000);

      await h.expect('forceDisconnect', 204, { path: { sessionId, connectionId: alice.connectionId } });
      expect((await alice.waitFor('sessionDisconnected')).reason).toBe('forceDisconnected');
      const ended = await bob.waitFor('streamDestroyed', (e) => e.streamId === stream.id);
      expect(ended.reason).toBe('forceDisconnected');
      await bob.waitFor('connectionDestroyed', (e) => e.connectionId === alice.connectionId);
      await expectMediaStops(subscription, 'video');
      await expectMediaStops(subscription, 'audio', { graceMs: 0 });
      const streams = await h.expect('listStreams', [200, 404], { path: { sessionId } });
      if (streams.status === 200) {
        expect((streams.body as { items: { id: string }[] }).items.map((s) => s.id)).not.toContain(stream.id);
      }
    },
  );

  contractTest(
    'forceDisconnect answers 404 for a connection that is not in the session',
    { operations: ['createSession', 'forceDisconnect'] },
    async (h) => {
      const sessionId = await createSession(h);
      await h.expect('forceDisconnect', 404, {
        path: { sessionId, connectionId: '7e0c4d3a-5b1f-4a8e-9c2d-0f1e2d3c4b5a' },
      });
    },
  );

  contractTest(
    'listConnections answers 404 for a session that does not exist',
    { operations: ['listConnections'] },
    async (h) => {
      await h.expect('listConnections', 404, { path: { sessionId: UNKNOWN_SESSION_ID } });
    },
  );
});
