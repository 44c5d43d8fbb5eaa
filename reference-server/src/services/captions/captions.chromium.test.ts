/**
 * Live captions end to end with the official clients: captions started and stopped with the legacy
 * `opentok` SDK, speech published into a routed session through the SFU (an in-process publisher with
 * `caption1` on, as `publishCaptions: true` sends), and the official OpenTok.js in headless Chromium
 * subscribing with `subscribeToCaptions: true` and raising `captionReceived` with the recognised words.
 * Skipped, with the reason, where espeak-ng or PocketSphinx is missing. Loopback only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchTestBrowser, type TestBrowser } from '../../../test/browser/browser.js';
import { type AppFixture, startAppFixture } from '../../../test/e2e/support/app-fixture.js';
import { waitFor } from '../../recording/testing/media-checks.js';
import { PHRASE_WORDS, publishSpeech, speechOpus, speechTestsUnavailable } from './testing/speech.js';

const unavailable = await speechTestsUnavailable();

/**
 * The legacy `opentok` SDK's captions methods (its bundled typings predate them; `lib/captions.js` has
 * them since 2.17).
 */
interface LegacyCaptions {
  startCaptions(
    sessionId: string,
    token: string,
    options: { languageCode: string; maxDuration: number; partialCaptions: boolean },
    callback: (error: Error | null, captionsId?: string) => void,
  ): void;
  stopCaptions(captionsId: string, callback: (error: Error | null) => void): void;
}

/** The part of OpenTok.js the page code uses; it runs in the page, where `OT` is the loaded client. */
interface PageOT {
  initSession(apiKey: string, sessionId: string): PageSession;
}
interface PageOTWithPublisher extends PageOT {
  initPublisher(
    target: undefined,
    properties: { insertDefaultUI: boolean; publishCaptions: boolean; publishVideo: boolean },
  ): PagePublisher;
}
interface PagePublisher {
  stream?: { streamId: string };
}
interface PageSession {
  on(event: 'streamCreated', handler: (event: { stream: unknown }) => void): void;
  publish(publisher: PagePublisher, callback: (error?: { message: string }) => void): void;
  subscribe(
    stream: unknown,
    target: undefined,
    properties: { insertDefaultUI: boolean; subscribeToCaptions: boolean },
  ): { on(event: 'captionReceived', handler: (event: PageCaption) => void): void };
  connect(token: string, callback: (error?: { message: string }) => void): void;
}

/** A `captionReceived` event as the page records it. */
interface PageCaption {
  streamId: string;
  caption: string;
  isFinal: boolean;
}

describe.skipIf(unavailable !== null)(
  `live captions in OpenTok.js${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let fx: AppFixture;
    let browser: TestBrowser;
    beforeAll(async () => {
      fx = await startAppFixture({ recording: null, renders: null });
      browser = await launchTestBrowser();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await fx?.close();
    });

    it('raises captionReceived with partial and final captions of the spoken words', async () => {
      const sessionId = await fx.createSession('routed');
      const { app, project } = fx.harness;
      const speaker = await publishSpeech(app, project, sessionId, 'speech-ot', speechOpus());
      const page = await browser.open(fx.baseUrl);
      try {
        await page.evaluate(
          async ({ apiKey, sessionId, token }) => {
            const log: PageCaption[] = [];
            (globalThis as unknown as { captionLog: PageCaption[] }).captionLog = log;
            const { OT } = globalThis as unknown as { OT: PageOT };
            const session = OT.initSession(apiKey, sessionId);
            session.on('streamCreated', (event) => {
              const subscriber = session.subscribe(event.stream, undefined, {
                insertDefaultUI: false,
                subscribeToCaptions: true,
              });
              subscriber.on('captionReceived', (caption) => {
                log.push({ streamId: caption.streamId, caption: caption.caption, isFinal: caption.isFinal });
              });
            });
            await new Promise<void>((resolve, reject) =>
              session.connect(token, (error) => (error ? reject(new Error(error.message)) : resolve())),
            );
          },
          { apiKey: project.apiKey, sessionId, token: fx.token(sessionId) },
        );
        const legacy = fx.opentok as unknown as LegacyCaptions;
        const captionsId = await new Promise<string>((resolve, reject) =>
          legacy.startCaptions(
            sessionId,
            fx.token(sessionId, 'moderator'),
            { languageCode: 'en-US', maxDuration: 1800, partialCaptions: true },
            (error, id) => (error || !id ? reject(error ?? new Error('no captions ID')) : resolve(id)),
          ),
        );
        const spoken = new RegExp(`\\b(${PHRASE_WORDS.join('|')})\\b`);
        const captions = () =>
          page.evaluate(() => (globalThis as unknown as { captionLog: PageCaption[] }).captionLog);
        await waitFor(
          async () => (await captions()).some((c) => c.isFinal && spoken.test(c.caption)),
          45_000,
          'a final caption in OpenTok.js',
        );
        const received = await captions();
        expect(received.some((c) => !c.isFinal)).toBe(true);
        expect(received.every((c) => c.streamId === 'speech-ot')).toBe(true);
        await new Promise<void>((resolve, reject) =>
          legacy.stopCaptions(captionsId, (error) => (error ? reject(error) : resolve())),
        );
        expect(app.captions.running).toEqual([]);
      } finally {
        await page.close();
        await speaker.close();
      }
      expect(browser.offLoopback).toEqual([]);
    }, 120_000);

    it('captions the stream of an OpenTok.js publisher with publishCaptions: true', async () => {
      const sessionId = await fx.createSession('routed');
      const page = await browser.open(fx.baseUrl);
      try {
        const streamId = await page.evaluate(
          async ({ apiKey, sessionId, token }) => {
            const { OT } = globalThis as unknown as { OT: PageOTWithPublisher };
            const session = OT.initSession(apiKey, sessionId);
            await new Promise<void>((resolve, reject) =>
              session.connect(token, (error) => (error ? reject(new Error(error.message)) : resolve())),
            );
            const publisher = OT.initPublisher(undefined, {
              insertDefaultUI: false,
              publishCaptions: true,
              publishVideo: false,
            });
            await new Promise<void>((resolve, reject) =>
              session.publish(publisher, (error) => (error ? reject(new Error(error.message)) : resolve())),
            );
            return publisher.stream?.streamId ?? '';
          },
          { apiKey: fx.harness.project.apiKey, sessionId, token: fx.token(sessionId) },
        );
        expect(streamId).not.toBe('');
        const { captionsId } = await fx.harness.app.captions.start(fx.harness.project, {
          sessionId,
          token: fx.token(sessionId, 'moderator'),
        });
        const captioning = fx.harness.app.captions.get(fx.harness.project, captionsId);
        // The fake microphone plays a beep, not words: what shows here is that the stream is captioned.
        await waitFor(() => captioning?.streamIds.includes(streamId), 20_000, 'the stream to be captioned');
        await fx.harness.app.captions.stop(fx.harness.project, captionsId);
      } finally {
        await page.close();
      }
    }, 60_000);
  },
);
