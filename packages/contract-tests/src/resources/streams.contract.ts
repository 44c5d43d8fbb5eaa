/**
 * Streams: a participant publishes in a relayed session (no media server involved) and in a routed one
 * (real media through the target's media server); the stream is listed and retrievable, its layout classes
 * can be set, it is gone once unpublished, and unknown streams answer 404.
 */
import { describe, expect } from 'vitest';
import { contractTest } from '../harness/contract-test.js';
import { createSession, RELAYED, ROUTED } from './fixtures.js';

interface Stream {
  id: string;
  name: string;
  videoType?: string;
  layoutClassList: string[];
}

describe('streams', () => {
  contractTest(
    'a published stream is listed, retrievable and takes layout classes',
    {
      operations: ['createSession', 'listStreams', 'getStream', 'setStreamLayoutClasses'],
      needs: ['participants'],
    },
    async (h) => {
      const sessionId = await createSession(h, RELAYED);
      const alice = await h.join(sessionId);
      const stream = await alice.publish({ name: 'Alice' });

      const list = (await h.expect('listStreams', 200, { path: { sessionId } })).body as {
        count: number;
        items: Stream[];
      };
      expect(list.items.map((s) => s.id)).toContain(stream.id);
      expect(list.count).toBe(list.items.length);

      const got = (await h.expect('getStream', 200, { path: { sessionId, streamId: stream.id } }))
        .body as Stream;
      expect(got).toMatchObject({ id: stream.id, name: 'Alice', videoType: 'camera' });

      await h.expect('setStreamLayoutClasses', 200, {
        path: { sessionId },
        body: { items: [{ id: stream.id, layoutClassList: ['full', 'focus'] }] },
      });
      const after = (await h.expect('getStream', 200, { path: { sessionId, streamId: stream.id } }))
        .body as Stream;
      expect(after.layoutClassList).toEqual(['full', 'focus']);
    },
  );

  contractTest(
    'routed session: a stream publishing media is listed and retrievable, takes layout classes, and is gone once unpublished',
    {
      operations: ['createSession', 'listStreams', 'getStream', 'setStreamLayoutClasses'],
      needs: ['participants', 'media'],
      timeoutMs: 60_000,
    },
    async (h) => {
      const sessionId = await createSession(h, ROUTED);
      const alice = await h.join(sessionId);
      const stream = await alice.publish({ name: 'Alice routed' });
      // A routed stream is announced once its media connection is up: the publisher is sending.
      await stream.waitForSent('video', 5);

      const list = (await h.expect('listStreams', 200, { path: { sessionId } })).body as {
        count: number;
        items: Stream[];
      };
      expect(list.items.map((s) => s.id)).toEqual([stream.id]);
      expect(list.count).toBe(1);
      const got = (await h.expect('getStream', 200, { path: { sessionId, streamId: stream.id } }))
        .body as Stream;
      expect(got).toMatchObject({
        id: stream.id,
        name: 'Alice routed',
        videoType: 'camera',
        layoutClassList: [],
      });

      await h.expect('setStreamLayoutClasses', 200, {
        path: { sessionId },
        body: { items: [{ id: stream.id, layoutClassList: ['full'] }] },
      });
      const listed = (await h.expect('listStreams', 200, { path: { sessionId } })).body as {
        items: Stream[];
      };
      expect(listed.items.find((s) => s.id === stream.id)?.layoutClassList).toEqual(['full']);

      await stream.stop();
      await alice.waitFor('streamDestroyed', (e) => e.streamId === stream.id);
      await h.expect('getStream', 404, { path: { sessionId, streamId: stream.id } });
      const after = await h.expect('listStreams', [200, 404], { path: { sessionId } });
      if (after.status === 200) expect((after.body as { items: Stream[] }).items).toEqual([]);
    },
  );

  contractTest(
    'listStreams of a session without streams answers an empty list or 404',
    { operations: ['createSession', 'listStreams'] },
    async (h) => {
      const sessionId = await createSession(h);
      const response = await h.expect('listStreams', [200, 404], { path: { sessionId } });
      if (response.status === 200) expect((response.body as { count: number }).count).toBe(0);
    },
  );

  contractTest(
    'getStream answers 404 for a stream that is not in the session',
    { operations: ['createSession', 'getStream'] },
    async (h) => {
      const sessionId = await createSession(h);
      await h.expect('getStream', 404, {
        path: { sessionId, streamId: '8b732909-0a06-46a2-8ea8-074e64d43422' },
      });
    },
  );

  contractTest(
    'setStreamLayoutClasses answers 404 for a stream that is not in the session',
    { operations: ['createSession', 'setStreamLayoutClasses'] },
    async (h) => {
      const sessionId = await createSession(h);
      await h.expect('setStreamLayoutClasses', 404, {
        path: { sessionId },
        body: { items: [{ id: '8b732909-0a06-46a2-8ea8-074e64d43422', layoutClassList: ['full'] }] },
      });
    },
  );
});
