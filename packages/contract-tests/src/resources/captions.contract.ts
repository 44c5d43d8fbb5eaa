/**
 * Live captions: start (202 with `captionsId`) → a second start answers 409 → stop (202) → stop again
 * succeeds again; relayed sessions (409) and unknown captions IDs (404) are refused.
 */
import { describe, expect } from 'vitest';
import { contractTest } from '../harness/contract-test.js';
import { createSession, UNKNOWN_ID } from './fixtures.js';

describe('captions', () => {
  contractTest(
    'start, start again 409, stop, stop again',
    { operations: ['createSession', 'startCaptions', 'stopCaptions'], needs: ['media'], timeoutMs: 60_000 },
    async (h) => {
      const sessionId = await createSession(h);
      const alice = await h.join(sessionId);
      await alice.publish();
      const token = await h.token(sessionId, 'moderator');
      const started = (
        await h.expect('startCaptions', 202, {
          body: { sessionId, token, languageCode: 'en-US', maxDuration: 300 },
        })
      ).body as {
        captionsId: string;
      };
      h.defer(() => h.api.call('stopCaptions', { path: { captionsId: started.captionsId } }));
      expect(started.captionsId).toBeTruthy();
      await h.expect('startCaptions', 409, { body: { sessionId, token } });
      await h.expect('stopCaptions', 202, { path: { captionsId: started.captionsId } });
      await h.expect('stopCaptions', 202, { path: { captionsId: started.captionsId } });
    },
  );

  contractTest(
    'startCaptions refuses a relayed session with 409',
    { operations: ['createSession', 'startCaptions'] },
    async (h) => {
      const relayed = await createSession(h, { 'p2p.preference': 'enabled' });
      await h.expect('startCaptions', 409, {
        body: { sessionId: relayed, token: await h.token(relayed, 'moderator') },
      });
    },
  );

  contractTest(
    'stopCaptions answers 404 for an unknown captions ID',
    { operations: ['stopCaptions'] },
    async (h) => {
      await h.expect('stopCaptions', 404, { path: { captionsId: UNKNOWN_ID } });
    },
  );
});
