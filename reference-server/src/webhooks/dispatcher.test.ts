import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../store/memory-store.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import { aProject } from '../store/store.fixtures.js';
import type { Store, WebhookDeliveryRecord } from '../store/types.js';
import { WebhookDispatcher, type WebhookDispatcherOptions, type WebhookLogger } from './dispatcher.js';
import { newWebhookSecret, verifyWebhookSignature } from './signing.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  verified: { id: string; timestamp: number } | Error;
}

const project = aProject({ webhookSecret: newWebhookSecret() });

/** A real HTTP receiver on 127.0.0.1 that answers with the next status from `script` (then 204). */
class Receiver {
  readonly received: Received[] = [];
  script: (number | 'hang')[] = [];
  #server: Server;
  #waiters: { count: number; resolve: () => void }[] = [];

  constructor(secret = project.webhookSecret) {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let verified: Received['verified'];
        try {
          verified = verifyWebhookSignature({ secret, headers: req.headers, body });
        } catch (error) {
          verified = error as Error;
        }
        this.received.push({ headers: req.headers, body, verified });
        for (const waiter of this.#waiters.filter((w) => this.received.length >= w.count)) waiter.resolve();
        const next = this.script.shift() ?? 204;
        if (next === 'hang') return;
        res.writeHead(next).end('ignored');
      });
    });
  }

  async listen(): Promise<string> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hook`;
  }

  /** Resolves once `count` requests have arrived. */
  requests(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }
}

const quietLogger = (): WebhookLogger & { lines: { level: string; message: string }[] } => {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (_fields: object, message: string) => lines.push({ level, message });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
};

/** Waits until the stored delivery satisfies `done` (bounded by the test timeout). */
async function settled(
  store: Store,
  id: string,
  done: (d: WebhookDeliveryRecord) => boolean = (d) => d.status !== 'pending',
): Promise<WebhookDeliveryRecord> {
  for (;;) {
    const delivery = await store.webhookDeliveries.get(id);
    if (delivery && done(delivery)) return delivery;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('WebhookDispatcher', () => {
  let receiver: Receiver;
  let url: string;
  let store: Store;
  const dispatchers: WebhookDispatcher[] = [];
  const dispatcher = (options: Partial<WebhookDispatcherOptions> = {}) => {
    const created = new WebhookDispatcher({
      store,
      logger: quietLogger(),
      backoffMs: [10, 10],
      pollIntervalMs: 20,
      ...options,
    });
    dispatchers.push(created);
    return created;
  };

  beforeAll(async () => {
    receiver = new Receiver();
    url = await receiver.listen();
  });
  afterAll(async () => {
    await receiver.close();
  });
  afterEach(async () => {
    for (const d of dispatchers.splice(0)) await d.stop();
    receiver.received.length = 0;
    receiver.script = [];
    await store.close();
  });
  const freshStore = async () => {
    store = createMemoryStore();
    await store.projects.create(project);
  };

  it('delivers a signed JSON POST and records it as delivered', async () => {
    await freshStore();
    // A pino logger is what the server passes in; this also checks it fits WebhookLogger.
    const d = dispatcher({ logger: pino({ level: 'silent' }) });
    d.start();
    const payload = { event: 'connectionCreated', sessionId: 's', connection: { data: 'name=Zoë' } };
    const queued = await d.enqueue(project, url, 'connectionCreated', payload);
    expect(queued).toMatchObject({ status: 'pending', attempts: 0, applicationId: project.applicationId });
    expect(queued.id).toMatch(/^msg_/);

    const delivered = await settled(store, queued.id);
    expect(delivered).toMatchObject({
      status: 'delivered',
      attempts: 1,
      lastStatusCode: 204,
      lastError: null,
    });
    const [request] = receiver.received;
    expect(request?.verified).toEqual({ id: queued.id, timestamp: expect.any(Number) });
    expect(JSON.parse(request?.body ?? '')).toEqual(payload);
    expect(request?.headers['content-type']).toBe('application/json');
  });

  it('retries 5xx answers with the same webhook-id and a fresh signature, then succeeds', async () => {
    await freshStore();
    receiver.script = [500, 503];
    const d = dispatcher();
    d.start();
    const queued = await d.enqueue(project, url, 'archive', { status: 'started' });
    const delivered = await settled(store, queued.id);
    expect(delivered).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 204 });
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([queued.id, queued.id, queued.id]);
    for (const r of receiver.received) expect(r.verified).not.toBeInstanceOf(Error);
  });

  it('gives up after the last backoff step and keeps the failure in the log', async () => {
    await freshStore();
    receiver.script = [500, 500, 500, 500];
    const d = dispatcher();
    d.start();
    const queued = await d.enqueue(project, url, 'archive', {});
    const failed = await settled(store, queued.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 500, nextAttemptAt: null });
    expect(failed.lastError).toMatch(/HTTP 500/);
    const log = await store.webhookDeliveries.list(project.applicationId, { offset: 0, count: 10 });
    expect(log.items.map((x) => x.id)).toEqual([queued.id]);
  });

  it('retries 4xx as the spec says, or fails them at once when told to (except 408 and 429)', async () => {
    await freshStore();
    receiver.script = [401];
    const lenient = dispatcher();
    lenient.start();
    const retried = await lenient.enqueue(project, url, 'archive', {});
    expect(await settled(store, retried.id)).toMatchObject({ status: 'delivered', attempts: 2 });
    await lenient.stop();

    receiver.script = [429, 400];
    const strict = dispatcher({ retryClientErrors: false });
    strict.start();
    const refused = await strict.enqueue(project, url, 'archive', {});
    expect(await settled(store, refused.id)).toMatchObject({
      status: 'failed',
      attempts: 2,
      lastStatusCode: 400,
    });
  });

  it('counts a connection error and a timeout as failed attempts', async () => {
    await freshStore();
    const closed = new Receiver();
    const deadUrl = await closed.listen();
    await closed.close();
    const d = dispatcher({ backoffMs: [5], timeoutMs: 50 });
    d.start();
    const unreachable = await d.enqueue(project, deadUrl, 'archive', {});
    const failed = await settled(store, unreachable.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 2, lastStatusCode: null });
    expect(failed.lastError).toMatch(/Request failed/);

    receiver.script = ['hang', 'hang'];
    const slow = await d.enqueue(project, url, 'archive', {});
    const timedOut = await settled(store, slow.id);
    expect(timedOut).toMatchObject({ status: 'failed', attempts: 2 });
    expect(timedOut.lastError).toMatch(/No answer within 50 ms/);
  });

  it('never blocks or drops when the in-memory queue is full', async () => {
    await freshStore();
    const d = dispatcher({ maxQueue: 2, concurrency: 1 });
    d.start();
    const queued = await Promise.all(
      Array.from({ length: 12 }, (_, i) => d.enqueue(project, url, 'archive', { i })),
    );
    for (const q of queued) expect((await settled(store, q.id)).status).toBe('delivered');
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(
      new Set(queued.map((q) => q.id)),
    );
  });

  it('fails a delivery whose project was deleted', async () => {
    await freshStore();
    const d = dispatcher();
    const queued = await d.enqueue(project, url, 'archive', {});
    await store.projects.create(
      aProject({ applicationId: 'other', apiKey: '1', webhookSecret: newWebhookSecret() }),
    );
    await store.projects.delete(project.applicationId);
    await store.webhookDeliveries.put(queued); // The cascade removed it; put it back to model a race.
    d.start();
    expect(await settled(store, queued.id)).toMatchObject({
      status: 'failed',
      lastError: expect.stringMatching(/no longer exists/),
    });
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses bad input naming the field', async () => {
    await freshStore();
    const d = dispatcher();
    await expect(d.enqueue(project, 'ftp://x', 'e', {})).rejects.toThrow(/url/);
    await expect(d.enqueue(project, 'not a url', 'e', {})).rejects.toThrow(/url/);
    await expect(d.enqueue(project, url, '', {})).rejects.toThrow(/event/);
    await expect(d.enqueue(project, url, 'e', undefined)).rejects.toThrow(/payload/);
    expect(() => new WebhookDispatcher({ store, logger: quietLogger(), maxQueue: 0 })).toThrow(/maxQueue/);
    expect(() => new WebhookDispatcher({ store, logger: quietLogger(), backoffMs: [-1] })).toThrow(
      /backoffMs\[0\]/,
    );
  });

  describe('across a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-webhooks-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('resumes deliveries that were pending when the server stopped', async () => {
      const file = join(dir, 'resume.db');
      store = openSqliteStore(file);
      await store.projects.create(project);
      receiver.script = [500];
      const first = dispatcher({ backoffMs: [60_000] });
      first.start();
      const retrying = await first.enqueue(project, url, 'archive', { n: 1 });
      await settled(store, retrying.id, (d) => d.attempts === 1);
      await first.stop();
      const notYetSent = await first.enqueue(project, url, 'archive', { n: 2 }); // persisted while stopped
      await store.close();

      store = openSqliteStore(file);
      // The retry was an hour away; model the restart happening after it fell due.
      const waiting = await store.webhookDeliveries.get(retrying.id);
      if (!waiting) throw new Error('the pending delivery was lost');
      await store.webhookDeliveries.put({ ...waiting, nextAttemptAt: Date.now() });
      const second = dispatcher();
      second.start();
      expect(await settled(store, retrying.id)).toMatchObject({ status: 'delivered', attempts: 2 });
      expect(await settled(store, notYetSent.id)).toMatchObject({ status: 'delivered', attempts: 1 });
      expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual(
        expect.arrayContaining([retrying.id, retrying.id, notYetSent.id]),
      );
    });

    it('leaves an attempt aborted by stop() pending, to be sent again after the restart', async () => {
      store = openSqliteStore(join(dir, 'abort.db'));
      await store.projects.create(project);
      receiver.script = ['hang'];
      const first = dispatcher({ stopTimeoutMs: 20, timeoutMs: 60_000 });
      first.start();
      const queued = await first.enqueue(project, url, 'archive', {});
      await receiver.requests(1);
      await first.stop();
      expect(await store.webhookDeliveries.get(queued.id)).toMatchObject({ status: 'pending', attempts: 0 });

      dispatcher().start();
      expect(await settled(store, queued.id)).toMatchObject({ status: 'delivered', attempts: 1 });
      expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([queued.id, queued.id]);
    });
  });
});
