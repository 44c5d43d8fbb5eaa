/**
 * Simulcast with the official OpenTok.js client in headless Chromium against the real server (werift
 * SFU): session info and `generateoffer` make the publisher send RID simulcast from its 1280x720 camera,
 * and of two subscribers, the one whose `preferredResolution` is 320x180 decodes a small layer while the
 * other decodes the full one (`frameWidth` in the subscribers' getStats). Loopback only.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchTestBrowser, type TestBrowser } from '../../../test/browser/browser.js';
import { type OtPageGlobal, type OtSubscriber, publishHd } from '../../../test/browser/opentok-page.js';
import { Participant } from '../../../test/browser/participant.js';
import { type AppFixture, startAppFixture } from '../../../test/e2e/support/app-fixture.js';
import { createSfuEngine } from '../../sfu/index.js';

let fx: AppFixture;
let browser: TestBrowser;

/** Simulcast is off by default; this server's SFU asks publishers for it. */
const sfu = createSfuEngine({ simulcast: true });

beforeAll(async () => {
  fx = await startAppFixture({ realtime: { sfu } });
  browser = await launchTestBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await fx?.close();
  sfu.close();
});

/** The page's globals, with the subscriber this test keeps there. */
interface OtGlobal extends OtPageGlobal {
  simulcastSubscriber?: OtSubscriber;
}

/** Subscribes with an optional preferred resolution; the subscriber is kept on the page. */
function subscribe(
  page: Page,
  streamId: string,
  preferred: { width: number; height: number } | null,
): Promise<void> {
  return page.evaluate(
    async ([id, resolution]) => {
      const global = globalThis as unknown as OtGlobal;
      const session = global.OT.sessions.find(() => true);
      const element = global.document.createElement('div');
      global.document.body.appendChild(element);
      await new Promise<void>((resolve, reject) => {
        global.simulcastSubscriber = session.subscribe(
          session.streams.get(id),
          element,
          {
            insertMode: 'append',
            width: 320,
            height: 180,
            ...(resolution ? { preferredResolution: resolution } : {}),
          },
          (error) => (error ? reject(error) : resolve()),
        );
      });
    },
    [streamId, preferred] as const,
  );
}

/** The decoded frame width and count of the page's subscriber. */
function decoded(page: Page): Promise<{ frameWidth: number; framesDecoded: number }> {
  return page.evaluate(async () => {
    const subscriber = (globalThis as unknown as OtGlobal).simulcastSubscriber;
    const result = { frameWidth: 0, framesDecoded: 0 };
    if (!subscriber) return result;
    (await subscriber.getRtcStatsReport()).forEach((entry) => {
      if (entry.type !== 'inbound-rtp' || entry.kind !== 'video') return;
      result.frameWidth = Math.max(result.frameWidth, entry.frameWidth ?? 0);
      result.framesDecoded += entry.framesDecoded ?? 0;
    });
    return result;
  });
}

describe('simulcast with OpenTok.js', () => {
  it('sends a subscriber preferring 320x180 a small layer and another the full one', async () => {
    const sessionId = await fx.createSession('routed');
    const participants: Participant[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const participant = new Participant(await browser.open(fx.baseUrl));
        participants.push(participant);
        await participant.connect(fx.harness.project.apiKey, sessionId, fx.token(sessionId));
      }
      const [alice, bob, carol] = participants as [Participant, Participant, Participant];
      const streamId = await publishHd(alice.page);
      await bob.waitForEvent('streamCreated', { streamId });
      await carol.waitForEvent('streamCreated', { streamId });
      await subscribe(bob.page, streamId, { width: 320, height: 180 });
      await subscribe(carol.page, streamId, null);

      let small = { frameWidth: 0, framesDecoded: 0 };
      let full = { frameWidth: 0, framesDecoded: 0 };
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        [small, full] = await Promise.all([decoded(bob.page), decoded(carol.page)]);
        if (small.framesDecoded > 10 && full.framesDecoded > 10 && full.frameWidth >= 2 * small.frameWidth)
          break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(small.framesDecoded, JSON.stringify({ small, full })).toBeGreaterThan(10);
      expect(small.frameWidth).toBeGreaterThan(0);
      expect(small.frameWidth).toBeLessThanOrEqual(320);
      expect(full.frameWidth, JSON.stringify({ small, full })).toBeGreaterThanOrEqual(2 * small.frameWidth);
    } finally {
      for (const participant of participants) await participant.page.close();
    }
    expect(browser.offLoopback).toEqual([]);
  }, 90_000);
});
