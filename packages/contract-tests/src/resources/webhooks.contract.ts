/**
 * Session monitoring webhooks: with callbacks registered for the `session`, `connection` and `stream`
 * groups, a participant joining, publishing and leaving produces the six documented deliveries, each
 * signed (verified when the webhook secret is given) and valid against its schema. The archive,
 * broadcast, SIP, render and captions webhooks are checked where those resources run.
 */
import { describe, expect } from 'vitest';
import { webhookConformance } from '../checks/index.js';
import type { ContractHarness } from '../harness/context.js';
import { contractTest } from '../harness/contract-test.js';
import type { WebhookDelivery, WebhookReceiver } from '../harness/webhook-receiver.js';
import { createSession } from './fixtures.js';

/**
 * Waits for a delivery about `sessionId` at `path` (which names the callback group and event), checks it
 * against the webhook operation `name` and records it for coverage.
 */
async function expectWebhook(
  h: ContractHarness,
  receiver: WebhookReceiver,
  path: string,
  name: string,
  sessionId: string,
  extra: (body: Record<string, unknown>) => boolean = () => true,
): Promise<WebhookDelivery> {
  const delivery = await receiver.waitFor((d) => {
    const body = d.body as Record<string, unknown> | undefined;
    return d.path === path && body?.sessionId === sessionId && extra(body);
  });
  webhookConformance(h.spec, h.spec.operation(name), delivery, h.config.credentials.webhookSecret);
  h.record(name);
  return delivery;
}

const MONITORING = ['registerCallback', 'deleteCallback', 'createSession'] as const;

describe('webhooks', () => {
  contractTest(
    'connection webhooks: connectionCreated and connectionDestroyed',
    {
      operations: [...MONITORING, 'connectionCreated', 'connectionDestroyed'],
      needs: ['participants', 'webhookReceiver'],
    },
    async (h) => {
      const receiver = await h.receiver();
      const created = await h.subscribe(receiver, 'connection', 'created');
      const destroyed = await h.subscribe(receiver, 'connection', 'destroyed');
      const sessionId = await createSession(h);
      const alice = await h.join(sessionId, 'publisher', 'name=Alice');
      const byId = (body: Record<string, unknown>) =>
        (body.connection as { id?: string } | undefined)?.id === alice.connectionId;
      const delivery = await expectWebhook(h, receiver, created, 'connectionCreated', sessionId, byId);
      expect((delivery.body as { connection: { data?: string } }).connection.data).toBe('name=Alice');
      await alice.disconnect();
      await expectWebhook(h, receiver, destroyed, 'connectionDestroyed', sessionId, byId);
    },
  );

  contractTest(
    'stream webhooks: streamCreated and streamDestroyed',
    {
      operations: [...MONITORING, 'streamCreated', 'streamDestroyed'],
      needs: ['participants', 'webhookReceiver'],
    },
    async (h) => {
      const receiver = await h.receiver();
      const created = await h.subscribe(receiver, 'stream', 'created');
      const destroyed = await h.subscribe(receiver, 'stream', 'destroyed');
      const sessionId = await createSession(h, { 'p2p.preference': 'enabled' });
      const alice = await h.join(sessionId);
      const stream = await alice.publish();
      const byId = (body: Record<string, unknown>) =>
        (body.stream as { id?: string } | undefined)?.id === stream.id;
      await expectWebhook(h, receiver, created, 'streamCreated', sessionId, byId);
      await alice.disconnect();
      await expectWebhook(h, receiver, destroyed, 'streamDestroyed', sessionId, byId);
    },
  );

  contractTest(
    'session webhooks: sessionCreated when the first client joins, sessionDestroyed when the last leaves',
    {
      operations: [...MONITORING, 'sessionCreated', 'sessionDestroyed'],
      needs: ['participants', 'webhookReceiver'],
      timeoutMs: 60_000,
    },
    async (h) => {
      const receiver = await h.receiver();
      const created = await h.subscribe(receiver, 'session', 'created');
      const destroyed = await h.subscribe(receiver, 'session', 'destroyed');
      const sessionId = await createSession(h);
      const alice = await h.join(sessionId);
      await expectWebhook(h, receiver, created, 'sessionCreated', sessionId);
      await alice.disconnect();
      await expectWebhook(h, receiver, destroyed, 'sessionDestroyed', sessionId);
    },
  );

  contractTest(
    'archiveStatus reports a started and a stopped archive',
    {
      operations: [...MONITORING, 'startArchive', 'stopArchive', 'archiveStatus'],
      needs: ['participants', 'webhookReceiver'],
      timeoutMs: 60_000,
    },
    async (h) => {
      const receiver = await h.receiver();
      const path = await h.subscribe(receiver, 'archive', 'status');
      const sessionId = await createSession(h);
      await h.join(sessionId);
      const archive = (await h.expect('startArchive', 200, { body: { sessionId } })).body as { id: string };
      await expectWebhook(
        h,
        receiver,
        path,
        'archiveStatus',
        sessionId,
        (b) => b.id === archive.id && b.status === 'started',
      );
      await h.expect('stopArchive', 200, { path: { archiveId: archive.id }, body: {} });
      await expectWebhook(
        h,
        receiver,
        path,
        'archiveStatus',
        sessionId,
        (b) => b.id === archive.id && b.status === 'stopped',
      );
    },
  );

  contractTest(
    'broadcastStatus reports a started and a stopped broadcast',
    {
      operations: [...MONITORING, 'startBroadcast', 'stopBroadcast', 'broadcastStatus'],
      needs: ['participants', 'webhookReceiver'],
      timeoutMs: 60_000,
    },
    async (h) => {
      const receiver = await h.receiver();
      const path = await h.subscribe(receiver, 'broadcast', 'status');
      const sessionId = await createSession(h);
      await h.join(sessionId);
      const broadcast = (await h.expect('startBroadcast', 200, { body: { sessionId, outputs: { hls: {} } } }))
        .body as { id: string };
      await expectWebhook(
        h,
        receiver,
        path,
        'broadcastStatus',
        sessionId,
        (b) => b.id === broadcast.id && b.status === 'started',
      );
      await h.expect('stopBroadcast', 200, { path: { broadcastId: broadcast.id }, body: {} });
      await expectWebhook(
        h,
        receiver,
        path,
        'broadcastStatus',
        sessionId,
        (b) => b.id === broadcast.id && b.status === 'stopped',
      );
    },
  );

  contractTest(
    'sipCallEvent reports a dialed call',
    {
      operations: [...MONITORING, 'dial', 'sipCallEvent'],
      needs: ['media', 'webhookReceiver'],
      timeoutMs: 60_000,
    },
    async (h) => {
      const receiver = await h.receiver();
      const path = await h.subscribe(receiver, 'sip_call', 'status');
      const sessionId = await createSession(h);
      await h.join(sessionId);
      const body = {
        sessionId,
        token: await h.token(sessionId),
        sip: { uri: 'sip:contract@sip.example.com' },
      };
      await h.expect('dial', 200, { body });
      await expectWebhook(h, receiver, path, 'sipCallEvent', sessionId);
    },
  );

  contractTest(
    'renderStatus reports a render',
    {
      operations: [...MONITORING, 'startRender', 'stopRender', 'renderStatus'],
      needs: ['media', 'webhookReceiver'],
      timeoutMs: 60_000,
    },
    async (h) => {
      const receiver = await h.receiver();
      const path = await h.subscribe(receiver, 'render', 'status');
      const sessionId = await createSession(h);
      const render = (
        await h.expect('startRender', 202, {
          body: { sessionId, token: await h.token(sessionId), url: 'https://example.com/contract-render' },
        })
      ).body as { id: string };
      await h.expect('stopRender', [204, 404], { path: { renderId: render.id } });
      await expectWebhook(h, receiver, path, 'renderStatus', sessionId, (b) => b.id === render.id);
    },
  );

  contractTest(
    'captionsStatus reports captions',
    {
      operations: [...MONITORING, 'startCaptions', 'stopCaptions', 'captionsStatus'],
      needs: ['media', 'webhookReceiver'],
      timeoutMs: 60_000,
    },
    async (h) => {
      const receiver = await h.receiver();
      const path = await h.subscribe(receiver, 'captions', 'status');
      const sessionId = await createSession(h);
      const alice = await h.join(sessionId);
      await alice.publish();
      const started = (
        await h.expect('startCaptions', 202, {
          body: { sessionId, token: await h.token(sessionId, 'moderator') },
        })
      ).body as {
        captionsId: string;
      };
      await h.expect('stopCaptions', 202, { path: { captionsId: started.captionsId } });
      await expectWebhook(h, receiver, path, 'captionsStatus', sessionId);
    },
  );
});
