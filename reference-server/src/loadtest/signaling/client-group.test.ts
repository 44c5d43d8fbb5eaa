import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppFixture, startAppFixture } from '../../../test/e2e/support/app-fixture.js';
import { SignalingClientGroup } from './client-group.js';

let fx: AppFixture;

beforeAll(async () => {
  fx = await startAppFixture();
});

afterAll(async () => {
  await fx?.close();
});

describe('SignalingClientGroup', () => {
  it('joins clients with bounded concurrency and times fan-out signals at every other client', async () => {
    const sessionId = await fx.createSession();
    const targets = Array.from({ length: 5 }, () => ({
      apiUrl: fx.baseUrl,
      apiKey: fx.harness.project.apiKey,
      sessionId,
      token: fx.token(sessionId),
    }));
    const group = new SignalingClientGroup();
    try {
      const joined = await group.join(targets, { concurrency: 2 });
      expect(joined).toMatchObject({ joined: 5, failed: 0, failures: [] });
      expect(joined.timings).toHaveLength(5);
      expect(group.size).toBe(5);

      const run = await group.sendSignals(3, 20);
      expect(run).toMatchObject({ sent: 3, failed: 0 });
      expect(run.durationMs).toBeGreaterThanOrEqual(40);
      // Four receivers (the sender's own copies do not count) × three signals.
      await expect.poll(() => group.receiptCount).toBe(12);
      const receipts = group.takeReceipts();
      expect(receipts.perSignal).toEqual({ 0: 4, 1: 4, 2: 4 });
      expect(receipts.latenciesMs).toHaveLength(12);
      for (const latency of receipts.latenciesMs) expect(latency).toBeGreaterThanOrEqual(0);
      expect(group.takeReceipts().latenciesMs).toEqual([]);
      expect(group.lost.count).toBe(0);
    } finally {
      group.close();
    }
  });

  it('counts failed joins instead of throwing', async () => {
    const sessionId = await fx.createSession();
    const group = new SignalingClientGroup();
    const base = { apiUrl: fx.baseUrl, apiKey: fx.harness.project.apiKey, sessionId };
    try {
      const joined = await group.join(
        [
          { ...base, token: fx.token(sessionId) },
          { ...base, token: 'bad' },
        ],
        {
          concurrency: 2,
        },
      );
      expect(joined).toMatchObject({ joined: 1, failed: 1 });
      expect(joined.failures[0]).toMatch(/403/);
    } finally {
      group.close();
    }
  });

  it('refuses to signal without a client', async () => {
    await expect(new SignalingClientGroup().sendSignals(1, 0)).rejects.toThrow(/no joined client/);
  });
});
