/**
 * Archives: start → get → list contains it → stop → stop again 409 → delete → listed no more and read
 * back as `deleted`; pagination (offset/count, newest first, both session-filter spellings); the
 * refusals the spec documents (relayed session 409, nobody connected 404, unknown IDs 404).
 */
import { describe, expect } from 'vitest';
import { ensureResourceAvailability } from '../checks/index.js';
import type { ContractHarness } from '../harness/context.js';
import { contractTest } from '../harness/contract-test.js';
import { createSession, poll, UNKNOWN_ID } from './fixtures.js';

interface Archive {
  id: string;
  status: string;
  sessionId: string;
  name?: string | null;
  createdAt: number;
  url?: string | null;
}
interface ArchiveList {
  count: number;
  items: Archive[];
}

/** A routed session with one connected participant, ready to record. */
async function recordableSession(h: ContractHarness): Promise<string> {
  const sessionId = await createSession(h);
  await h.join(sessionId);
  return sessionId;
}

async function startArchive(h: ContractHarness, sessionId: string, name: string): Promise<Archive> {
  const archive = (await h.expect('startArchive', 200, { body: { sessionId, name } })).body as Archive;
  h.defer(async () => {
    await h.api.call('stopArchive', { path: { archiveId: archive.id }, body: {} });
  });
  return archive;
}

describe('archives', () => {
  contractTest(
    'start, get, list, stop, stop again 409, delete',
    {
      operations: [
        'createSession',
        'startArchive',
        'getArchive',
        'listArchives',
        'stopArchive',
        'deleteArchive',
      ],
      needs: ['participants'],
      timeoutMs: 90_000,
    },
    async (h) => {
      const sessionId = await recordableSession(h);
      const started = await h.expect('startArchive', 200, { body: { sessionId, name: 'Contract archive' } });
      const archive = started.body as Archive;
      expect(archive).toMatchObject({ status: 'started', sessionId, name: 'Contract archive' });

      const got = await h.send('getArchive', { path: { archiveId: archive.id } });
      ensureResourceAvailability(h.spec, started, got);
      const listed = (await h.expect('listArchives', 200, { query: { sessionId } })).body as ArchiveList;
      expect(listed.items.map((a) => a.id)).toContain(archive.id);

      const stopped = (await h.expect('stopArchive', 200, { path: { archiveId: archive.id }, body: {} }))
        .body as Archive;
      expect(stopped.status).toBe('stopped');
      await h.expect('stopArchive', 409, { path: { archiveId: archive.id }, body: {} });

      // Deleting needs the file to be finished (available or uploaded), or failed.
      await poll(
        async () =>
          ((await h.expect('getArchive', 200, { path: { archiveId: archive.id } })).body as Archive).status,
        (status) => ['available', 'uploaded', 'failed'].includes(status),
        60_000,
      );
      await h.expect('deleteArchive', 204, { path: { archiveId: archive.id } });
      const after = (await h.expect('listArchives', 200, { query: { sessionId } })).body as ArchiveList;
      expect(after.items.map((a) => a.id)).not.toContain(archive.id);
      const deleted = (await h.expect('getArchive', 200, { path: { archiveId: archive.id } }))
        .body as Archive;
      expect(deleted.status).toBe('deleted');
      // Deleting again succeeds again.
      await h.expect('deleteArchive', 204, { path: { archiveId: archive.id } });
    },
  );

  contractTest(
    'listArchives pages with offset and count, newest first, under both session-filter spellings',
    {
      operations: ['createSession', 'startArchive', 'stopArchive', 'listArchives'],
      needs: ['participants'],
      timeoutMs: 90_000,
    },
    async (h) => {
      const sessionId = await recordableSession(h);
      const ids: string[] = [];
      for (const name of ['first', 'second', 'third']) {
        const archive = await startArchive(h, sessionId, name);
        ids.push(archive.id);
        await h.expect('stopArchive', 200, { path: { archiveId: archive.id }, body: {} });
      }
      const all = (await h.expect('listArchives', 200, { query: { sessionId } })).body as ArchiveList;
      expect(all.count).toBe(3);
      expect(all.items.map((a) => a.id)).toEqual([...ids].reverse());
      const page1 = (await h.expect('listArchives', 200, { query: { sessionId, offset: 0, count: 2 } }))
        .body as ArchiveList;
      const page2 = (await h.expect('listArchives', 200, { query: { sessionId, offset: 2, count: 2 } }))
        .body as ArchiveList;
      expect(page1.count).toBe(3);
      expect([...page1.items, ...page2.items].map((a) => a.id)).toEqual([...ids].reverse());
      const snake = (await h.expect('listArchives', 200, { query: { session_id: sessionId } }))
        .body as ArchiveList;
      expect(snake.items.map((a) => a.id)).toEqual(all.items.map((a) => a.id));
    },
  );

  contractTest('listArchives answers a list', { operations: ['listArchives'] }, async (h) => {
    const list = (await h.expect('listArchives', 200, { query: { count: 5 } })).body as ArchiveList;
    expect(list.items.length).toBeLessThanOrEqual(5);
    expect(list.count).toBeGreaterThanOrEqual(list.items.length);
  });

  contractTest(
    'startArchive refuses a relayed session (409) and a session nobody joined (404)',
    { operations: ['createSession', 'startArchive'] },
    async (h) => {
      const relayed = await createSession(h, { 'p2p.preference': 'enabled' });
      await h.expect('startArchive', 409, { body: { sessionId: relayed } });
      const empty = await createSession(h);
      await h.expect('startArchive', 404, { body: { sessionId: empty } });
    },
  );

  contractTest(
    'unknown archive IDs answer 404',
    {
      operations: ['getArchive', 'stopArchive', 'deleteArchive', 'setArchiveLayout', 'updateArchiveStreams'],
    },
    async (h) => {
      const path = { archiveId: UNKNOWN_ID };
      await h.expect('getArchive', 404, { path });
      await h.expect('stopArchive', 404, { path, body: {} });
      await h.expect('deleteArchive', 404, { path });
      await h.expect('setArchiveLayout', 404, { path, body: { type: 'bestFit' } });
      await h.expect('updateArchiveStreams', 404, { path, body: { removeStream: UNKNOWN_ID } });
    },
  );

  contractTest(
    'a recording archive takes a new layout; an auto archive refuses manual stream changes with 405',
    {
      operations: [
        'createSession',
        'startArchive',
        'setArchiveLayout',
        'updateArchiveStreams',
        'stopArchive',
      ],
      needs: ['participants'],
    },
    async (h) => {
      const sessionId = await recordableSession(h);
      const archive = await startArchive(h, sessionId, 'layout');
      await h.expect('setArchiveLayout', 200, {
        path: { archiveId: archive.id },
        body: { type: 'verticalPresentation' },
      });
      await h.expect('updateArchiveStreams', [400, 405], {
        path: { archiveId: archive.id },
        body: { removeStream: UNKNOWN_ID },
      });
      await h.expect('stopArchive', 200, { path: { archiveId: archive.id }, body: {} });
      await h.expect('setArchiveLayout', 409, { path: { archiveId: archive.id }, body: { type: 'bestFit' } });
    },
  );

  contractTest(
    'an available archive downloads from its signed URL, also by byte range; a bad signature answers 403',
    {
      operations: ['createSession', 'startArchive', 'stopArchive', 'getArchive', 'downloadArchive'],
      needs: ['media'],
      timeoutMs: 120_000,
    },
    async (h) => {
      const sessionId = await createSession(h);
      const alice = await h.join(sessionId);
      await alice.publish();
      const archive = await startArchive(h, sessionId, 'download');
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await h.expect('stopArchive', 200, { path: { archiveId: archive.id }, body: {} });
      const available = await poll(
        async () => (await h.expect('getArchive', 200, { path: { archiveId: archive.id } })).body as Archive,
        (a) => a.status === 'available',
        90_000,
      );
      const url = new URL(available.url ?? '');
      const query = Object.fromEntries(url.searchParams);
      // The link names the project as it was issued (the application ID); keep it exactly.
      const path = { projectId: url.pathname.split('/')[3] ?? '', archiveId: archive.id };
      const whole = await h.expect('downloadArchive', 200, { path, query });
      expect(whole.mediaType).toBe('video/mp4');
      await h.expect('downloadArchive', 206, { path, query, headers: { range: 'bytes=0-99' } });
      await h.expect('downloadArchive', 403, { path, query: { ...query, signature: '0'.repeat(64) } });
    },
  );
});
