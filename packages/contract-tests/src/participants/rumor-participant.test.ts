import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  buildRaptorUri,
  decodeRumorFrame,
  encodeRumorFrame,
  parseRaptorMessage,
  type RumorFrame,
  RumorHeader,
  RumorType,
  serializeRaptorMessage,
} from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { ParticipantJoinError, ParticipantRequestError } from './participant.js';
import { joinSession } from './rumor-participant.js';

const SESSION = '2_MX4xMjM0NTY3OH5-MTcwMDAwMDAwMDAwMH5mYWtlfn4';
const PARTNER = '12345678';

/** A scripted signaling server: session info over HTTP, Rumor over a WebSocket on the same port. */
describe('joinSession against a scripted Rumor server', () => {
  const received: RumorFrame[] = [];
  let socket: WebSocket | null = null;
  let baseUrl = '';
  const http = createServer((request, response) => {
    const token = request.headers['x-opentok-auth'];
    const body =
      token === 'good'
        ? [
            {
              session_id: SESSION,
              partner_id: PARTNER,
              messaging_url: `${baseUrl.replace('http', 'ws')}/rumorwebsocketsv2`,
              symphony_address: '/symphony',
              properties: { p2p: { preference: { value: 'enabled' } } },
            },
          ]
        : [{ error: { code: '403', errorMessage: { message: 'Invalid token' } } }];
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(body));
  });
  const wss = new WebSocketServer({ server: http });
  const send = (frame: RumorFrame): void => socket?.send(encodeRumorFrame(frame));
  const reply = (to: RumorFrame, status: number, body: object): void =>
    send({
      type: RumorType.Status,
      to: [],
      headers: {
        [RumorHeader.TransactionId]: to.headers[RumorHeader.TransactionId] ?? '',
        [RumorHeader.Status]: String(status),
      },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    wss.on('connection', (ws) => {
      socket = ws;
      ws.on('message', (data: Buffer) => {
        const frame = decodeRumorFrame(new Uint8Array(data));
        received.push(frame);
        if (frame.type !== RumorType.Message) return;
        const message = parseRaptorMessage(frame.body);
        if (message.method === 'create' && message.uri.includes('/connection/')) {
          const id = message.uri.split('/').at(-1) ?? '';
          reply(frame, 200, { connection: [{ id }], stream: [], archive: [] });
          send({
            type: RumorType.Message,
            to: [id],
            headers: { [RumorHeader.TransactionId]: 'srv-1', [RumorHeader.FromAddress]: '' },
            body: serializeRaptorMessage({
              method: 'signal',
              uri: buildRaptorUri(PARTNER, SESSION, ['signal', 's1']),
              content: { type: 'hello', data: 'from the server' },
            }),
          });
        } else if (message.method === 'signal') {
          reply(frame, 403, { reason: 'Not allowed to signal' });
        }
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
    baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
    await new Promise((resolve) => http.close(resolve));
  });

  it('connects like OpenTok.js, acknowledges server messages, reports signals and STATUS errors, and leaves cleanly', async () => {
    const participant = await joinSession({ baseUrl, sessionId: SESSION, token: 'good', timeoutMs: 5_000 });
    expect(participant.initialState.connections).toEqual([{ id: participant.connectionId }]);
    const [connect, subscribe, create] = received;
    expect(connect).toMatchObject({
      type: RumorType.Connect,
      headers: { [RumorHeader.UniqueId]: participant.connectionId },
    });
    expect(subscribe).toMatchObject({
      type: RumorType.Subscribe,
      to: [`/v2/partner/${PARTNER}/session/${SESSION}`],
    });
    expect(create?.headers[RumorHeader.TokenAuth]).toBe('good');

    expect(await participant.waitFor('signal')).toEqual({
      kind: 'signal',
      type: 'hello',
      data: 'from the server',
      from: null,
    });
    await expect
      .poll(() =>
        received.some((f) => f.type === RumorType.Status && f.headers[RumorHeader.TransactionId] === 'srv-1'),
      )
      .toBe(true);

    const refused = participant.signal({ type: 'chat', data: 'hi' });
    await expect(refused).rejects.toThrow(ParticipantRequestError);
    await expect(refused).rejects.toThrow('Not allowed to signal');

    await participant.disconnect();
    expect(received.at(-1)?.type).toBe(RumorType.Disconnect);
    await participant.disconnect(); // safe twice
  });

  it('reports a token that session info refuses', async () => {
    await expect(
      joinSession({ baseUrl, sessionId: SESSION, token: 'bad', timeoutMs: 5_000 }),
    ).rejects.toThrow(ParticipantJoinError);
  });
});
