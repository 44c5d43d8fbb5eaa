/**
 * Loss resilience with real Chromium: a publisher page and a subscriber page reach the engine through
 * lossy UDP relays on 127.0.0.1 (5 % random loss and up to 50 ms of jitter in both directions, seeded),
 * and the subscriber's video must keep decoding. Chromium's and the engine's counters show that NACK and
 * RTX repaired the loss on both legs: the engine NACKed the publisher, which retransmitted, and answered
 * the subscriber's NACKs from its history.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer } from '../types.js';
import { WeriftEngine } from './engine.js';
import type { WeriftProducer } from './producer.js';
import { CHROMIUM, type PageApi, type ReceiveStats } from './testing/chromium-pages.js';
import { type EnginePages, launchEnginePages } from './testing/engine-pages.js';
import {
  candidatesToPort,
  firstCandidatePort,
  LossyUdpRelay,
  replaceCandidates,
} from './testing/lossy-relay.js';

const NETWORK = { lossRate: 0.05, jitterMs: 50 } as const;
/** How long decoding is watched once it started. */
const WATCH_MS = 8_000;

describe.skipIf(!existsSync(CHROMIUM))('werift engine with Chromium over a lossy network', () => {
  let enginePages: EnginePages;

  beforeAll(async () => {
    enginePages = await launchEnginePages('sfu loss test');
  }, 30_000);

  afterAll(async () => {
    await enginePages?.close();
  });

  it('keeps decoding video through 5 % loss and 50 ms jitter, repaired by NACK/RTX on both legs', {
    timeout: 100_000,
  }, async () => {
    const engine = new WeriftEngine();
    const publisherRelay = await LossyUdpRelay.open({ ...NETWORK, seed: 7 });
    const subscriberRelay = await LossyUdpRelay.open({ ...NETWORK, seed: 11 });
    const pages: Page[] = [];
    try {
      const router = await engine.createRouter({ sessionId: 'lossy' });
      const publisherPage = await enginePages.context.newPage();
      const subscriberPage = await enginePages.context.newPage();
      pages.push(publisherPage, subscriberPage);
      await publisherPage.goto(enginePages.origin);
      await subscriberPage.goto(enginePages.origin);

      // Publisher leg: each side is shown the relay as the other's only candidate.
      const publisher = await router.createPublisherTransport({ streamId: 'stream' });
      const offer = await publisherPage.evaluate(() => (globalThis as unknown as PageApi).publish('VP8'));
      const answer = await publisher.handleOffer(replaceCandidates(offer, publisherRelay.engineFacingPort));
      publisherRelay.setEnginePort(firstCandidatePort(answer));
      const shownAnswer = candidatesToPort(answer, publisherRelay.peerFacingPort);
      await publisherPage.evaluate((sdp) => (globalThis as unknown as PageApi).setAnswer(sdp), shownAnswer);
      // Handshake flights cross the lossy relay too: a lost DTLS flight is resent after 1, 2, 4, 8 s….
      // (Two CI failures here were werift handshake bugs under loss, fixed by the werift patch and
      // guarded by testing/werift-dtls-patch.test.ts.)
      await until(() => publisher.connectionState === 'connected', 'the publisher to connect', 40_000);

      // Subscriber leg.
      const subscriber = await router.createSubscriberTransport({
        streamId: 'stream',
        subscriberId: 'subscriber',
        producers: publisher.producers,
      });
      const subscriberOffer = await subscriber.createOffer();
      subscriberRelay.setEnginePort(firstCandidatePort(subscriberOffer));
      const shownOffer = candidatesToPort(subscriberOffer, subscriberRelay.peerFacingPort);
      const subscriberAnswer = await subscriberPage.evaluate(
        (sdp) => (globalThis as unknown as PageApi).subscribe(sdp),
        shownOffer,
      );
      await subscriber.handleAnswer(replaceCandidates(subscriberAnswer, subscriberRelay.engineFacingPort));

      const readStats = (): Promise<ReceiveStats> =>
        subscriberPage.evaluate(() => (globalThis as unknown as PageApi).receiveStats());
      let stats = await readStats();
      const deadline = performance.now() + 40_000;
      while (stats.framesDecoded < 10 && performance.now() < deadline) {
        await sleep(250);
        stats = await readStats();
      }
      const relays = (): string =>
        JSON.stringify({
          subscriberState: subscriber.connectionState,
          publisher: { up: publisherRelay.upstream, down: publisherRelay.downstream },
          subscriber: { up: subscriberRelay.upstream, down: subscriberRelay.downstream },
        });
      expect(stats.framesDecoded, `video started decoding: ${relays()}`).toBeGreaterThanOrEqual(10);

      const start = stats;
      // Decoding must not stall: sampled every second, frames keep coming.
      const perSecond: number[] = [];
      const targetBitrates: number[] = [];
      const announced: number[] = [];
      const estimator = (publisher.producers.find((p) => p.kind === 'video') as WeriftProducer)
        .bitrateEstimator;
      for (let elapsed = 0; elapsed < WATCH_MS; elapsed += 1000) {
        await sleep(1000);
        const next = await readStats();
        perSecond.push(next.framesDecoded - stats.framesDecoded);
        stats = next;
        const sending = await publisherPage.evaluate(() => (globalThis as unknown as PageApi).sendStats());
        targetBitrates.push(sending.targetBitrate);
        announced.push(estimator?.announced ?? 0);
      }
      const sent = await publisherPage.evaluate(() => (globalThis as unknown as PageApi).sendStats());
      const video = subscriber.consumers.find((c) => c.kind === 'video') as Consumer;
      const summary = {
        framesPerSecond: perSecond,
        publisherTargetBitrates: targetBitrates,
        engineRemb: announced,
        subscriber: { ...stats, framesDecoded: stats.framesDecoded - start.framesDecoded },
        publisher: sent,
        engineRetransmissions: video.stats.packetsRetransmitted,
        relays: {
          publisher: { up: publisherRelay.upstream, down: publisherRelay.downstream },
          subscriber: { up: subscriberRelay.upstream, down: subscriberRelay.downstream },
        },
      };
      console.info('lossy relay run', JSON.stringify(summary));

      // The relays really lost packets, both ways.
      expect(publisherRelay.upstream.dropped).toBeGreaterThan(0);
      expect(subscriberRelay.downstream.dropped).toBeGreaterThan(0);
      // Video kept decoding: every second brought new frames, ≥ 10 fps on average.
      expect(Math.min(...perSecond), JSON.stringify(summary)).toBeGreaterThan(0);
      expect(stats.framesDecoded - start.framesDecoded).toBeGreaterThanOrEqual((WATCH_MS / 1000) * 10);
      // Publisher leg: the engine NACKed lost packets and Chromium retransmitted them.
      expect(sent.nackCount, JSON.stringify(summary)).toBeGreaterThan(0);
      expect(sent.retransmittedPacketsSent).toBeGreaterThan(0);
      // Subscriber leg: Chromium NACKed, the engine retransmitted from its history, Chromium got them.
      expect(stats.nackCount).toBeGreaterThan(0);
      expect(video.stats.packetsRetransmitted).toBeGreaterThan(0);
      expect(stats.retransmittedPacketsReceived).toBeGreaterThan(0);
    } finally {
      for (const page of pages) await page.close();
      engine.close();
      publisherRelay.close();
      subscriberRelay.close();
    }
  });
});

async function until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}
