/**
 * Callbacks: register → list contains it → re-register the same pair replaces the URL → delete → list
 * no longer has it and a second delete answers 404 (`useAfterFree`).
 */

import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { ensureResourceAvailability, idempotencyReplay, useAfterFree } from '../checks/index.js';
import { contractTest } from '../harness/contract-test.js';

interface Callback {
  id: string;
  group: string;
  event: string;
  url: string;
}

describe('callbacks', () => {
  contractTest(
    'register, list, replace, delete',
    { operations: ['registerCallback', 'listCallbacks', 'deleteCallback'] },
    async (h) => {
      const url = `https://hooks.example.com/contract/${Date.now()}`;
      const created = await h.expect('registerCallback', 200, {
        body: { group: 'archive', event: 'status', url },
      });
      const callback = created.body as Callback;
      h.defer(() => h.api.call('deleteCallback', { path: { callbackId: callback.id } }));
      expect(callback).toMatchObject({ group: 'archive', event: 'status', url });

      const listed = await h.expect('listCallbacks', 200);
      ensureResourceAvailability(h.spec, created, listed);
      expect((listed.body as Callback[]).map((c) => c.id)).toContain(callback.id);

      const replaced = await h.expect('registerCallback', 200, {
        body: { group: 'archive', event: 'status', url: `${url}/v2` },
      });
      expect((replaced.body as Callback).id).toBe(callback.id);
      expect((replaced.body as Callback).url).toBe(`${url}/v2`);

      const deleted = await h.expect('deleteCallback', 204, { path: { callbackId: callback.id } });
      const after = await h.expect('listCallbacks', 200);
      expect((after.body as Callback[]).map((c) => c.id)).not.toContain(callback.id);
      useAfterFree(h.spec, deleted, await h.send('deleteCallback', { path: { callbackId: callback.id } }));
    },
  );

  contractTest(
    'registerCallback with an Idempotency-Key is replayed',
    { operations: ['registerCallback', 'deleteCallback'] },
    async (h) => {
      const key = `contract-${randomUUID()}`;
      const body = {
        group: 'broadcast',
        event: 'status',
        url: 'https://hooks.example.com/contract/idempotent',
      };
      const first = await h.expect('registerCallback', 200, { body, idempotencyKey: key });
      h.defer(() => h.api.call('deleteCallback', { path: { callbackId: (first.body as Callback).id } }));
      idempotencyReplay(
        h.spec,
        first,
        await h.expect('registerCallback', 200, { body, idempotencyKey: key }),
      );
    },
  );

  contractTest(
    'deleteCallback answers 404 for an unknown ID',
    { operations: ['deleteCallback'] },
    async (h) => {
      await h.expect('deleteCallback', 404, { path: { callbackId: '00000000-0000-4000-8000-000000000000' } });
    },
  );
});
