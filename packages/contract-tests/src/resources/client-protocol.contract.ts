/**
 * The client-protocol endpoints OpenTok.js calls: session info (errors as HTTP 200 with an error
 * object), the signaling WebSocket, client configuration and logging.
 */
import { describe, expect } from 'vitest';
import { contractTest } from '../harness/contract-test.js';
import { exampleBody } from '../harness/examples.js';
import { createSession } from './fixtures.js';

const SESSION_INFO_HEADERS = { 'x-tb-version': '1', 'x-tb-client-version': 'js-2.35.2' };

describe('client protocol', () => {
  for (const operationId of ['getSessionInfo', 'getSessionInfoProxied']) {
    contractTest(
      `${operationId} answers the session info for a valid token`,
      { operations: ['createSession', operationId] },
      async (h) => {
        const sessionId = await createSession(h);
        const token = await h.token(sessionId);
        const response = await h.expect(operationId, 200, {
          path: { sessionId },
          query: { extended: 'true' },
          headers: { ...SESSION_INFO_HEADERS, 'x-opentok-auth': token },
        });
        const [info] = response.body as Record<string, unknown>[];
        expect(info?.error).toBeUndefined();
        expect(info?.session_id).toBe(sessionId);
        const ids = [h.config.credentials.apiKey, h.config.credentials.applicationId].filter(Boolean);
        expect(ids).toContain(info?.partner_id);
      },
    );

    contractTest(
      `${operationId} answers a bad token with HTTP 200 and error 403`,
      { operations: ['createSession', operationId] },
      async (h) => {
        const sessionId = await createSession(h);
        const response = await h.expect(operationId, 200, {
          path: { sessionId },
          headers: { ...SESSION_INFO_HEADERS, 'x-opentok-auth': 'not-a-token' },
        });
        const [element] = response.body as { error?: { code: string } }[];
        expect(element?.error?.code).toBe('403');
      },
    );
  }

  contractTest(
    'connectSignaling refuses a plain GET with 426',
    { operations: ['connectSignaling'] },
    async (h) => {
      await h.expect('connectSignaling', 426);
    },
  );

  contractTest(
    'connectSignaling: a participant connects and sees itself in the session state',
    { operations: ['createSession', 'connectSignaling', 'getSessionInfo'], needs: ['participants'] },
    async (h) => {
      const sessionId = await createSession(h);
      const alice = await h.join(sessionId, 'publisher', 'name=Alice');
      // The WebSocket upgrade and session info happen inside join(); record them for the coverage report.
      h.record('getSessionInfo');
      h.record('connectSignaling');
      expect(alice.initialState.connections.map((c) => c.id)).toContain(alice.connectionId);
      const own = await alice.waitFor('connectionCreated', (e) => e.connection.id === alice.connectionId);
      expect(own.connection.data).toBe('name=Alice');
    },
  );

  contractTest('getClientConfig answers for the project', { operations: ['getClientConfig'] }, async (h) => {
    const apiKey = h.config.credentials.apiKey ?? h.config.credentials.applicationId ?? '';
    await h.expect('getClientConfig', 200, { path: { apiKey } });
  });

  for (const operationId of ['postClientLog', 'postClientLogProxied']) {
    contractTest(`${operationId} accepts a client log entry`, { operations: [operationId] }, async (h) => {
      await h.expect(operationId, 204, {
        path: { kind: 'ClientEvent' },
        body: exampleBody(h.spec, h.spec.operation(operationId)),
      });
    });
  }
});
