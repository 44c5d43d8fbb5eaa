/**
 * Audio Connector: the target opens a WebSocket to a server the suite runs (with the request's headers in
 * the handshake and in a first text message that names the audio format, then 20 ms binary PCM frames),
 * joins the session as a connection, and leaves on force-disconnect; relayed sessions are refused with 409.
 */
import type { AddressInfo } from 'node:net';
import { describe, expect } from 'vitest';
import { WebSocketServer } from 'ws';
import { contractTest } from '../harness/contract-test.js';
import { createSession } from './fixtures.js';

describe('audio connector', () => {
  contractTest(
    'connectAudio streams to a WebSocket and joins the session until force-disconnected',
    {
      operations: ['createSession', 'connectAudio', 'listConnections', 'forceDisconnect'],
      needs: ['media', 'webhookReceiver'],
      timeoutMs: 60_000,
    },
    async (h) => {
      const server = new WebSocketServer({ host: h.config.receiverHost, port: 0 });
      h.defer(() => new Promise((resolve) => server.close(resolve)));
      // What the connector sends: first a text message with the audio format and the request's headers,
      // then binary 16-bit PCM, 20 ms (640 bytes at 16 kHz) per message.
      const first = new Promise<{ text: string; upgradeHeader: unknown }>((resolve) =>
        server.once('connection', (socket, request) =>
          socket.once('message', (data, isBinary) =>
            resolve({ text: isBinary ? '' : String(data), upgradeHeader: request.headers['x-contract'] }),
          ),
        ),
      );
      const audio = new Promise<number>((resolve) =>
        server.once('connection', (socket) =>
          socket.on('message', (data, isBinary) => {
            if (isBinary) resolve((data as Buffer).length);
          }),
        ),
      );
      const opened = new Promise<void>((resolve) => server.once('connection', () => resolve()));
      await new Promise<void>((resolve) => server.once('listening', () => resolve()));
      const { port } = server.address() as AddressInfo;
      const sessionId = await createSession(h);
      const alice = await h.join(sessionId);
      await alice.publish();
      const uri = `ws://${h.config.receiverHost}:${port}/audio`;
      const connection = (
        await h.expect('connectAudio', 200, {
          body: {
            sessionId,
            token: await h.token(sessionId),
            websocket: { uri, audioRate: 16000, headers: { 'X-Contract': 'audio' } },
          },
        })
      ).body as { id: string; connectionId: string };
      await opened;
      const { text, upgradeHeader } = await first;
      expect(JSON.parse(text)).toMatchObject({
        'content-type': 'audio/l16;rate=16000',
        'X-Contract': 'audio',
      });
      expect(upgradeHeader).toBe('audio');
      expect(await audio).toBe(640);
      const listed = (await h.expect('listConnections', 200, { path: { sessionId } })).body as {
        items: { connectionId: string }[];
      };
      expect(listed.items.map((c) => c.connectionId)).toContain(connection.connectionId);
      await h.expect('forceDisconnect', 204, { path: { sessionId, connectionId: connection.connectionId } });
    },
  );

  contractTest(
    'connectAudio refuses a relayed session with 409',
    { operations: ['createSession', 'connectAudio'] },
    async (h) => {
      const relayed = await createSession(h, { 'p2p.preference': 'enabled' });
      await h.expect('connectAudio', 409, {
        body: {
          sessionId: relayed,
          token: await h.token(relayed),
          websocket: { uri: 'wss://audio.example.com/socket' },
        },
      });
    },
  );
});
