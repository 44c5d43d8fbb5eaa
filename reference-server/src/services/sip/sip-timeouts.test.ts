/**
 * The limits of a SIP call, on an app configured with short ones: no media from the callee for the media
 * timeout ends the call with `704` (and a BYE), the maximum duration ends it with `705`, and an INVITE
 * nobody answers is retransmitted on the RFC 3261 timers and ends the call with `408` (timer B).
 */
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../../recording/testing/media-checks.js';
import { projectAuth } from '../../testing/harness.js';
import {
  type ConnectorFixture,
  startConnectorFixture,
} from '../audio-connector/testing/connector-fixture.js';
import { TestUas } from './testing/test-uas.js';

let fx: ConnectorFixture;
const webhooks: Record<string, unknown>[] = [];
const uases: TestUas[] = [];
beforeAll(async () => {
  fx = await startConnectorFixture({
    sip: { limits: { mediaTimeoutMs: 1200, maxDurationMs: 2500, timers: { t1: 20, t2: 160 } } },
  });
  const events = fx.harness.app.parley.events;
  const emit = events.emit.bind(events);
  vi.spyOn(events, 'emit').mockImplementation((project, webhook, payload, options) => {
    if (webhook === 'sipCallEvent') webhooks.push(payload);
    emit(project, webhook, payload, options);
  });
});
afterAll(async () => {
  await Promise.all(uases.map((uas) => uas.close()));
  await fx?.close();
});

async function dialUri(uri: string): Promise<string> {
  const sessionId = await fx.createSession();
  const response = await fx.harness.app.inject({
    method: 'POST',
    url: `/v2/project/${fx.harness.project.apiKey}/dial`,
    headers: { ...(await projectAuth(fx.harness.project)), 'content-type': 'application/json' },
    payload: JSON.stringify({ sessionId, token: fx.token(sessionId), sip: { uri } }),
  });
  expect(response.statusCode).toBe(200);
  return (JSON.parse(response.body) as { id: string }).id;
}

async function dial(toneHz: number | null): Promise<{ callee: TestUas; callId: string }> {
  const callee = await TestUas.start({ toneHz });
  uases.push(callee);
  return { callee, callId: await dialUri(callee.uri()) };
}

const destroyed = (callId: string) =>
  webhooks.find((w) => w.event === 'callDestroyed' && (w.call as { id: string }).id === callId);

describe('SIP call limits', { timeout: 20_000 }, () => {
  it('hangs up a call that receives no media (704) and one that lasts too long (705)', async () => {
    const [silent, talking] = await Promise.all([dial(null), dial(440)]);
    await waitFor(() => destroyed(silent.callId), 8000, 'the media timeout');
    expect(destroyed(silent.callId)).toMatchObject({ reason_code: '704', reason_message: 'Media Timeout' });
    await waitFor(() => silent.callee.received('BYE').length > 0, 5000, 'the BYE of the silent call');
    await waitFor(() => destroyed(talking.callId), 8000, 'the maximum duration');
    expect(destroyed(talking.callId)).toMatchObject({ reason_code: '705', reason_message: 'Max Duration' });
    await waitFor(() => talking.callee.received('BYE').length > 0, 5000, 'the BYE of the long call');
  });

  it('retransmits an unanswered INVITE over UDP, then ends the call with 408 (timer B)', async () => {
    const blackHole = createSocket('udp4');
    const received: number[] = [];
    blackHole.on('message', () => received.push(Date.now()));
    await new Promise<void>((resolve) => blackHole.bind(0, '127.0.0.1', () => resolve()));
    try {
      const callId = await dialUri(`sip:nobody@127.0.0.1:${(blackHole.address() as AddressInfo).port}`);
      await waitFor(() => destroyed(callId), 8000, 'timer B');
      expect(destroyed(callId)).toMatchObject({ reason_code: '408', reason_message: 'Request Timeout' });
      // T1 = 20 ms: sent at 0, 20, 60, 140, 300, 620 ms (then 1260 ms, past timer B at 64 × T1).
      expect(received.length).toBeGreaterThanOrEqual(5);
    } finally {
      blackHole.close();
    }
  });
});
