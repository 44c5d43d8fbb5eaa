/**
 * Experience Composer renders: a page the suite serves itself (an animated canvas, on the receiver host)
 * is rendered into a routed session — start (202, `starting`) → get → list contains it → the
 * `renderStatus` webhook reports it `started` with its stream → stop (204) → stop again 404 → the webhook
 * reports it `stopped` (`Stop Requested`); pagination; relayed (409) and unknown sessions (404) refused;
 * unknown render IDs 404.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect } from 'vitest';
import { webhookConformance } from '../checks/index.js';
import type { ContractHarness } from '../harness/context.js';
import { contractTest } from '../harness/contract-test.js';
import type { WebhookDelivery, WebhookReceiver } from '../harness/webhook-receiver.js';
import { createSession, UNKNOWN_ID, UNKNOWN_SESSION_ID } from './fixtures.js';

interface Render {
  id: string;
  status: string;
  sessionId: string;
  streamId?: string;
  reason?: string;
}

/** A page for the refusal tests, which never load it. */
const PAGE = 'https://example.com/contract-render';

/** What the suite's page shows: a colour cycle, so the render has changing video. */
const STAGE_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>Contract render</title>
<style>html,body{margin:0;height:100%;overflow:hidden}</style></head><body><canvas id="c"></canvas><script>
const c = document.getElementById('c'); c.width = innerWidth; c.height = innerHeight;
const g = c.getContext('2d'); let hue = 0;
setInterval(() => { g.fillStyle = 'hsl(' + (hue++ % 360) + ',80%,50%)'; g.fillRect(0, 0, c.width, c.height); }, 40);
</script></body></html>`;

/** Serves the stage page on the run's receiver host until the test ends; returns its URL. */
async function serveStage(h: ContractHarness): Promise<string> {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'text/html');
    response.end(STAGE_HTML);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, h.config.receiverHost, () => resolve());
  });
  h.defer(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const host = h.config.receiverHost.includes(':') ? `[${h.config.receiverHost}]` : h.config.receiverHost;
  return `http://${host}:${(server.address() as AddressInfo).port}/stage`;
}

/**
 * Waits for the render's next webhook — its first for `started` (so a failure shows at once, with its
 * reason), else its first that is not `started` — expects `status`, checks it against `renderStatus` and
 * records it.
 */
async function expectStatus(
  h: ContractHarness,
  receiver: WebhookReceiver,
  renderId: string,
  status: 'started' | 'stopped',
): Promise<Record<string, unknown>> {
  const delivery: WebhookDelivery = await receiver.waitFor((d) => {
    const body = d.body as Record<string, unknown> | undefined;
    return body?.id === renderId && (status === 'started' || body.status !== 'started');
  }, 60_000);
  const body = delivery.body as Record<string, unknown>;
  expect(body.status, `renderStatus ${JSON.stringify(body)}`).toBe(status);
  webhookConformance(h.spec, h.spec.operation('renderStatus'), delivery, h.config.credentials.webhookSecret);
  h.record('renderStatus');
  return body;
}

describe('renders', () => {
  contractTest(
    'start, get, list, started webhook, stop, stop again 404, stopped webhook',
    {
      operations: ['createSession', 'startRender', 'getRender', 'listRenders', 'stopRender', 'renderStatus'],
      needs: ['media', 'webhookReceiver'],
      timeoutMs: 120_000,
    },
    async (h) => {
      const receiver = await h.receiver();
      const url = await serveStage(h);
      const sessionId = await createSession(h);
      const token = await h.token(sessionId);
      const render = (
        await h.expect('startRender', 202, {
          body: {
            sessionId,
            token,
            url,
            maxDuration: 600,
            resolution: '640x480',
            properties: { name: 'Contract stage' },
            statusCallbackUrl: receiver.url('/render-status'),
          },
        })
      ).body as Render;
      h.defer(() => h.api.call('stopRender', { path: { renderId: render.id } }));
      expect(render).toMatchObject({ sessionId, status: 'starting' });
      expect(((await h.expect('getRender', 200, { path: { renderId: render.id } })).body as Render).id).toBe(
        render.id,
      );
      const list = (await h.expect('listRenders', 200, { query: { count: 1000 } })).body as {
        count: number;
        items: Render[];
      };
      expect(list.items.map((r) => r.id)).toContain(render.id);

      const started = await expectStatus(h, receiver, render.id, 'started');
      expect(started).toMatchObject({ sessionId, name: 'Contract stage' });
      const running = (await h.expect('getRender', 200, { path: { renderId: render.id } })).body as Render;
      expect(running).toMatchObject({ status: 'started', streamId: started.streamId });

      await h.expect('stopRender', 204, { path: { renderId: render.id } });
      await h.expect('stopRender', 404, { path: { renderId: render.id } });
      const stopped = await expectStatus(h, receiver, render.id, 'stopped');
      expect(stopped).toMatchObject({ reason: 'Stop Requested', streamId: started.streamId });
      const ended = (await h.expect('getRender', 200, { path: { renderId: render.id } })).body as Render;
      expect(ended).toMatchObject({ status: 'stopped', reason: 'Stop Requested' });
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
