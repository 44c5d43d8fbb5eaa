/**
 * Moderation: force-muting one stream tells its publisher; force-muting the session tells every
 * connection and can be turned off; unknown streams answer 404.
 */
import { describe, expect } from 'vitest';
import { contractTest } from '../harness/contract-test.js';
import { createSession, UNKNOWN_SESSION_ID } from './fixtures.js';

describe('moderation', () => {
  contractTest(
    'muteStream tells the publisher its audio was muted',
    { operations: ['createSession', 'muteStream'], needs: ['participants'] },
    async (h) => {
      const sessionId = await createSession(h, { 'p2p.preference': 'enabled' });
      const alice = await h.join(sessionId);
      const stream = await alice.publish();
      await h.expect('muteStream', 200, { path: { sessionId, streamId: stream.id }, body: {} });
      expect(await alice.waitFor('muteForced', (e) => e.streamId === stream.id)).toMatchObject({
        active: true,
      });
    },
  );

  contractTest(
    'muteAll tells every connection, and active:false lifts it',
    { operations: ['createSession', 'muteAll'], needs: ['participants'] },
    async (h) => {
      const sessionId = await createSession(h, { 'p2p.preference': 'enabled' });
      const alice = await h.join(sessionId);
      await h.expect('muteAll', 200, { path: { sessionId }, body: { active: true, excludedStreamIds: [] } });
      expect(await alice.waitFor('muteForced', (e) => e.streamId === null)).toMatchObject({ active: true });
      await h.expect('muteAll', 200, { path: { sessionId }, body: { active: false } });
      await alice.waitFor('muteForced', (e) => e.streamId === null && !e.active);
    },
  );

  contractTest(
    'muteStream answers 404 for a stream that is not in the session',
    { operations: ['createSession', 'muteStream'] },
    async (h) => {
      const sessionId = await createSession(h);
      await h.expect('muteStream', 404, {
        path: { sessionId, streamId: '8b732909-0a06-46a2-8ea8-074e64d43422' },
        body: {},
      });
    },
  );

  contractTest(
    'muteAll answers 404 for a session that does not exist',
    { operations: ['muteAll'] },
    async (h) => {
      await h.expect('muteAll', 404, { path: { sessionId: UNKNOWN_SESSION_ID }, body: { active: true } });
    },
  );
});
