/**
 * Sessions: `POST /session/create` in every auth style and media mode, the session-ID format the spec
 * documents, the legacy XML form, and idempotency-key replay.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { idempotencyReplay } from '../checks/index.js';
import { contractTest } from '../harness/contract-test.js';
import { createSession } from './fixtures.js';

describe('sessions', () => {
  contractTest(
    'createSession makes routed and relayed sessions in every auth style',
    { operations: ['createSession'] },
    async (h) => {
      for (const client of h.apis) {
        for (const form of [
          {},
          { 'p2p.preference': 'disabled' },
          { 'p2p.preference': 'enabled', location: '192.0.2.10' },
        ]) {
          const response = await h.expect('createSession', 200, { body: form }, client);
          const [session] = response.body as {
            session_id: string;
            project_id: string;
            application_id?: string;
          }[];
          expect(session?.session_id).toMatch(/^[A-Za-z0-9_-]{1,255}$/);
          if (h.config.credentials.apiKey) expect(session?.project_id).toBe(h.config.credentials.apiKey);
          if (h.config.credentials.applicationId && session?.application_id !== undefined) {
            expect(session.application_id).toBe(h.config.credentials.applicationId);
          }
        }
      }
    },
  );

  contractTest(
    'session IDs carry the project API key, as the legacy SDKs check',
    { operations: ['createSession'] },
    async (h) => {
      const sessionId = await createSession(h);
      const apiKey = h.config.credentials.apiKey;
      // `2_` + base64url("1~<apiKey>~…"): the legacy SDKs refuse to mint tokens when field 1 differs.
      const decoded = Buffer.from(sessionId.replace(/^\d+_/, ''), 'base64url').toString('utf8').split('~');
      expect(decoded.length).toBeGreaterThan(2);
      if (apiKey) expect(decoded[1]).toBe(apiKey);
    },
  );

  contractTest(
    'createSession records an always-archived routed session',
    { operations: ['createSession'] },
    async (h) => {
      await h.expect('createSession', 200, {
        body: {
          'p2p.preference': 'disabled',
          archiveMode: 'always',
          archiveName: 'Contract run',
          archiveResolution: '1280x720',
        },
      });
    },
  );

  contractTest(
    'createSession answers the legacy XML form to clients that do not accept JSON',
    { operations: ['createSession'] },
    async (h) => {
      const response = await h.expect('createSession', 200, {
        body: {},
        headers: { accept: 'application/xml' },
      });
      expect(response.mediaType).toBe('application/xml');
      expect(response.text).toMatch(/<session_id>[A-Za-z0-9_-]+<\/session_id>/);
    },
  );

  contractTest(
    'createSession with an Idempotency-Key is replayed, not repeated',
    { operations: ['createSession'] },
    async (h) => {
      const key = `contract-${randomUUID()}`;
      const first = await h.expect('createSession', 200, { body: {}, idempotencyKey: key });
      const replay = await h.expect('createSession', 200, { body: {}, idempotencyKey: key });
      idempotencyReplay(h.spec, first, replay);
      const other = await h.expect('createSession', 200, {
        body: {},
        idempotencyKey: `contract-${randomUUID()}`,
      });
      expect((other.body as { session_id: string }[])[0]?.session_id).not.toBe(
        (first.body as { session_id: string }[])[0]?.session_id,
      );
    },
  );
});
