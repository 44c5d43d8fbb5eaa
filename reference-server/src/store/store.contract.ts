/**
 * The behaviour every {@link Store} must have, as one vitest suite that takes a factory. Each store's test
 * file calls {@link describeStoreContract}, so the memory and SQLite stores (and a future shared store)
 * are held to exactly the same rules.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from './errors.js';
import {
  aBroadcast,
  aCallback,
  aDelivery,
  anArchive,
  anIdempotencyRecord,
  aProject,
  aRender,
  aSession,
} from './store.fixtures.js';
import type { Store } from './types.js';

/** Creates a fresh, empty store whose expiry checks use the given clock. */
export type StoreFactory = (options: { now: () => number }) => Store | Promise<Store>;

const OTHER_APP = '0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d';

/** Registers the store contract suite under `describe(name)`. */
export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`${name} (store contract)`, () => {
    let clock = 1_700_000_000_000;
    let store: Store;

    beforeEach(async () => {
      clock = 1_700_000_000_000;
      store = await factory({ now: () => clock });
    });
    afterEach(async () => {
      await store.close();
    });

    describe('projects', () => {
      it('creates and finds a project by application ID and by API key', async () => {
        const project = aProject({
          archiveStorage: { type: 's3', config: { bucket: 'b' }, fallback: 'none', updatedAt: 1 },
        });
        await store.projects.create(project);
        expect(await store.projects.get(project.applicationId)).toEqual(project);
        expect(await store.projects.get(project.apiKey)).toEqual(project);
        expect(await store.projects.get('nope')).toBeNull();
      });

      it('rejects a second project with the same application ID or API key', async () => {
        await store.projects.create(aProject());
        await expect(store.projects.create(aProject({ apiKey: '47000002' }))).rejects.toMatchObject({
          reason: 'conflict',
          entity: 'project',
        });
        await expect(store.projects.create(aProject({ applicationId: OTHER_APP }))).rejects.toBeInstanceOf(
          StoreError,
        );
      });

      it('prefers an application ID match over an API key match', async () => {
        await store.projects.create(aProject({ applicationId: 'same', apiKey: '1' }));
        await store.projects.create(aProject({ applicationId: OTHER_APP, apiKey: 'same' }));
        expect((await store.projects.get('same'))?.apiKey).toBe('1');
      });

      it('lists projects oldest first', async () => {
        await store.projects.create(aProject({ applicationId: OTHER_APP, apiKey: '2', createdAt: 2 }));
        await store.projects.create(aProject({ apiKey: '1', createdAt: 1 }));
        expect((await store.projects.list()).map((p) => p.apiKey)).toEqual(['1', '2']);
      });

      it('updates an existing project and refuses an unknown one or a taken API key', async () => {
        const project = aProject();
        await store.projects.create(project);
        await store.projects.create(aProject({ applicationId: OTHER_APP, apiKey: '47000002' }));
        const updated = { ...project, name: 'Renamed', callbackUrls: { session: 'https://x.test/s' } };
        await store.projects.update(updated);
        expect(await store.projects.get(project.applicationId)).toEqual(updated);
        await expect(store.projects.update(aProject({ applicationId: 'missing' }))).rejects.toMatchObject({
          reason: 'not-found',
        });
        await expect(store.projects.update({ ...project, apiKey: '47000002' })).rejects.toMatchObject({
          reason: 'conflict',
        });
      });

      it('deletes a project together with the records it owns', async () => {
        const project = aProject();
        await store.projects.create(project);
        await store.sessions.create(aSession());
        await store.archives.put(anArchive());
        await store.broadcasts.put(aBroadcast());
        await store.renders.put(aRender());
        await store.callbacks.create(aCallback());
        await store.webhookDeliveries.put(aDelivery());
        await store.idempotency.put(anIdempotencyRecord());
        expect(await store.jtis.claim(project.applicationId, 'j1', clock + 60_000)).toBe(true);

        expect(await store.projects.delete(project.applicationId)).toBe(true);
        expect(await store.projects.delete(project.applicationId)).toBe(false);
        expect(await store.projects.get(project.apiKey)).toBeNull();
        expect(await store.sessions.get(aSession().sessionId)).toBeNull();
        expect(await store.archives.get(project.applicationId, anArchive().id)).toBeNull();
        expect(await store.broadcasts.get(project.applicationId, aBroadcast().id)).toBeNull();
        expect(await store.renders.get(project.applicationId, aRender().id)).toBeNull();
        expect(await store.callbacks.list(project.applicationId)).toEqual([]);
        expect(await store.webhookDeliveries.get('msg_1')).toBeNull();
        expect(await store.idempotency.get(project.applicationId, 'key-1')).toBeNull();
        expect(await store.jtis.claim(project.applicationId, 'j1', clock + 60_000)).toBe(true);
      });

      it('returns copies that callers cannot use to change stored state', async () => {
        await store.projects.create(aProject());
        const fetched = await store.projects.get(aProject().applicationId);
        if (!fetched) throw new Error('project missing');
        fetched.callbackUrls.archive = 'https://evil.test';
        expect((await store.projects.get(aProject().applicationId))?.callbackUrls.archive).toBe(
          'https://example.test/archive',
        );
      });
    });

    describe('sessions', () => {
      it('creates and reads a session, every field intact', async () => {
        const session = aSession({
          mediaMode: 'relayed',
          archiveMode: 'always',
          location: '10.1.2.3',
          e2ee: true,
          archiveName: 'n',
          archiveResolution: '1280x720',
        });
        await store.sessions.create(session);
        expect(await store.sessions.get(session.sessionId)).toEqual(session);
        expect(await store.sessions.get('other')).toBeNull();
      });

      it('rejects a duplicate session ID', async () => {
        await store.sessions.create(aSession());
        await expect(store.sessions.create(aSession())).rejects.toMatchObject({ reason: 'conflict' });
      });
    });

    describe('archives', () => {
      it('upserts, reads only within the owning project, and deletes', async () => {
        const archive = anArchive();
        await store.archives.put(archive);
        expect(await store.archives.get(archive.applicationId, archive.id)).toEqual(archive);
        expect(await store.archives.get(OTHER_APP, archive.id)).toBeNull();

        const stopped = { ...archive, status: 'stopped' as const, updatedAt: 2, data: { duration: 5 } };
        await store.archives.put(stopped);
        expect(await store.archives.get(archive.applicationId, archive.id)).toEqual(stopped);

        expect(await store.archives.delete(OTHER_APP, archive.id)).toBe(false);
        expect(await store.archives.delete(archive.applicationId, archive.id)).toBe(true);
        expect(await store.archives.delete(archive.applicationId, archive.id)).toBe(false);
        expect(await store.archives.get(archive.applicationId, archive.id)).toBeNull();
      });

      it('lists newest first with paging, a session filter and a total', async () => {
        for (let i = 1; i <= 5; i++) {
          await store.archives.put(
            anArchive({ id: `a${i}`, createdAt: i * 10, sessionId: i % 2 ? 's1' : 's2' }),
          );
        }
        await store.archives.put(anArchive({ id: 'foreign', applicationId: OTHER_APP, createdAt: 100 }));
        const app = anArchive().applicationId;

        const all = await store.archives.list(app, { offset: 0, count: 50 });
        expect(all.total).toBe(5);
        expect(all.items.map((a) => a.id)).toEqual(['a5', 'a4', 'a3', 'a2', 'a1']);

        const page = await store.archives.list(app, { offset: 1, count: 2 });
        expect(page).toMatchObject({ total: 5 });
        expect(page.items.map((a) => a.id)).toEqual(['a4', 'a3']);

        const s1 = await store.archives.list(app, { sessionId: 's1', offset: 0, count: 50 });
        expect(s1.total).toBe(3);
        expect(s1.items.map((a) => a.id)).toEqual(['a5', 'a3', 'a1']);

        expect(await store.archives.list(app, { offset: 10, count: 5 })).toEqual({ total: 5, items: [] });
      });

      it('orders archives created in the same millisecond by ID, newest-first style', async () => {
        await store.archives.put(anArchive({ id: 'x-b', createdAt: 5 }));
        await store.archives.put(anArchive({ id: 'x-a', createdAt: 5 }));
        await store.archives.put(anArchive({ id: 'x-c', createdAt: 5 }));
        const list = await store.archives.list(anArchive().applicationId, { offset: 0, count: 10 });
        expect(list.items.map((a) => a.id)).toEqual(['x-c', 'x-b', 'x-a']);
      });

      it('rejects negative paging values naming the field', async () => {
        await expect(store.archives.list('a', { offset: -1, count: 5 })).rejects.toThrow(/offset/);
        await expect(store.archives.list('a', { offset: 0, count: 1.5 })).rejects.toThrow(/count/);
      });

      it('lists archives by status across projects, oldest first', async () => {
        await store.archives.put(anArchive({ id: 'a2', createdAt: 2 }));
        await store.archives.put(anArchive({ id: 'a1', createdAt: 1, applicationId: OTHER_APP }));
        await store.archives.put(anArchive({ id: 'a3', status: 'available' }));
        expect((await store.archives.listByStatus('started')).map((a) => a.id)).toEqual(['a1', 'a2']);
        expect(await store.archives.listByStatus('failed')).toEqual([]);
      });
    });

    describe('broadcasts', () => {
      it('upserts, reads within the owning project, lists and filters by status', async () => {
        const b = aBroadcast();
        await store.broadcasts.put(b);
        await store.broadcasts.put(
          aBroadcast({ id: 'b2', createdAt: b.createdAt + 1, sessionId: 'session-b' }),
        );
        expect(await store.broadcasts.get(b.applicationId, b.id)).toEqual(b);
        expect(await store.broadcasts.get(OTHER_APP, b.id)).toBeNull();

        const list = await store.broadcasts.list(b.applicationId, { offset: 0, count: 10 });
        expect(list.total).toBe(2);
        expect(list.items.map((x) => x.id)).toEqual(['b2', b.id]);
        const filtered = await store.broadcasts.list(b.applicationId, {
          sessionId: 'session-b',
          offset: 0,
          count: 10,
        });
        expect(filtered.items.map((x) => x.id)).toEqual(['b2']);

        await store.broadcasts.put({ ...b, status: 'stopped' });
        expect((await store.broadcasts.listByStatus('started')).map((x) => x.id)).toEqual(['b2']);
        expect((await store.broadcasts.listByStatus('stopped')).map((x) => x.id)).toEqual([b.id]);
      });
    });

    describe('renders', () => {
      it('upserts, reads within the owning project, lists newest first and by status', async () => {
        const r = aRender();
        await store.renders.put(r);
        await store.renders.put(aRender({ id: 'r2', createdAt: r.createdAt + 1, status: 'started' }));
        await store.renders.put(aRender({ id: 'r-other', applicationId: OTHER_APP }));
        expect(await store.renders.get(r.applicationId, r.id)).toEqual(r);
        expect(await store.renders.get(OTHER_APP, r.id)).toBeNull();

        const list = await store.renders.list(r.applicationId, { offset: 0, count: 10 });
        expect(list.total).toBe(2);
        expect(list.items.map((x) => x.id)).toEqual(['r2', r.id]);
        const second = await store.renders.list(r.applicationId, { offset: 1, count: 1 });
        expect(second).toEqual({ total: 2, items: [r] });

        await store.renders.put({ ...r, status: 'failed', data: { ...r.data, reason: 'boom' } });
        expect((await store.renders.listByStatus('started')).map((x) => x.id)).toEqual(['r2']);
        expect((await store.renders.listByStatus('starting')).map((x) => x.id)).toEqual(['r-other']);
        expect(await store.renders.get(r.applicationId, r.id)).toMatchObject({
          status: 'failed',
          data: { reason: 'boom' },
        });
      });
    });

    describe('callbacks', () => {
      it('creates, lists oldest first per project, and deletes within the owning project', async () => {
        await store.callbacks.create(aCallback({ id: 'cb-2', createdAt: 2 }));
        await store.callbacks.create(aCallback({ id: 'cb-1', createdAt: 1 }));
        await store.callbacks.create(aCallback({ id: 'cb-x', applicationId: OTHER_APP }));
        const app = aCallback().applicationId;
        expect((await store.callbacks.list(app)).map((c) => c.id)).toEqual(['cb-1', 'cb-2']);
        await expect(store.callbacks.create(aCallback({ id: 'cb-1' }))).rejects.toMatchObject({
          reason: 'conflict',
        });
        expect(await store.callbacks.delete(OTHER_APP, 'cb-1')).toBe(false);
        expect(await store.callbacks.delete(app, 'cb-1')).toBe(true);
        expect((await store.callbacks.list(app)).map((c) => c.id)).toEqual(['cb-2']);
      });
    });

    describe('webhook deliveries', () => {
      it('upserts and reads a delivery', async () => {
        const d = aDelivery();
        await store.webhookDeliveries.put(d);
        const delivered = {
          ...d,
          status: 'delivered' as const,
          attempts: 1,
          lastStatusCode: 204,
          nextAttemptAt: null,
        };
        await store.webhookDeliveries.put(delivered);
        expect(await store.webhookDeliveries.get(d.id)).toEqual(delivered);
        expect(await store.webhookDeliveries.get('msg_none')).toBeNull();
      });

      it('returns only pending deliveries that are due, oldest first, up to the limit', async () => {
        await store.webhookDeliveries.put(aDelivery({ id: 'msg_b', createdAt: 2, nextAttemptAt: 100 }));
        await store.webhookDeliveries.put(aDelivery({ id: 'msg_a', createdAt: 1, nextAttemptAt: 50 }));
        await store.webhookDeliveries.put(aDelivery({ id: 'msg_later', createdAt: 0, nextAttemptAt: 1000 }));
        await store.webhookDeliveries.put(aDelivery({ id: 'msg_done', createdAt: 0, status: 'delivered' }));
        await store.webhookDeliveries.put(aDelivery({ id: 'msg_dead', createdAt: 0, status: 'failed' }));
        expect((await store.webhookDeliveries.due(100, 10)).map((d) => d.id)).toEqual(['msg_a', 'msg_b']);
        expect((await store.webhookDeliveries.due(100, 1)).map((d) => d.id)).toEqual(['msg_a']);
        expect(await store.webhookDeliveries.due(10, 10)).toEqual([]);
      });

      it('lists a project’s deliveries newest first with a total', async () => {
        for (let i = 0; i < 3; i++)
          await store.webhookDeliveries.put(aDelivery({ id: `msg_${i}`, createdAt: i }));
        await store.webhookDeliveries.put(aDelivery({ id: 'msg_x', applicationId: OTHER_APP }));
        const page = await store.webhookDeliveries.list(aDelivery().applicationId, { offset: 0, count: 2 });
        expect(page.total).toBe(3);
        expect(page.items.map((d) => d.id)).toEqual(['msg_2', 'msg_1']);
      });
    });

    describe('idempotency', () => {
      it('stores and replays a response until it expires, then purges it', async () => {
        const record = anIdempotencyRecord({ expiresAt: clock + 1000 });
        await store.idempotency.put(record);
        expect(await store.idempotency.get(record.applicationId, record.key)).toEqual(record);
        expect(await store.idempotency.get(OTHER_APP, record.key)).toBeNull();

        clock += 1000;
        expect(await store.idempotency.get(record.applicationId, record.key)).toBeNull();
        await store.idempotency.put(anIdempotencyRecord({ key: 'live', expiresAt: clock + 5000 }));
        expect(await store.idempotency.purgeExpired(clock)).toBe(1);
        expect(await store.idempotency.purgeExpired(clock)).toBe(0);
        expect(await store.idempotency.get(record.applicationId, 'live')).not.toBeNull();
      });

      it('overwrites the record for the same key', async () => {
        await store.idempotency.put(anIdempotencyRecord({ statusCode: 500 }));
        await store.idempotency.put(anIdempotencyRecord({ statusCode: 201 }));
        expect((await store.idempotency.get(anIdempotencyRecord().applicationId, 'key-1'))?.statusCode).toBe(
          201,
        );
      });
    });

    describe('jtis', () => {
      it('claims a JWT ID once until it expires, per project', async () => {
        const app = aProject().applicationId;
        expect(await store.jtis.claim(app, 'jti-1', clock + 300_000)).toBe(true);
        expect(await store.jtis.claim(app, 'jti-1', clock + 300_000)).toBe(false);
        expect(await store.jtis.claim(OTHER_APP, 'jti-1', clock + 300_000)).toBe(true);
        clock += 300_000;
        expect(await store.jtis.claim(app, 'jti-1', clock + 300_000)).toBe(true);
        expect(await store.jtis.claim(app, 'jti-1', clock + 300_000)).toBe(false);
      });
    });

    it('refuses to work after close()', async () => {
      await store.close();
      await expect(store.sessions.get('x')).rejects.toMatchObject({ reason: 'closed' });
      // A second close() is harmless (afterEach closes again).
      await store.close();
    });
  });
}
