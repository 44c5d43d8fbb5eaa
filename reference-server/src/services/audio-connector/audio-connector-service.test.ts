/**
 * `connectAudio`'s refusals, each with its status, code and a message naming the problem, and the
 * official SDKs (`@vonage/video` `connectToWebsocket`, legacy `opentok` `websocketConnect`) against a
 * listening server. A refused call never leaves a connection in the session.
 */

import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { Video } from '@vonage/video';
import OpenTok from 'opentok';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { waitFor } from '../../recording/testing/media-checks.js';
import { AudioConnectorService } from './audio-connector-service.js';
import { AudioReceiver, type ConnectorFixture, startConnectorFixture } from './testing/connector-fixture.js';

/** The legacy SDK's `websocketConnect`. */
interface LegacyWebsocketConnect {
  websocketConnect(
    sessionId: string,
    token: string,
    uri: string,
    options: { streams?: string[]; headers?: Record<string, string> },
    callback: (error: Error | null, body?: unknown) => void,
  ): void;
}

let fx: ConnectorFixture;
let receiver: AudioReceiver;
let url: string;
beforeAll(async () => {
  fx = await startConnectorFixture();
  receiver = await AudioReceiver.start();
  url = await fx.harness.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await receiver.close();
  await fx.close();
});

async function expectRefusal(
  body: Record<string, unknown>,
  status: number,
  code: number,
  message?: string | RegExp,
): Promise<void> {
  const response = await fx.connect(body);
  expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
  if (message) expect(response.body.message).toMatch(message);
}

/** A TCP server that accepts connections and never answers the WebSocket upgrade. */
async function silentServer(): Promise<{ server: Server; port: number }> {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('connectAudio refusals', () => {
  it('answers 404 for a session of no project of the caller', async () => {
    const other = await fx.harness.addProject();
    const sessionId = await fx.createSession();
    const record = await fx.harness.store.sessions.get(sessionId);
    if (!record) throw new Error('no session record');
    const foreign = `${sessionId}x`;
    await fx.harness.store.sessions.create({
      ...record,
      sessionId: foreign,
      applicationId: other.project.applicationId,
    });
    const websocket = { uri: receiver.uri() };
    await expectRefusal({ sessionId: foreign, token: fx.token(sessionId), websocket }, 404, 40401, foreign);
    await expectRefusal({ sessionId: 'missing', token: fx.token(sessionId), websocket }, 404, 40401);
  });

  it('answers 409 for relayed and end-to-end encrypted sessions', async () => {
    const relayed = await fx.createSession({ mediaMode: 'relayed' });
    await expectRefusal(
      { sessionId: relayed, token: fx.token(relayed), websocket: { uri: receiver.uri() } },
      409,
      40961,
      'Only routed sessions are allowed to initiate Connect Calls',
    );
    const encrypted = await fx.createSession({ e2ee: true });
    await expectRefusal(
      { sessionId: encrypted, token: fx.token(encrypted), websocket: { uri: receiver.uri() } },
      409,
      40964,
      'end-to-end encrypted',
    );
  });

  it('answers 400 for a token of another session, a malformed token, or a subscriber two-way connector', async () => {
    const sessionId = await fx.createSession();
    const other = await fx.createSession();
    const websocket = { uri: receiver.uri() };
    await expectRefusal(
      { sessionId, token: fx.token(other), websocket },
      400,
      40060,
      /^body\.token is not a valid/,
    );
    await expectRefusal({ sessionId, token: 'not-a-token', websocket }, 400, 40060, 'body.token');
    await expectRefusal(
      {
        sessionId,
        token: fx.token(sessionId, 'subscriber'),
        websocket: { ...websocket, bidirectional: true },
      },
      400,
      40062,
      'body.token must have a role that may publish',
    );
    expect(fx.harness.app.realtime.registry.get(sessionId)?.connections ?? []).toEqual([]);
  });

  it('answers 400 for headers over 512 bytes and for fields the schema refuses', async () => {
    const sessionId = await fx.createSession();
    const token = fx.token(sessionId);
    await expectRefusal(
      { sessionId, token, websocket: { uri: receiver.uri(), headers: { 'X-Big': 'v'.repeat(510) } } },
      400,
      40063,
      'body.websocket.headers must be at most 512 bytes in total (got 515)',
    );
    await expectRefusal(
      { sessionId, token, websocket: { uri: receiver.uri(), audioRate: 44_100 } },
      400,
      40001,
      'audioRate',
    );
    await expectRefusal({ sessionId, token, websocket: { uri: 'http://127.0.0.1/' } }, 400, 40001, 'uri');
    await expectRefusal(
      { sessionId, token, websocket: { uri: receiver.uri(), audioTransport: { transport: 'json' } } },
      400,
      40001,
      'encoding',
    );
    expect(receiver.sockets.filter((s) => !s.closed)).toEqual([]);
  });

  it('answers 400 when the WebSocket refuses or does not answer in time, leaving no connection', async () => {
    const sessionId = await fx.createSession();
    const token = fx.token(sessionId);
    const closed = await silentServer();
    closed.server.close();
    await expectRefusal(
      { sessionId, token, websocket: { uri: `ws://127.0.0.1:${closed.port}/` } },
      400,
      40064,
      `ws://127.0.0.1:${closed.port}/`,
    );
    const refusing = new WebSocketServer({ host: '127.0.0.1', port: 0, verifyClient: () => false });
    await new Promise<void>((resolve) => refusing.once('listening', () => resolve()));
    const refusingPort = (refusing.address() as AddressInfo).port;
    await expectRefusal(
      { sessionId, token, websocket: { uri: `ws://127.0.0.1:${refusingPort}/` } },
      400,
      40064,
      'HTTP status 401',
    );
    refusing.close();
    expect(fx.harness.app.realtime.registry.get(sessionId)?.connections ?? []).toEqual([]);

    // The 6 s limit, shortened: a server that accepts TCP but never completes the handshake.
    const silent = await silentServer();
    const service = new AudioConnectorService({
      store: fx.harness.store,
      realtime: fx.harness.app.realtime,
      now: Date.now,
      logger: { warn: () => undefined },
      openTimeoutMs: 300,
    });
    await expect(
      service.connect(fx.harness.project, {
        sessionId,
        token,
        websocket: { uri: `ws://127.0.0.1:${silent.port}/` },
      }),
    ).rejects.toMatchObject({
      status: 400,
      definition: { code: 40064 },
      message: /did not open within 0\.3 seconds/,
    });
    silent.server.close();
    expect(fx.harness.app.realtime.registry.get(sessionId)?.connections ?? []).toEqual([]);
  });
});

describe('connectAudio through the official SDKs', () => {
  it('@vonage/video connectToWebsocket sends audioRate and snake_case audioTransport', async () => {
    const sessionId = await fx.createSession();
    const video = new Video(
      { applicationId: fx.harness.project.applicationId, privateKey: fx.harness.credentials.privateKeyPem },
      { videoHost: url },
    );
    const index = receiver.sockets.length;
    const result = await video.connectToWebsocket(sessionId, fx.token(sessionId), {
      uri: receiver.uri('/sdk'),
      audioRate: 8000,
      headers: { from: 'vonage-sdk' },
      audioTransport: { transport: 'json', encoding: 'base64', audioField: 'pcm', staticFields: { a: 1 } },
    } as Parameters<Video['connectToWebsocket']>[2]);
    expect(result).toEqual({ id: expect.any(String), connectionId: expect.any(String) });
    await waitFor(() => receiver.sockets[index]?.texts.some((t) => 'pcm' in t), 5000, 'JSON audio');
    const socket = receiver.sockets[index];
    expect(socket?.texts[0]).toEqual({ 'content-type': 'audio/l16;rate=8000', from: 'vonage-sdk' });
    expect(socket?.texts.find((t) => 'pcm' in t)).toMatchObject({ a: 1 });
    socket?.socket.close();
  });

  it('opentok websocketConnect (no audioRate) gets 16 kHz binary audio', async () => {
    const sessionId = await fx.createSession();
    const ot = new OpenTok(fx.harness.project.apiKey, fx.harness.project.apiSecret, { apiUrl: url });
    const index = receiver.sockets.length;
    // `src/types/opentok.d.ts` declares only what other tests use; this is the SDK's documented signature.
    const legacy = ot as unknown as LegacyWebsocketConnect;
    const result = await new Promise<{ id: string; connectionId: string }>((resolve, reject) =>
      legacy.websocketConnect(
        sessionId,
        fx.token(sessionId),
        receiver.uri('/legacy'),
        { headers: { k: 'v' } },
        (error, body) => (error ? reject(error) : resolve(body as { id: string; connectionId: string })),
      ),
    );
    expect(result).toEqual({ id: expect.any(String), connectionId: expect.any(String) });
    await waitFor(() => (receiver.sockets[index]?.frames.length ?? 0) > 2, 5000, 'binary audio');
    expect(receiver.sockets[index]?.texts[0]).toEqual({ 'content-type': 'audio/l16;rate=16000', k: 'v' });
    expect(receiver.sockets[index]?.frames[0]?.bytes).toHaveLength(640);
    receiver.sockets[index]?.socket.close();
  });
});
