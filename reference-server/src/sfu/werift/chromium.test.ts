/**
 * Real Chromium through the werift engine: one page publishes its fake camera and microphone, a second
 * page subscribes, and the test reads the subscriber's decoder statistics. SDP goes between the pages and
 * the engine through `page.evaluate` (this tests the engine, not the signaling gateway).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeriftEngine } from './engine.js';

const CHROMIUM = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

/** Chromium's decoder statistics for the subscribed stream. */
interface ReceiveStats {
  framesDecoded: number;
  frameWidth: number;
  videoCodec: string;
  audioPackets: number;
}

/**
 * The in-page half, as plain JavaScript (the server's TypeScript has no DOM types). Each function leaves
 * its peer connection on `window.pc` and returns an SDP with the candidates inline.
 */
const PAGE_SCRIPT = `
  const gathered = (pc) => new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
    setTimeout(resolve, 2000);
  });
  window.publish = async (codec) => {
    const media = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    const pc = (window.pc = new RTCPeerConnection());
    for (const track of media.getTracks()) {
      const transceiver = pc.addTransceiver(track, { direction: 'sendonly', streams: [media] });
      if (track.kind === 'video') {
        const codecs = RTCRtpSender.getCapabilities('video').codecs;
        transceiver.setCodecPreferences(codecs.filter((c) => c.mimeType === 'video/' + codec));
      }
    }
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    return pc.localDescription.sdp;
  };
  window.subscribe = async (offer) => {
    const pc = (window.pc = new RTCPeerConnection());
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    return pc.localDescription.sdp;
  };
  window.setAnswer = (sdp) => window.pc.setRemoteDescription({ type: 'answer', sdp });
  window.receiveStats = async () => {
    const stats = { framesDecoded: 0, frameWidth: 0, videoCodec: '', audioPackets: 0 };
    const report = await window.pc.getStats();
    report.forEach((entry) => {
      if (entry.type !== 'inbound-rtp') return;
      if (entry.kind === 'video') {
        stats.framesDecoded = entry.framesDecoded ?? 0;
        stats.frameWidth = entry.frameWidth ?? 0;
        stats.videoCodec = report.get(entry.codecId)?.mimeType ?? '';
      } else {
        stats.audioPackets = entry.packetsReceived ?? 0;
      }
    });
    return stats;
  };
`;

/** What {@link PAGE_SCRIPT} defines on `window`. */
interface PageApi {
  publish(codec: string): Promise<string>;
  subscribe(offer: string): Promise<string>;
  setAnswer(sdp: string): Promise<void>;
  receiveStats(): Promise<ReceiveStats>;
}

describe.skipIf(!existsSync(CHROMIUM))('werift engine with Chromium', () => {
  let server: Server;
  let origin: string;
  let profile: string;
  let context: BrowserContext;

  beforeAll(async () => {
    // getUserMedia needs a secure context; http://127.0.0.1 is one.
    server = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end(`<!doctype html><title>sfu test</title><script>${PAGE_SCRIPT}</script>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profile = await mkdtemp(join(tmpdir(), 'parley-sfu-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  }, 30_000);

  afterAll(async () => {
    await context?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  /** Publishes page A's camera through the engine to page B; returns B's stats after media flowed. */
  async function publishAndSubscribe(videoCodec: 'VP8' | 'H264'): Promise<ReceiveStats> {
    const engine = new WeriftEngine();
    const pages: Page[] = [];
    try {
      const router = await engine.createRouter({ sessionId: `chromium-${videoCodec}` });
      const publisherPage = await context.newPage();
      const subscriberPage = await context.newPage();
      pages.push(publisherPage, subscriberPage);
      await publisherPage.goto(origin);
      await subscriberPage.goto(origin);

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
