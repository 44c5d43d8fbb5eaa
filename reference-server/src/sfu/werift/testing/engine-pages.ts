/**
 * Test-only: the browser side of the engine's Chromium tests — a page server on 127.0.0.1 serving the
 * publisher/subscriber page script, and Debian's Chromium (fake camera and microphone, WebRTC over
 * loopback) with a fresh profile. `close()` in `afterAll`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, PAGE_SCRIPT } from './chromium-pages.js';

/** A running page server and browser. */
export interface EnginePages {
  /** Where the page is served (getUserMedia needs a secure context; http://127.0.0.1 is one). */
  origin: string;
  context: BrowserContext;
  /** Closes the browser and the page server and removes the profile. */
  close(): Promise<void>;
}

/** Serves the page (titled `title`) and launches Chromium. */
export async function launchEnginePages(title: string): Promise<EnginePages> {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'text/html');
    response.end(`<!doctype html><title>${title}</title><script>${PAGE_SCRIPT}</script>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const profile = await mkdtemp(join(tmpdir(), 'parley-sfu-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  } catch (error) {
    await closeServer();
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    context,
    async close() {
      await context.close();
      await closeServer();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
