/**
 * Experience Composer renders: start (202, `starting`) → get → list contains it → stop (204) → stop again
 * 404; pagination; relayed (409) and unknown sessions (404) refused; unknown render IDs 404.
 */
import { describe, expect } from 'vitest';
import { contractTest } from '../harness/contract-test.js';
import { createSession, UNKNOWN_ID, UNKNOWN_SESSION_ID } from './fixtures.js';

interface Render {
  id: string;
  status: string;
  sessionId: string;
}

const PAGE = 'https://example.com/contract-render';

describe('renders', () => {
  contractTest(
    'start, get, list, stop, stop again 404',
    {
      operations: ['createSession', 'startRender', 'getRender', 'listRenders', 'stopRender'],
      needs: ['media'],
      timeoutMs: 60_000,
    },
    async (h) => {
      const sessionId = await createSession(h);
      const token = await h.token(sessionId);
      const render = (
        await h.expect('startRender', 202, { body: { sessionId, token, url: PAGE, maxDuration: 60 } })
      ).body as Render;
      h.defer(() => h.api.call('stopRender', { path: { renderId: render.id } }));
      expect(render).toMatchObject({ sessionId });
      expect(((await h.expect('getRender', 200, { path: { renderId: render.id } })).body as Render).id).toBe(
        render.id,
      );
      const list = (await h.expect('listRenders', 200, { query: { count: 1000 } })).body as {
        count: number;
        items: Render[];
      };
      expect(list.items.map((r) => r.id)).toContain(render.id);
      await h.expect('stopRender', 204, { path: { renderId: render.id } });
      await h.expect('stopRender', 404, { path: { renderId: render.id } });
    },
  );

  contractTest('listRenders pages with offset and count', { operations: ['listRenders'] }, async (h) => {
    const all = (await h.expect('listRenders', 200)).body as { count: number; items: Render[] };
    expect(all.count).toBeGreaterThanOrEqual(all.items.length);
    const page = (await h.expect('listRenders', 200, { query: { offset: 0, count: 1 } })).body as {
      items: Render[];
    };
    expect(page.items.length).toBeLessThanOrEqual(1);
  });

  contractTest(
    'startRender refuses relayed (409) and unknown sessions (404)',
    { operations: ['createSession', 'startRender'] },
    async (h) => {
      const relayed = await createSession(h, { 'p2p.preference': 'enabled' });
      await h.expect('startRender', 409, {
        body: { sessionId: relayed, token: await h.token(relayed), url: PAGE },
      });
      await h.expect('startRender', 404, {
        body: { sessionId: UNKNOWN_SESSION_ID, token: await h.token(UNKNOWN_SESSION_ID), url: PAGE },
      });
    },
  );

  contractTest('unknown render IDs answer 404', { operations: ['getRender', 'stopRender'] }, async (h) => {
    await h.expect('getRender', 404, { path: { renderId: UNKNOWN_ID } });
    await h.expect('stopRender', 404, { path: { renderId: UNKNOWN_ID } });
  });
});
