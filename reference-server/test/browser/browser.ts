/**
 * Headless Chromium with the official OpenTok.js client, for end-to-end tests against Parley. The test page
 * is served from its own loopback origin (so Parley's CORS is exercised); fake camera and microphone feed
 * the publishers. Every request that is not to 127.0.0.1 is aborted and recorded, and DNS resolves nothing
 * but 127.0.0.1, so nothing leaves the machine: tests assert `offLoopback` stays empty.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import {
  CHROMIUM_BASE_FLAGS,
  CHROMIUM_FAKE_MEDIA_FLAGS,
  CHROMIUM_LOOPBACK_FLAGS,
  CHROMIUM_LOOPBACK_ONLY_RESOLVER,
  CHROMIUM_NO_BACKGROUND_THROTTLING_FLAGS,
  CHROMIUM_PATH,
} from '../../src/browser/chromium-flags.js';
import { guardLoopback, recordOffLoopbackWebSockets } from './loopback-guard.js';

const require = createRequire(import.meta.url);
const HERE = new URL('.', import.meta.url).pathname;

/** How the page points OpenTok.js at Parley. */
export type RedirectMode = 'props' | 'proxy';

/** Options of one participant page. */
export interface PageOptions {
  mode?: RedirectMode;
  /** `h264` strips VP8 from the SDP so H.264 is negotiated. */
  codec?: 'vp8' | 'h264';
}

/** A browser with the test page served and the network guarded. */
export interface TestBrowser {
  context: BrowserContext;
  /** URLs of requests that tried to leave 127.0.0.1 (aborted). */
  offLoopback: string[];
  /** Opens a participant page whose OpenTok.js talks to `apiUrl`. */
  open(apiUrl: string, options?: PageOptions): Promise<Page>;
  close(): Promise<void>;
}

const FILES: Record<string, { path: string; type: string }> = {
  '/': { path: join(HERE, 'page.html'), type: 'text/html' },
  '/setup.js': { path: join(HERE, 'setup.js'), type: 'text/javascript' },
  '/page-api.js': { path: join(HERE, 'page-api.js'), type: 'text/javascript' },
  '/opentok.js': {
    path: require.resolve('@vonage/client-sdk-video/dist/js/opentok.js'),
    type: 'text/javascript',
  },
};

/** Launches Chromium and the static server. Close it in `afterAll`/`finally`. */
export async function launchTestBrowser(): Promise<TestBrowser> {
  const statics: Server = createServer(async (request, response) => {
    const file = FILES[(request.url ?? '/').split('?')[0] ?? '/'];
    if (!file) {
      response.statusCode = 404;
      response.end();
      return;
    }
    response.setHeader('content-type', file.type);
    response.end(await readFile(file.path));
  });
  await new Promise<void>((resolve) => statics.listen(0, '127.0.0.1', resolve));
  const pageOrigin = `http://127.0.0.1:${(statics.address() as AddressInfo).port}`;
  const profile = await mkdtemp(join(tmpdir(), 'parley-chromium-'));
  const offLoopback: string[] = [];
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        ...CHROMIUM_BASE_FLAGS,
        ...CHROMIUM_FAKE_MEDIA_FLAGS,
        ...CHROMIUM_LOOPBACK_FLAGS,
        CHROMIUM_LOOPBACK_ONLY_RESOLVER,
        // Several participant pages share one browser; background pages must not have their timers
        // throttled (OpenTok.js paces offers and candidate waits with timers).
        ...CHROMIUM_NO_BACKGROUND_THROTTLING_FLAGS,
      ],
    });
  } catch (error) {
    statics.close();
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  const browserContext = context;
  await guardLoopback(browserContext, offLoopback);

  return {
    context: browserContext,
    offLoopback,
    async open(apiUrl, options = {}) {
      const page = await browserContext.newPage();
      recordOffLoopbackWebSockets(page, offLoopback);
      const query = new URLSearchParams({
        api: apiUrl,
        mode: options.mode ?? 'props',
        codec: options.codec ?? 'vp8',
      });
      await page.goto(`${pageOrigin}/?${query}`);
      await page.waitForFunction(() => typeof (globalThis as { T?: unknown }).T === 'object');
      return page;
    },
    async close() {
      await browserContext.close().catch(() => {});
      await new Promise<void>((resolve) => statics.close(() => resolve()));
      await rm(profile, { recursive: true, force: true });
    },
  };
}
