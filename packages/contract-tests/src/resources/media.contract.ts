/**
 * Media: headless participants publish real VP8 + Opus over WebRTC and subscribe to each other. In a
 * routed session the media goes through the target's media server; in a relayed session the target only
 * relays the negotiation and the media goes peer to peer. Either way the subscriber must receive audio and
 * video RTP with the payload types the answer chose and the SSRCs the offer declared; and when a
 * moderator force-unpublishes the stream, it ends for everyone and its media stops.
 */
import { describe, expect } from 'vitest';
import { contractTest } from '../harness/contract-test.js';
import { negotiationMismatches } from '../participants/index.js';
import { createSession, expectMediaStops, RELAYED, ROUTED } from './fixtures.js';

const MODES = [
  { mode: 'routed', form: ROUTED },
  { mode: 'relayed', form: RELAYED },
] as const;

describe('media', () => {
  for (const { mode, form } of MODES) {
    contractTest(
      `${mode} session: a subscriber receives the published audio and video as negotiated`,
      { operations: ['createSession', 'getStream'], needs: ['participants', 'media'], timeoutMs: 60_000 },
      async (h) => {
        const sessionId = await createSession(h, form);
        const alice = await h.join(sessionId);
        const bob = await h.join(sessionId, 'subscriber');
        const stream = await alice.publish({ name: 'Alice' });
        await bob.waitFor('streamCreated', (e) => e.stream.id === stream.id);
        await h.expect('getStream', 200, { path: { sessionId, streamId: stream.id } });

        const subscription = await bob.subscribe(stream.id);
        const stats = await subscription.waitForPackets({ audio: 25, video: 15 }, 20_000);
        expect(stats.connectionState).toBe('connected');
        expect(stats.audio.negotiated.codec?.toLowerCase()).toMatch(/^opus\/48000/);
        expect(stats.video.negotiated.codec?.toUpperCase()).toMatch(/^VP8\/90000/);
        expect([...negotiationMismatches(stats.audio), ...negotiationMismatches(stats.video)]).toEqual([]);
        // The negotiated payload type is the one that arrives (not merely one the answer allows).
        expect(stats.audio.payloadTypes).toContain(stats.audio.negotiated.payloadType);
        expect(stats.video.payloadTypes).toContain(stats.video.negotiated.payloadType);
        // One source per kind: the publisher's camera and microphone.
        expect(stats.audio.ssrcs).toHaveLength(1);
        expect(stats.video.ssrcs).toHaveLength(1);
        expect(stream.stats().peers.some((p) => p.connectionState === 'connected')).toBe(true);
        await subscription.stop();
      },
    );
  }

  contractTest(
    'routed session: two subscribers each receive the stream',
    { operations: ['createSession', 'listStreams'], needs: ['participants', 'media'], timeoutMs: 60_000 },
    async (h) => {
      const sessionId = await createSession(h, ROUTED);
      const alice = await h.join(sessionId);
      const stream = await alice.publish();
      const listed = (await h.expect('listStreams', 200, { path: { sessionId } })).body as {
        items: { id: string }[];
      };
      expect(listed.items.map((s) => s.id)).toContain(stream.id);
      const subscriptions = await Promise.all(
        ['bob', 'carol'].map(async () => (await h.join(sessionId, 'subscriber')).subscribe(stream.id)),
      );
      for (const subscription of subscriptions) {
        await subscription.waitForPackets({ audio: 25, video: 15 }, 20_000);
      }
      const [bob, carol] = subscriptions.map((s) => s.stats());
      // Each subscriber has its own leg: its own negotiation, the same media.
      expect(bob?.video.packets).toBeGreaterThan(0);
      expect(carol?.video.packets).toBeGreaterThan(0);
    },
  );

  for (const { mode, form } of MODES) {
    contractTest(
      `${mode} session: forceUnpublish by a moderator ends the stream for everyone and its media stops`,
      { operations: ['createSession', 'getStream'], needs: ['participants', 'media'], timeoutMs: 60_000 },
      async (h) => {
        const sessionId = await createSession(h, form);
        const alice = await h.join(sessionId);
        const moderator = await h.join(sessionId, 'moderator');
        const bob = await h.join(sessionId, 'subscriber');
        const stream = await alice.publish();
        await bob.waitFor('streamCreated', (e) => e.stream.id === stream.id);
        const subscription = await bob.subscribe(stream.id);
        await subscription.waitForPackets({ audio: 10, video: 5 }, 20_000);

        await moderator.forceUnpublish(stream.id);
        const destroyed = await alice.waitFor('streamDestroyed', (e) => e.streamId === stream.id);
        expect(destroyed.reason).toBe('forceUnpublished');
        expect((await bob.waitFor('streamDestroyed', (e) => e.streamId === stream.id)).reason).toBe(
          'forceUnpublished',
        );
        await expectMediaStops(subscription, 'video');
        await expectMediaStops(subscription, 'audio', { graceMs: 0 });
        await h.expect('getStream', 404, { path: { sessionId, streamId: stream.id } });
        // The publisher is still connected: only its stream ended.
        expect(alice.events.some((e) => e.kind === 'sessionDisconnected')).toBe(false);
      },
    );
  }

  contractTest(
    'a publisher without the forceunpublish permission cannot unpublish another stream (403)',
    { operations: ['createSession'], needs: ['participants', 'media'], timeoutMs: 30_000 },
    async (h) => {
      const sessionId = await createSession(h, ROUTED);
      const alice = await h.join(sessionId);
      const mallory = await h.join(sessionId, 'publisher');
      const stream = await alice.publish();
      await mallory.waitFor('streamCreated', (e) => e.stream.id === stream.id);
      await expect(mallory.forceUnpublish(stream.id)).rejects.toMatchObject({ status: 403 });
    },
  );
});
