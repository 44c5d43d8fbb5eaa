/**
 * SIP: dialing adds a connection at once; DTMF plays to the session and to one connection; the call ends
 * with force-disconnect; relayed sessions (409) and unknown sessions or connections (404) are refused.
 */
import { describe, expect } from 'vitest';
import { contractTest } from '../harness/contract-test.js';
import { createSession, UNKNOWN_ID, UNKNOWN_SESSION_ID } from './fixtures.js';

interface SipCall {
  id: string;
  connectionId: string;
  streamId: string;
}

const SIP_URI = 'sip:contract@sip.example.com;transport=tls';

describe('sip', () => {
  contractTest(
    'dial adds the call as a connection, DTMF plays, force-disconnect hangs up',
    {
      operations: [
        'createSession',
        'dial',
        'listConnections',
        'playDtmf',
        'playDtmfToConnection',
        'forceDisconnect',
      ],
      needs: ['media'],
      timeoutMs: 60_000,
    },
    async (h) => {
      const sessionId = await createSession(h);
      await h.join(sessionId);
      const token = await h.token(sessionId, 'publisher', 'sip=contract');
      const call = (await h.expect('dial', 200, { body: { sessionId, token, sip: { uri: SIP_URI } } }))
        .body as SipCall;
      const connections = (await h.expect('listConnections', 200, { path: { sessionId } })).body as {
        items: { connectionId: string }[];
      };
      expect(connections.items.map((c) => c.connectionId)).toContain(call.connectionId);
      await h.expect('playDtmf', 200, { path: { sessionId }, body: { digits: '1234#' } });
      await h.expect('playDtmfToConnection', 200, {
        path: { sessionId, connectionId: call.connectionId },
        body: { digits: 'p9*' },
      });
      await h.expect('forceDisconnect', 204, { path: { sessionId, connectionId: call.connectionId } });
    },
  );

  contractTest(
    'dial refuses a relayed session (409) and an unknown one (404)',
    { operations: ['createSession', 'dial'] },
    async (h) => {
      const relayed = await createSession(h, { 'p2p.preference': 'enabled' });
      await h.expect('dial', 409, {
        body: { sessionId: relayed, token: await h.token(relayed), sip: { uri: SIP_URI } },
      });
      await h.expect('dial', 404, {
        body: {
          sessionId: UNKNOWN_SESSION_ID,
          token: await h.token(UNKNOWN_SESSION_ID),
          sip: { uri: SIP_URI },
        },
      });
    },
  );

  contractTest(
    'DTMF to an unknown session or connection answers 404',
    { operations: ['createSession', 'playDtmf', 'playDtmfToConnection'] },
    async (h) => {
      await h.expect('playDtmf', 404, { path: { sessionId: UNKNOWN_SESSION_ID }, body: { digits: '1' } });
      const sessionId = await createSession(h);
      await h.expect('playDtmfToConnection', 404, {
        path: { sessionId, connectionId: UNKNOWN_ID },
        body: { digits: '1' },
      });
    },
  );
});
