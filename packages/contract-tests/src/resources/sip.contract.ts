/**
 * SIP: dialing adds a connection at once and places the call (a small SIP server the suite runs on UDP
 * answers it); DTMF plays to the session and to one connection; force-disconnect hangs up with `BYE`;
 * a SIP URI nobody answers ends the call and its connection leaves the session; relayed sessions (409)
 * and unknown sessions or connections (404) are refused.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer } from 'node:net';
import { describe, expect } from 'vitest';
import type { ContractHarness } from '../harness/context.js';
import { contractTest } from '../harness/contract-test.js';
import { createSession, poll, UNKNOWN_ID, UNKNOWN_SESSION_ID } from './fixtures.js';

interface SipCall {
  id: string;
  connectionId: string;
  streamId: string;
}

/** Used where the request is refused before anything is dialled. */
const SIP_URI = 'sip:contract@sip.example.com;transport=tls';

/** The host part of a URI for the run's receiver host. */
const uriHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

/**
 * A minimal SIP server (RFC 3261 over UDP): answers INVITE with `200 OK` and a PCMU + telephone-event
 * SDP, answers BYE and CANCEL with `200 OK`, and records the methods it received.
 */
async function startSipServer(h: ContractHarness): Promise<{ uri: string; methods: string[] }> {
  const host = h.config.receiverHost;
  const socket: Socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const methods: string[] = [];
  socket.on('message', (bytes, from) => {
    const text = bytes.toString('utf8');
    const [head = ''] = text.split('\r\n\r\n');
    const lines = head.split('\r\n');
    const method = /^([A-Z]+) \S+ SIP\/2\.0$/.exec(lines[0] ?? '')?.[1];
    if (!method) return; // A response (to nothing we sent) or garbage.
    methods.push(method);
    if (method === 'ACK') return;
    const pick = (name: string, compact: string) =>
      lines.filter((line) => new RegExp(`^(${name}|${compact})\\s*:`, 'i').test(line));
    const to = pick('To', 't')[0] ?? 'To: <sip:contract@invalid>';
    const sdp =
      method === 'INVITE'
        ? [
            'v=0',
            `o=contract 1 1 IN IP4 ${host}`,
            's=-',
            `c=IN IP4 ${host}`,
            't=0 0',
            'm=audio 40000 RTP/AVP 0 101',
            'a=rtpmap:0 PCMU/8000',
            'a=rtpmap:101 telephone-event/8000',
            '',
          ].join('\r\n')
        : '';
    const response = [
      'SIP/2.0 200 OK',
      ...pick('Via', 'v'),
      ...pick('From', 'f'),
      /;tag=/.test(to) ? to : `${to};tag=contract`,
      ...pick('Call-ID', 'i'),
      ...pick('CSeq', 'CSeq'),
      `Contact: <sip:contract@${uriHost(host)}:${socket.address().port}>`,
      ...(sdp ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(sdp)}`,
      '',
      sdp,
    ].join('\r\n');
    socket.send(response, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, host, () => resolve()));
  h.defer(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return { uri: `sip:contract@${uriHost(host)}:${socket.address().port}`, methods };
}

/** A TCP port on the receiver host with nothing listening (bound, then closed). */
async function closedTcpPort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function connectionIds(h: ContractHarness, sessionId: string): Promise<string[]> {
  const listed = (await h.expect('listConnections', 200, { path: { sessionId } })).body as {
    items: { connectionId: string }[];
  };
  return listed.items.map((c) => c.connectionId);
}

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
      needs: ['media', 'webhookReceiver'],
      timeoutMs: 60_000,
    },
    async (h) => {
      const server = await startSipServer(h);
      const sessionId = await createSession(h);
      await h.join(sessionId);
      const token = await h.token(sessionId, 'publisher', 'sip=contract');
      const call = (
        await h.expect('dial', 200, {
          body: { sessionId, token, sip: { uri: server.uri, headers: { 'X-Contract': 'sip' } } },
        })
      ).body as SipCall;
      expect(call).toMatchObject({ id: expect.any(String), connectionId: expect.any(String) });
      expect(await connectionIds(h, sessionId)).toContain(call.connectionId);
      await poll(
        async () => [...server.methods],
        (methods) => methods.includes('ACK'),
        15_000,
      );
      await h.expect('playDtmf', 200, { path: { sessionId }, body: { digits: '1234#' } });
      await h.expect('playDtmfToConnection', 200, {
        path: { sessionId, connectionId: call.connectionId },
        body: { digits: 'p9*' },
      });
      await h.expect('forceDisconnect', 204, { path: { sessionId, connectionId: call.connectionId } });
      await poll(
        async () => [...server.methods],
        (methods) => methods.includes('BYE'),
        15_000,
      );
    },
  );

  contractTest(
    'a SIP URI nobody answers ends the call: its connection leaves the session',
    {
      operations: ['createSession', 'dial', 'listConnections'],
      needs: ['media', 'webhookReceiver'],
      timeoutMs: 60_000,
    },
    async (h) => {
      const sessionId = await createSession(h);
      await h.join(sessionId);
      const port = await closedTcpPort(h.config.receiverHost);
      const call = (
        await h.expect('dial', 200, {
          body: {
            sessionId,
            token: await h.token(sessionId),
            sip: { uri: `sip:nobody@${uriHost(h.config.receiverHost)}:${port};transport=tcp` },
          },
        })
      ).body as SipCall;
      await poll(
        () => connectionIds(h, sessionId),
        (ids) => !ids.includes(call.connectionId),
        45_000,
      );
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
