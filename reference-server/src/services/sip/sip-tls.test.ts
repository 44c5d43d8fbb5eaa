/**
 * SIP over TLS: a call to `;transport=tls` reaches a TLS SIP server whose certificate is trusted through
 * the configured CAs (the INVITE says TLS in its Via and Contact, and the server's 486 ends the call), and
 * a server whose certificate is not trusted is refused. The certificate is made with the `openssl` CLI.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../../recording/testing/media-checks.js';
import { projectAuth } from '../../testing/harness.js';
import {
  type ConnectorFixture,
  startConnectorFixture,
} from '../audio-connector/testing/connector-fixture.js';
import { header, type SipRequest } from './message.js';
import { type BusyTlsUas, makeTestCertificate, startBusyTlsUas } from './testing/busy-tls-uas.js';
import { openSipTransport, SipTransportError } from './transport.js';

let directory: string;
let server: BusyTlsUas;
let fx: ConnectorFixture;
const webhooks: Record<string, unknown>[] = [];

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'parley-sip-tls-'));
  const certificate = makeTestCertificate(directory);
  server = await startBusyTlsUas(certificate);
  fx = await startConnectorFixture({ sip: { limits: { tlsCa: certificate.cert } } });
  const events = fx.harness.app.parley.events;
  const emit = events.emit.bind(events);
  vi.spyOn(events, 'emit').mockImplementation((project, webhook, payload, options) => {
    if (webhook === 'sipCallEvent') webhooks.push(payload);
    emit(project, webhook, payload, options);
  });
});

afterAll(async () => {
  await fx?.close();
  await server?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

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
        sip: { uri: server.uri() },
      }),
    });
    expect(response.statusCode).toBe(200);
    const { id } = JSON.parse(response.body) as { id: string };
    const ended = () =>
      webhooks.find((w) => w.event === 'callDestroyed' && (w.call as { id: string }).id === id);
    await waitFor(ended, 8000, 'the end of the call');
    expect(ended()).toMatchObject({ reason_code: '486', reason_message: 'Busy Here' });
    expect(header(server.invites[0] as SipRequest, 'via')).toMatch(/^SIP\/2\.0\/TLS /);
    expect(header(server.invites[0] as SipRequest, 'contact')).toContain(';transport=tls>');
  });

  it('refuses a server whose certificate is not trusted', async () => {
    const opening = openSipTransport({
      kind: 'tls',
      host: '127.0.0.1',
      port: server.port,
      connectTimeoutMs: 5000,
    });
    await expect(opening).rejects.toThrow(SipTransportError);
    await expect(opening).rejects.toThrow(/certificate/i);
  });
});
