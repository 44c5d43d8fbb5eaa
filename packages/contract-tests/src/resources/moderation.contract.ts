/**
 * Moderation: force-muting one stream tells its publisher, which stops sending audio — subscribers see
 * `hasAudio` turn false and the audio stop while the video flows on; force-muting the session tells every
 * connection, mutes every stream but the excluded ones, mutes streams published later on entry, and can be
 * turned off; unknown streams answer 404.
 */
import { describe, expect } from 'vitest';
import { contractTest } from '../harness/contract-test.js';
import {
  createSession,
  expectMediaFlows,
  expectMediaStops,
  RELAYED,
  ROUTED,
  UNKNOWN_SESSION_ID,
} from './fixtures.js';

describe('moderation', () => {
  contractTest(
    'muteStream tells the publisher its audio was muted',
    { operations: ['createSession', 'muteStream'], needs: ['participants'] },
    async (h) => {
      const sessionId = await createSession(h, RELAYED);
      const alice = await h.join(sessionId);
      const stream = await alice.publish();
      await h.expect('muteStream', 200, { path: { sessionId, streamId: stream.id }, body: {} });
      expect(await alice.waitFor('muteForced', (e) => e.streamId === stream.id)).toMatchObject({
        active: true,
      });
    },
  );

  contractTest(
    'muteStream in a routed session: subscribers see hasAudio false and the audio stop, the video flows on',
    { operations: ['createSession', 'muteStream'], needs: ['participants', 'media'], timeoutMs: 60_000 },
    async (h) => {
      const sessionId = await createSession(h, ROUTED);
      const alice = await h.join(sessionId);
      const bob = await h.join(sessionId, 'subscriber');
      const stream = await alice.publish();
      const subscription = await bob.subscribe(stream.id);
      await subscription.waitForPackets({ audio: 10, video: 5 }, 20_000);

      await h.expect('muteStream', 200, { path: { sessionId, streamId: stream.id }, body: {} });
      await alice.waitFor('muteForced', (e) => e.streamId === stream.id && e.active);
      const changed = await bob.waitFor(
        'streamPropertyChanged',
        (e) => e.streamId === stream.id && e.channelId === 'audio1',
      );
      expect(changed.changes.active).toBe(false);
      await expectMediaStops(subscription, 'audio');
      await expectMediaFlows(subscription, 'video');
    },
  );

  contractTest(
    'muteAll mutes every stream but the excluded ones, and a stream published later on entry',
    { operations: ['createSession', 'muteAll'], needs: ['participants', 'media'], timeoutMs: 90_000 },
    async (h) => {
      const sessionId = await createSession(h, ROUTED);
      const alice = await h.join(sessionId);
      const carol = await h.join(sessionId);
      const bob = await h.join(sessionId, 'subscriber');
      const muted = await alice.publish({ name: 'muted' });
      const excluded = await carol.publish({ name: 'excluded' });
      const toMuted = await bob.subscribe(muted.id);
      const toExcluded = await bob.subscribe(excluded.id);
      await toMuted.waitForPackets({ audio: 10 }, 20_000);
      await toExcluded.waitForPackets({ audio: 10 }, 20_000);

      await h.expect('muteAll', 200, {
        path: { sessionId },
        body: { active: true, excludedStreamIds: [excluded.id] },
      });
      await alice.waitFor('muteForced', (e) => e.streamId === muted.id && e.active);
      await expectMediaStops(toMuted, 'audio');
      await expectMediaFlows(toExcluded, 'audio');
      expect(excluded.stats().audio.enabled).toBe(true);

      // A stream published while the session is muted starts muted (told by the STATUS or a muteForced).
      const dave = await h.join(sessionId);
      const late = await dave.publish({ name: 'late' });
      await expect.poll(() => late.stats().audio.enabled, { timeout: 10_000 }).toBe(false);

      await h.expect('muteAll', 200, { path: { sessionId }, body: { active: false } });
      await bob.waitFor('muteForced', (e) => e.streamId === null && !e.active);
    },
  );

  contractTest(
    'muteAll tells every connection, and active:false lifts it',
    { operations: ['createSession', 'muteAll'], needs: ['participants'] },
    async (h) => {
      const sessionId = await createSession(h, RELAYED);
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
