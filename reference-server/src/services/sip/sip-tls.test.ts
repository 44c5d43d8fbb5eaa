/**
 * SIP over TLS: a call to `;transport=tls` reaches a TLS SIP server whose certificate is trusted through
 * the configured CAs (the INVITE says TLS in its Via and Contact, and the server's 486 ends the call), and
 * a server whose certificate is not trusted is refused. The certificate is made with the `openssl` CLI.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../../recording/testing/media-checks.js';
import { projectAuth } from '../../testing/harness.js';
import {
  type ConnectorFixture,
  startConnectorFixture,
} from '../audio-connector/testing/connector-fixture.js';
import { header, type SipMessage, type SipRequest, SipStreamParser, serializeSipMessage } from './message.js';
import { openSipTransport, SipTransportError } from './transport.js';

let directory: string;
let cert: string;
let server: Server;
const invites: SipRequest[] = [];
let fx: ConnectorFixture;
const webhooks: Record<string, unknown>[] = [];

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'parley-sip-tls-'));
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      ...['-keyout', join(directory, 'key.pem'), '-out', join(directory, 'cert.pem')],
    ],
    { stdio: 'ignore' },
  );
  cert = await readFile(join(directory, 'cert.pem'), 'utf8');
  const key = await readFile(join(directory, 'key.pem'), 'utf8');
  // A SIP server on TLS that answers every INVITE with 486 Busy Here.
  server = createServer({ cert, key }, (socket) => {
    const parser = new SipStreamParser();
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const message of parser.push(chunk)) {
        if (message.kind !== 'request' || message.method !== 'INVITE') continue;
        invites.push(message);
        const busy: SipMessage = {
          kind: 'response',
          status: 486,
          reason: 'Busy Here',
          headers: [
            ...message.headers.filter((h) => ['via', 'from', 'call-id', 'cseq'].includes(h.name)),
            { name: 'to', value: `${header(message, 'to')};tag=tls1` },
          ],
          body: Buffer.alloc(0),
        };
        socket.write(serializeSipMessage(busy));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fx = await startConnectorFixture({ sip: { limits: { tlsCa: cert } } });
  const events = fx.harness.app.parley.events;
  const emit = events.emit.bind(events);
  vi.spyOn(events, 'emit').mockImplementation((project, webhook, payload, options) => {
    if (webhook === 'sipCallEvent') webhooks.push(payload);
    emit(project, webhook, payload, options);
  });
});

afterAll(async () => {
  await fx?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (directory) await rm(directory, { recursive: true, force: true });
});

const port = () => (server.address() as AddressInfo).port;

describe('SIP over TLS', { timeout: 20_000 }, () => {
  it('calls a TLS server trusted through the configured CA', async () => {
    const sessionId = await fx.createSession();
    const response = await fx.harness.app.inject({
      method: 'POST',
      url: `/v2/project/${fx.harness.project.apiKey}/dial`,
      headers: { ...(await projectAuth(fx.harness.project)), 'content-type': 'application/json' },
      payload: JSON.stringify({
        sessionId,
        token: fx.token(sessionId),
        sip: { uri: `sip:bob@127.0.0.1:${port()};transport=tls` },
      }),
    });
    expect(response.statusCode).toBe(200);
    const { id } = JSON.parse(response.body) as { id: string };
    const ended = () =>
      webhooks.find((w) => w.event === 'callDestroyed' && (w.call as { id: string }).id === id);
    await waitFor(ended, 8000, 'the end of the call');
    expect(ended()).toMatchObject({ reason_code: '486', reason_message: 'Busy Here' });
    expect(header(invites[0] as SipRequest, 'via')).toMatch(/^SIP\/2\.0\/TLS /);
    expect(header(invites[0] as SipRequest, 'contact')).toContain(';transport=tls>');
  });

  it('refuses a server whose certificate is not trusted', async () => {
    const opening = openSipTransport({
      kind: 'tls',
      host: '127.0.0.1',
      port: port(),
      connectTimeoutMs: 5000,
    });
    await expect(opening).rejects.toThrow(SipTransportError);
    await expect(opening).rejects.toThrow(/certificate/i);
  });
});
