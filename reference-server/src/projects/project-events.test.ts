/**
 * Project events end to end: callbacks registered through the REST API receive signed webhook POSTs from
 * the app's dispatcher, retried with backoff when the receiver fails, without blocking the emitter.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../store/memory-store.js';
import { createHarness, type Harness, projectAuth } from '../testing/harness.js';
import { WebhookDispatcher } from '../webhooks/dispatcher.js';
import { verifyWebhookSignature } from '../webhooks/signing.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local webhook receiver that answers each request with the next status of `statuses` (then 200). */
class Receiver {
  readonly received: Received[] = [];
  statuses: number[] = [];
  #server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.received.push({
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      });
      response.statusCode = this.statuses.shift() ?? 200;
      response.end();
      this.#waiters = this.#waiters.filter((w) => !w());
    });
  });
  #waiters: Array<() => boolean> = [];

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Resolves once `count` requests have arrived. */
  waitFor(count: number): Promise<void> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        if (this.received.length < count) return false;
        resolve();
        return true;
      };
      if (!check()) this.#waiters.push(check);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

describe('project events → webhooks', () => {
  let h: Harness;
  let receiver: Receiver;
  let receiverUrl: string;
  beforeAll(async () => {
    receiver = new Receiver();
    receiverUrl = await receiver.start();
    const store = createMemoryStore();
    const dispatcher = new WebhookDispatcher({
      store,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      backoffMs: [20, 20],
      pollIntervalMs: 20,
    });
    h = await createHarness({ store, dispatcher });
  });
  afterEach(() => {
    receiver.received.length = 0;
    receiver.statuses = [];
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  const register = async (group: string, event: string, path: string) => {
    const res = await h.app.inject({
      method: 'POST',
      url: `/v2/project/${h.project.apiKey}/callback`,
      headers: { ...(await projectAuth(h.project)), 'content-type': 'application/json' },
      payload: JSON.stringify({ group, event, url: `${receiverUrl}${path}` }),
    });
    expect(res.statusCode).toBe(200);
  };

  it('delivers a signed POST to the URL registered for the event', async () => {
    await register('archive', 'status', '/archive');
    const payload = { id: 'a1', event: 'archive', status: 'available', sessionId: 's1' };
    h.app.parley.events.emit(h.project, 'archiveStatus', payload);
    await receiver.waitFor(1);
    const [delivery] = receiver.received;
    expect(delivery?.path).toBe('/archive');
    expect(JSON.parse(delivery?.body ?? '')).toEqual(payload);
    const verified = verifyWebhookSignature({
      secret: h.project.webhookSecret,
      headers: delivery?.headers ?? {},
      body: delivery?.body ?? '',
    });
    expect(verified.id).toMatch(/^msg_/);
    expect(() =>
      verifyWebhookSignature({
        secret: h.project.webhookSecret,
        headers: delivery?.headers ?? {},
        body: `${delivery?.body} `,
      }),
    ).toThrow();
  });

  it('retries with backoff until the receiver answers 2xx, reusing the message ID', async () => {
    await register('stream', 'created', '/streams');
    receiver.statuses = [500, 503];
    h.app.parley.events.emit(h.project, 'streamCreated', { event: 'streamCreated', sessionId: 's1' });
    await receiver.waitFor(3);
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(1);
    await h.app.parley.events.flush();
    const log = await h.store.webhookDeliveries.list(h.project.applicationId, { offset: 0, count: 10 });
    const delivery = log.items.find((d) => d.id === ids[0]);
    await expect
      .poll(async () => (await h.store.webhookDeliveries.get(delivery?.id ?? ''))?.status)
      .toBe('delivered');
    expect((await h.store.webhookDeliveries.get(delivery?.id ?? ''))?.attempts).toBe(3);
  });

  it('also delivers to the URL in the project settings, once per distinct URL, and to nobody when none is set', async () => {
    await h.store.projects.update({ ...h.project, callbackUrls: { session: `${receiverUrl}/settings` } });
    const project = await h.store.projects.get(h.project.applicationId);
    if (!project) throw new Error('project vanished');
    h.app.parley.events.emit(project, 'sessionCreated', { event: 'sessionCreated' });
    await receiver.waitFor(1);
    expect(receiver.received.map((r) => r.path)).toEqual(['/settings']);

    expect(await h.app.parley.events.urlsFor(project, 'renderStatus')).toEqual([]);
  });

  it('sends to an explicit status callback URL instead of the registrations', async () => {
    await register('render', 'status', '/render-registered');
    h.app.parley.events.emit(
      h.project,
      'renderStatus',
      { status: 'started' },
      { url: `${receiverUrl}/render-own` },
    );
    await receiver.waitFor(1);
    expect(receiver.received.map((r) => r.path)).toEqual(['/render-own']);
  });
});
