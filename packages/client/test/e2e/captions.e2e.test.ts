/**
 * Live captions with the Parley client in headless Chromium against the real reference server, routed
 * session: a Parley publisher with `publishCaptions: true` speaks (espeak-ng speech as Chromium's fake
 * microphone), captions are started through the server's captions service (what `POST /captions` runs),
 * and a Parley subscriber that called `subscribeToCaptions(true)` receives `captionReceived` with the
 * recognised words; an OpenTok.js subscriber (the reference server's browser harness) receives them too.
 * Skipped, with the reason, where espeak-ng, ffmpeg or PocketSphinx is missing. Nothing
 * may leave 127.0.0.1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PHRASE,
  PHRASE_WORDS,
  speechTestsUnavailable,
} from '../../../../reference-server/src/services/captions/testing/speech.js';
import { launchTestBrowser } from '../../../../reference-server/test/browser/browser.js';
import {
  type AppFixture,
  startAppFixture,
} from '../../../../reference-server/test/e2e/support/app-fixture.js';
import { buildClient } from '../../scripts/build.ts';
import {
  type PageServer,
  ParleyParticipant,
  type RecordedEvent,
  servePages,
} from './support/parley-participant.js';
import { launchSpeechBrowser, type SpeechBrowser } from './support/speech-browser.js';

const unavailable = await speechTestsUnavailable();

/** The part of OpenTok.js the OpenTok.js page uses; it runs in the page, where `OT` is the loaded client. */
interface PageOT {
  initSession(apiKey: string, sessionId: string): PageSession;
}
interface PageSession {
  on(event: 'streamCreated', handler: (event: { stream: { hasCaptions: boolean } }) => void): void;
  subscribe(
    stream: unknown,
    target: undefined,
    properties: { insertDefaultUI: boolean },
  ): { on(event: 'captionReceived', handler: (event: PageCaption) => void): void };
  connect(token: string, callback: (error?: { message: string }) => void): void;
}

/** A `captionReceived` event of OpenTok.js, as the page records it. */
interface PageCaption {
  streamId: string;
  caption: string;
  isFinal: boolean;
}

describe.skipIf(unavailable !== null)(
  `Parley client live captions${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let buildDir: string;
    let pages: PageServer;
    let fx: AppFixture;
    let browser: SpeechBrowser;

    beforeAll(async () => {
      buildDir = mkdtempSync(join(tmpdir(), 'parley-client-captions-'));
      pages = await servePages(readFileSync(await buildClient(join(buildDir, 'dist')), 'utf8'));
      fx = await startAppFixture({ recording: null, renders: null });
      browser = await launchSpeechBrowser(PHRASE);
    }, 90_000);

    afterAll(async () => {
      const offLoopback = browser?.offLoopback;
      await browser?.close();
      await fx?.close();
      await pages?.close();
      if (buildDir) rmSync(buildDir, { recursive: true, force: true });
      expect(offLoopback).toEqual([]);
    });

    /** Polls `read` until it has a final caption with a word of the phrase; returns what it read then. */
    async function untilFinalCaption<T extends Pick<RecordedEvent, 'caption' | 'isFinal'>>(
      read: () => Promise<T[]>,
    ): Promise<T[]> {
      const spoken = new RegExp(`\\b(${PHRASE_WORDS.join('|')})\\b`);
      const deadline = Date.now() + 40_000;
      for (;;) {
        const captions = await read();
        if (captions.some((event) => event.isFinal && spoken.test(event.caption ?? ''))) return captions;
        if (Date.now() > deadline) {
          throw new Error(`no final caption with ${PHRASE_WORDS.join('/')}: ${JSON.stringify(captions)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }

    async function joinSession(sessionId: string): Promise<ParleyParticipant> {
      const participant = await ParleyParticipant.open(browser.context, pages);
      await participant.connect(
        fx.baseUrl,
        fx.harness.project.apiKey,
        sessionId,
        fx.token(sessionId, 'publisher'),
      );
      return participant;
    }

    it('delivers captions of a publishCaptions publisher to a subscriber that subscribed to them', async () => {
      const sessionId = await fx.createSession('routed');
      const speaker = await joinSession(sessionId);
      const listener = await joinSession(sessionId);
      let captionsId: string | null = null;
      try {
        const streamId = await speaker.call<string>('publish', {
          name: 'speaker',
          videoSource: null,
          publishCaptions: true,
        });
        await listener.waitForEvent('streamCreated', { streamId, hasCaptions: true });
        await listener.call('subscribe', streamId, { subscribeToCaptions: false });
        expect(await listener.call('isSubscribedToCaptions', streamId)).toBe(false);

        // publishCaptions at run time: every client sees hasCaptions change.
        await speaker.call('publishCaptions', false);
        await listener.waitForEvent('streamPropertyChanged', {
          streamId,
          property: 'hasCaptions',
          value: false,
        });
        await speaker.call('publishCaptions', true);
        await listener.waitForEvent('streamPropertyChanged', {
          streamId,
          property: 'hasCaptions',
          value: true,
        });
        expect(await speaker.call('publisherHasCaptions')).toBe(true);

        await listener.call('subscribeToCaptions', streamId, true);
        expect(await listener.call('isSubscribedToCaptions', streamId)).toBe(true);
        ({ captionsId } = await fx.harness.app.captions.start(fx.harness.project, {
          sessionId,
          token: fx.token(sessionId, 'moderator'),
        }));

        const received = await untilFinalCaption(async () =>
          (await listener.events()).filter((event) => event.type === 'captionReceived'),
        );
        expect(received.every((event) => event.streamId === streamId)).toBe(true);
        // Partial results come first (captions start with partials on), refined until the final one.
        expect(received.some((event) => !event.isFinal)).toBe(true);
        expect(received.every((event) => typeof event.caption === 'string' && event.caption !== '')).toBe(
          true,
        );
      } finally {
        if (captionsId) await fx.harness.app.captions.stop(fx.harness.project, captionsId);
        await speaker.page.close();
        await listener.page.close();
      }
    }, 60_000);

    it('delivers the captions of a Parley publisher to an OpenTok.js subscriber', async () => {
      const sessionId = await fx.createSession('routed');
      const speaker = await joinSession(sessionId);
      const opentok = await launchTestBrowser();
      let captionsId: string | null = null;
      try {
        const page = await opentok.open(fx.baseUrl);
        // OpenTok.js subscribes with its default: captions on when the stream has them (hasCaptions).
        await page.evaluate(
          async ({ apiKey, sessionId, token }) => {
            const log: PageCaption[] = [];
            const scope = globalThis as unknown as { captionLog: PageCaption[]; hasCaptions: boolean[] };
            scope.captionLog = log;
            scope.hasCaptions = [];
            const { OT } = globalThis as unknown as { OT: PageOT };
            const session = OT.initSession(apiKey, sessionId);
            session.on('streamCreated', (event) => {
              scope.hasCaptions.push(event.stream.hasCaptions);
              const subscriber = session.subscribe(event.stream, undefined, { insertDefaultUI: false });
              subscriber.on('captionReceived', ({ streamId, caption, isFinal }) =>
                log.push({ streamId, caption, isFinal }),
              );
            });
            await new Promise<void>((resolve, reject) =>
              session.connect(token, (error) => (error ? reject(new Error(error.message)) : resolve())),
            );
          },
          { apiKey: fx.harness.project.apiKey, sessionId, token: fx.token(sessionId, 'publisher') },
        );
        const streamId = await speaker.call<string>('publish', {
          name: 'speaker',
          videoSource: null,
          publishCaptions: true,
        });
        ({ captionsId } = await fx.harness.app.captions.start(fx.harness.project, {
          sessionId,
          token: fx.token(sessionId, 'moderator'),
        }));
        const received = await untilFinalCaption(() =>
          page.evaluate(() => (globalThis as unknown as { captionLog: PageCaption[] }).captionLog),
        );
        expect(received.every((event) => event.streamId === streamId)).toBe(true);
        expect(
          await page.evaluate(() => (globalThis as unknown as { hasCaptions: boolean[] }).hasCaptions),
        ).toEqual([true]);
      } finally {
        if (captionsId) await fx.harness.app.captions.stop(fx.harness.project, captionsId);
        await speaker.page.close();
        const offLoopback = [...opentok.offLoopback];
        await opentok.close();
        expect(offLoopback).toEqual([]);
      }
    }, 60_000);
  },
);
