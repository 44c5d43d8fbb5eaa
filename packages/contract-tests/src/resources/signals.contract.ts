/**
 * Signals: a REST signal reaches every connection with `from = null`; a targeted one reaches only its
 * connection; an unknown connection answers 404; clients can signal each other over the protocol.
 */
import { describe, expect } from 'vitest';
import { contractTest } from '../harness/contract-test.js';
import { createSession } from './fixtures.js';

describe('signals', () => {
  contractTest(
    'sendSignal reaches every connection, from the server',
    { operations: ['createSession', 'sendSignal'], needs: ['participants'] },
    async (h) => {
      const sessionId = await createSession(h);
      const alice = await h.join(sessionId);
      const bob = await h.join(sessionId);
      await h.expect('sendSignal', 204, {
        path: { sessionId },
        body: { type: 'contract', data: 'hello everyone' },
      });
      for (const participant of [alice, bob]) {
        const signal = await participant.waitFor('signal', (s) => s.type === 'contract');
        expect(signal).toMatchObject({ data: 'hello everyone', from: null });
      }
    },
  );

  contractTest(
    'sendSignalToConnection reaches only its connection',
    { operations: ['createSession', 'sendSignalToConnection', 'sendSignal'], needs: ['participants'] },
    async (h) => {
      const sessionId = await createSession(h);
      const alice = await h.join(sessionId);
      const bob = await h.join(sessionId);
      await h.expect('sendSignalToConnection', 204, {
        path: { sessionId, connectionId: bob.connectionId },
        body: { type: 'private', data: 'just for Bob' },
      });
      expect(await bob.waitFor('signal', (s) => s.type === 'private')).toMatchObject({
        data: 'just for Bob',
        from: null,
      });
      // A broadcast sent afterwards reaches Alice; the targeted signal must not have reached her before it.
      await h.expect('sendSignal', 204, { path: { sessionId }, body: { type: 'after', data: '' } });
      await alice.waitFor('signal', (s) => s.type === 'after');
      expect(alice.events.some((e) => e.kind === 'signal' && e.type === 'private')).toBe(false);
    },
  );

  contractTest(
    'sendSignalToConnection answers 404 for a connection that is not in the session',
    { operations: ['createSession', 'sendSignalToConnection'] },
    async (h) => {
      const sessionId = await createSession(h);
      await h.expect('sendSignalToConnection', 404, {
        path: { sessionId, connectionId: '7e0c4d3a-5b1f-4a8e-9c2d-0f1e2d3c4b5a' },
        body: { type: 'x', data: 'y' },
      });
    },
  );

  contractTest(
    'sendSignal refuses oversized data with 413',
    { operations: ['createSession', 'sendSignal'] },
    async (h) => {
      const sessionId = await createSession(h);
      await h.expect('sendSignal', 413, {
        path: { sessionId },
        body: { type: 'big', data: 'x'.repeat(8193) },
      });
    },
  );

  contractTest(
    'participants signal each other over the protocol, with their connection as sender',
    { operations: ['createSession'], needs: ['participants'] },
    async (h) => {
      const sessionId = await createSession(h);
      const alice = await h.join(sessionId);
      const bob = await h.join(sessionId);
      await alice.signal({ type: 'chat', data: 'hi Bob', to: bob.connectionId });
      expect(await bob.waitFor('signal', (s) => s.type === 'chat')).toMatchObject({
        data: 'hi Bob',
        from: alice.connectionId,
      });
    },
  );
});
