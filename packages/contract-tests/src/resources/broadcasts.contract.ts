/**
 * Broadcasts: start (HLS) → get → list contains it → layout → stop → stop again answers 404 or 409;
 * pagination; refusals (relayed 409, nobody connected 404, unknown IDs 404, dvr with lowLatency 400);
 * the HLS playlist served anonymously once live.
 */
import { describe, expect } from 'vitest';
import { ensureResourceAvailability } from '../checks/index.js';
import type { ContractHarness } from '../harness/context.js';
import { contractTest } from '../harness/contract-test.js';
import { createSession, poll, UNKNOWN_ID } from './fixtures.js';

interface Broadcast {
  id: string;
  status: string;
  sessionId: string;
  broadcastUrls?: { hls?: string; hlsStatus?: string };
}
interface BroadcastList {
  count: number;
  items: Broadcast[];
}

async function startBroadcast(h: ContractHarness, sessionId: string, tag?: string): Promise<Broadcast> {
  const body = { sessionId, outputs: { hls: {} }, ...(tag ? { multiBroadcastTag: tag } : {}) };
  const broadcast = (await h.expect('startBroadcast', 200, { body })).body as Broadcast;
  h.defer(() => h.api.call('stopBroadcast', { path: { broadcastId: broadcast.id }, body: {} }));
  return broadcast;
}

describe('broadcasts', () => {
  contractTest(
    'start, get, list, change the layout, stop, stop again',
    {
      operations: [
        'createSession',
        'startBroadcast',
        'getBroadcast',
        'listBroadcasts',
        'setBroadcastLayout',
        'setBroadcastLayoutWithPost',
        'stopBroadcast',
      ],
      needs: ['participants'],
      timeoutMs: 60_000,
    },
    async (h) => {
      const sessionId = await createSession(h);
      await h.join(sessionId);
      const started = await h.expect('startBroadcast', 200, {
        body: { sessionId, outputs: { hls: { dvr: false } } },
      });
      const broadcast = started.body as Broadcast;
      h.defer(() => h.api.call('stopBroadcast', { path: { broadcastId: broadcast.id }, body: {} }));
      expect(broadcast).toMatchObject({ status: 'started', sessionId });
      ensureResourceAvailability(
        h.spec,
        started,
        await h.send('getBroadcast', { path: { broadcastId: broadcast.id } }),
      );
      const listed = (await h.expect('listBroadcasts', 200, { query: { sessionId } })).body as BroadcastList;
      expect(listed.items.map((b) => b.id)).toContain(broadcast.id);

      await h.expect('setBroadcastLayout', 200, {
        path: { broadcastId: broadcast.id },
        body: { type: 'pip' },
      });
      await h.expect('setBroadcastLayoutWithPost', 200, {
        path: { broadcastId: broadcast.id },
        body: { type: 'bestFit' },
      });

      const stopped = (
        await h.expect('stopBroadcast', 200, { path: { broadcastId: broadcast.id }, body: {} })
      ).body as Broadcast;
      expect(stopped.status).toBe('stopped');
      await h.expect('stopBroadcast', [404, 409], { path: { broadcastId: broadcast.id }, body: {} });
      expect(
        ((await h.expect('getBroadcast', 200, { path: { broadcastId: broadcast.id } })).body as Broadcast)
          .status,
      ).toBe('stopped');
    },
  );

  contractTest(
    'listBroadcasts pages with offset and count, newest first',
    {
      operations: ['createSession', 'startBroadcast', 'stopBroadcast', 'listBroadcasts'],
      needs: ['participants'],
      timeoutMs: 60_000,
    },
    async (h) => {
      const sessionId = await createSession(h);
      await h.join(sessionId);
      const ids: string[] = [];
      for (const tag of ['one', 'two', 'three']) {
        const broadcast = await startBroadcast(h, sessionId, tag);
        ids.push(broadcast.id);
        await h.expect('stopBroadcast', 200, { path: { broadcastId: broadcast.id }, body: {} });
      }
      const page1 = (await h.expect('listBroadcasts', 200, { query: { sessionId, offset: 0, count: 2 } }))
        .body as BroadcastList;
      const page2 = (await h.expect('listBroadcasts', 200, { query: { sessionId, offset: 2, count: 2 } }))
        .body as BroadcastList;
      expect(page1.count).toBe(3);
      expect([...page1.items, ...page2.items].map((b) => b.id)).toEqual([...ids].reverse());
    },
  );

  contractTest(
    'startBroadcast refuses a relayed session (409) and a session nobody joined (404)',
    { operations: ['createSession', 'startBroadcast'] },
    async (h) => {
      const relayed = await createSession(h, { 'p2p.preference': 'enabled' });
      await h.expect('startBroadcast', 409, { body: { sessionId: relayed, outputs: { hls: {} } } });
      const empty = await createSession(h);
      await h.expect('startBroadcast', 404, { body: { sessionId: empty, outputs: { hls: {} } } });
    },
  );

  contractTest(
    'unknown broadcast IDs answer 404',
    {
      operations: [
        'getBroadcast',
        'stopBroadcast',
        'setBroadcastLayout',
        'updateBroadcastStreams',
        'getHlsFile',
      ],
    },
    async (h) => {
      const path = { broadcastId: UNKNOWN_ID };
      await h.expect('getBroadcast', 404, { path });
      await h.expect('stopBroadcast', 404, { path, body: {} });
      await h.expect('setBroadcastLayout', 404, { path, body: { type: 'bestFit' } });
      await h.expect('updateBroadcastStreams', 404, { path, body: { removeStream: UNKNOWN_ID } });
      await h.expect('getHlsFile', 404, { path: { ...path, file: 'index.m3u8' } });
    },
  );

  contractTest(
    'an auto broadcast refuses manual stream changes with 405 (or 400)',
    {
      operations: ['createSession', 'startBroadcast', 'updateBroadcastStreams', 'stopBroadcast'],
      needs: ['participants'],
    },
    async (h) => {
      const sessionId = await createSession(h);
      await h.join(sessionId);
      const broadcast = await startBroadcast(h, sessionId);
      await h.expect('updateBroadcastStreams', [400, 405], {
        path: { broadcastId: broadcast.id },
        body: { removeStream: UNKNOWN_ID },
      });
      await h.expect('stopBroadcast', 200, { path: { broadcastId: broadcast.id }, body: {} });
    },
  );

  contractTest(
    'the HLS playlist is served without credentials once live',
    {
      operations: ['createSession', 'startBroadcast', 'getBroadcast', 'getHlsFile', 'stopBroadcast'],
      needs: ['media'],
      timeoutMs: 90_000,
    },
    async (h) => {
      const sessionId = await createSession(h);
      const alice = await h.join(sessionId);
      await alice.publish();
      const broadcast = await startBroadcast(h, sessionId);
      const live = await poll(
        async () =>
          (await h.expect('getBroadcast', 200, { path: { broadcastId: broadcast.id } })).body as Broadcast,
        (b) => b.broadcastUrls?.hlsStatus === 'live',
        60_000,
      );
      const playlist = new URL(live.broadcastUrls?.hls ?? '');
      const [, , broadcastId = '', file = ''] = playlist.pathname.split('/');
      const response = await h.expect('getHlsFile', 200, { path: { broadcastId, file } });
      expect(response.text).toMatch(/^#EXTM3U/);
    },
  );
});
