/**
 * Real Chromium through the werift engine: one page publishes its fake camera and microphone, a second
 * page subscribes, and the test reads the subscriber's decoder statistics. SDP goes between the pages and
 * the engine through `page.evaluate` (this tests the engine, not the signaling gateway).
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeriftEngine } from './engine.js';
import { CHROMIUM, type PageApi, type ReceiveStats } from './testing/chromium-pages.js';
import { type EnginePages, launchEnginePages } from './testing/engine-pages.js';

describe.skipIf(!existsSync(CHROMIUM))('werift engine with Chromium', () => {
  let enginePages: EnginePages;

  beforeAll(async () => {
    enginePages = await launchEnginePages('sfu test');
  }, 30_000);

  afterAll(async () => {
    await enginePages?.close();
  });

  /** Publishes page A's camera through the engine to page B; returns B's stats after media flowed. */
  async function publishAndSubscribe(videoCodec: 'VP8' | 'H264'): Promise<ReceiveStats> {
    const engine = new WeriftEngine();
    const pages: Page[] = [];
    try {
      const router = await engine.createRouter({ sessionId: `chromium-${videoCodec}` });
      const publisherPage = await enginePages.context.newPage();
      const subscriberPage = await enginePages.context.newPage();
      pages.push(publisherPage, subscriberPage);
      await publisherPage.goto(enginePages.origin);
      await subscriberPage.goto(enginePages.origin);

      // Publisher: the page offers (as OpenTok.js does after `generateoffer`).
      const publisher = await router.createPublisherTransport({ streamId: 'stream' });
      const offer = await publisherPage.evaluate(
        (codec) => (globalThis as unknown as PageApi).publish(codec),
        videoCodec,
      );
      const answer = await publisher.handleOffer(offer);
      await publisherPage.evaluate((sdp) => (globalThis as unknown as PageApi).setAnswer(sdp), answer);
      await until(() => publisher.connectionState === 'connected', 'the publisher to connect');
      expect(publisher.producers.find((p) => p.kind === 'video')?.codec.mimeType).toBe(`video/${videoCodec}`);

      // Subscriber: the engine offers.
      const subscriber = await router.createSubscriberTransport({
        streamId: 'stream',
        subscriberId: 'subscriber',
        producers: publisher.producers,
      });
      const subscriberOffer = await subscriber.createOffer();
      const subscriberAnswer = await subscriberPage.evaluate(
        (sdp) => (globalThis as unknown as PageApi).subscribe(sdp),
        subscriberOffer,
      );
      await subscriber.handleAnswer(subscriberAnswer);

      const readStats = (): Promise<ReceiveStats> =>
        subscriberPage.evaluate(() => (globalThis as unknown as PageApi).receiveStats());
      const deadline = performance.now() + 15_000;
      let stats = await readStats();
      while (!(stats.framesDecoded >= 20 && stats.frameWidth > 0 && stats.audioPackets >= 20)) {
        if (performance.now() > deadline) break;
        await sleep(200);
        stats = await readStats();
      }
      return stats;
    } finally {
      for (const page of pages) await page.close();
      engine.close();
    }
  }

  it('forwards the fake camera as VP8 and the microphone as Opus', { timeout: 40_000 }, async () => {
    const stats = await publishAndSubscribe('VP8');
    expect(stats.videoCodec).toBe('video/VP8');
    expect(stats.framesDecoded).toBeGreaterThanOrEqual(20);
    expect(stats.frameWidth).toBeGreaterThan(0);
    // Headless Chromium has no audio output, so it never pulls decoded samples: count the Opus packets its
    // jitter buffer accepted (decrypted, right payload type) instead.
    expect(stats.audioPackets).toBeGreaterThanOrEqual(20);
  });

  it('forwards H.264 with the subscriber pinned to the publisher’s codec', { timeout: 40_000 }, async () => {
    const stats = await publishAndSubscribe('H264');
    expect(stats.videoCodec).toBe('video/H264');
    expect(stats.framesDecoded).toBeGreaterThanOrEqual(20);
    expect(stats.frameWidth).toBeGreaterThan(0);
    expect(stats.audioPackets).toBeGreaterThanOrEqual(20);
  });
});

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}
