import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppFixture, startAppFixture } from '../../../test/e2e/support/app-fixture.js';
import { type InboundMessage, SignalingLoadClient } from './protocol-client.js';

let fx: AppFixture;

beforeAll(async () => {
  // A short idle timeout, so the keepalive test does not have to wait 20 s.
  fx = await startAppFixture({ realtime: { limits: { idleTimeoutMs: 4000 } } });
});

afterAll(async () => {
  await fx?.close();
});

const target = (sessionId: string, token = fx.token(sessionId)) => ({
  apiUrl: fx.baseUrl,
  apiKey: fx.harness.project.apiKey,
  sessionId,
  token,
});

describe('SignalingLoadClient', () => {
  it('joins like OpenTok.js, receives the session’s messages and signals the session', async () => {
    const sessionId = await fx.createSession();
    const received: InboundMessage[] = [];
    const a = await SignalingLoadClient.join(target(sessionId), { onMessage: (m) => received.push(m) });
    const b = await SignalingLoadClient.join(target(sessionId));
    try {
      expect(a.timings.sessionInfoMs).toBeGreaterThan(0);
      expect(a.timings.socketMs).toBeGreaterThanOrEqual(a.timings.sessionInfoMs);
      expect(a.timings.connectedMs).toBeGreaterThanOrEqual(a.timings.socketMs);
      // The server knows both connections: the REST API lists them.
      const live = fx.harness.app.realtime.registry.sessions.find((s) => s.sessionId === sessionId);
      expect(live?.connections.map((c) => c.id).sort()).toEqual(
        [a.client.connectionId, b.client.connectionId].sort(),
      );

      const before = Date.now();
      expect(await b.client.signal('chat', 'hello')).toBe(200);
      await expect.poll(() => received.some((m) => m.message.method === 'signal')).toBe(true);
      const signal = received.find((m) => m.message.method === 'signal');
      expect(signal).toMatchObject({
        from: b.client.connectionId,
        to: a.client.connectionId,
        message: { content: { type: 'chat', data: 'hello' } },
      });
      expect(signal?.receivedAt).toBeGreaterThanOrEqual(before - 1);
      // `a` saw `b` join.
      expect(
        received.some((m) => m.message.method === 'created' && m.message.uri.endsWith(b.client.connectionId)),
      ).toBe(true);
    } finally {
      a.client.close();
      b.client.close();
    }
  });

  it('keeps an idle connection alive with PINGs', async () => {
    const sessionId = await fx.createSession();
    let lost = '';
    const { client } = await SignalingLoadClient.join(target(sessionId), {
      onLost: (code, reason) => {
        lost = `${code} ${reason}`;
      },
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 5500));
      expect(lost).toBe('');
      expect(await client.signal('still', 'here')).toBe(200);
    } finally {
      client.close();
    }
  }, 15_000);

  it('rejects with the reason when the token is refused, leaving nothing open', async () => {
    const sessionId = await fx.createSession();
    await expect(SignalingLoadClient.join(target(sessionId, 'not-a-token'))).rejects.toThrow(
      /session info failed.*403/,
    );
    const other = await fx.createSession();
    await expect(
      SignalingLoadClient.join(target(sessionId, fx.token(other)), { timeoutMs: 3000 }),
    ).rejects.toThrow();
    expect(fx.harness.app.realtime.gateway.clientCount).toBe(0);
  });
});
