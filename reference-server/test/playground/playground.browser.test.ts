/**
 * The playground in headless Chromium: two people hold a call through the page alone (no test hooks in
 * the page), driven by labels and roles as a keyboard or screen-reader user would reach them. Screenshots
 * of both pages go to `test-results/` for a look at the layout. Nothing may leave 127.0.0.1.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchTestBrowser, type TestBrowser } from '../browser/browser.js';
import { type AppFixture, startAppFixture } from '../e2e/support/app-fixture.js';

const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));

let fx: AppFixture;
let browser: TestBrowser;
const consoleErrors: string[] = [];

beforeAll(async () => {
  fx = await startAppFixture({ playground: { rateLimit: null } });
  browser = await launchTestBrowser();
  mkdirSync(RESULTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

async function openPlayground(query = ''): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 860 });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`));
  await page.goto(`${fx.baseUrl}/playground${query}`);
  return page;
}

/** Waits until a remote tile's `<video>` decodes frames. */
async function remoteVideoWidth(page: Page): Promise<number> {
  const handle = await page.waitForFunction(
    () => {
      // Runs in the page; this project's Node types have no DOM, hence the narrow local type.
      type Video = { videoWidth: number };
      const doc = (globalThis as unknown as { document: { querySelectorAll(q: string): Iterable<Video> } })
        .document;
      const videos = [...doc.querySelectorAll('#videos figure:not(.local) video')];
      return videos.find((video) => video.videoWidth > 0)?.videoWidth ?? false;
    },
    undefined,
    { timeout: 20_000, polling: 200 },
  );
  return (await handle.jsonValue()) as number;
}

describe('playground', () => {
  it('holds a two-person call: videos, chat, moderation', async () => {
    const alice = await openPlayground();
    await alice.getByLabel('Display name').fill('Alice');
    await alice.getByLabel('Role').selectOption('moderator');
    await alice.getByRole('button', { name: 'Join' }).click();
    await expect
      .poll(() => alice.locator('#status').textContent(), { timeout: 15_000 })
      .toContain('publishing');
    const sessionId = new URL(alice.url()).searchParams.get('session');
    expect(sessionId).toBeTruthy();
    // A relayed session cannot be recorded: the moderator gets the reason instead of the button.
    expect(await alice.getByRole('button', { name: 'Start recording' }).count()).toBe(0);
    expect(await alice.locator('#recording-note').textContent()).toContain('cannot be recorded');

    // Bob follows the invite link and joins with the keyboard only.
    const bob = await openPlayground(`?session=${encodeURIComponent(sessionId ?? '')}`);
    expect(await bob.getByLabel('Session ID').inputValue()).toBe(sessionId);
    await bob.getByLabel('Display name').focus();
    await bob.keyboard.type('Bob');
    await bob.keyboard.press('Enter');
    await expect
      .poll(() => bob.locator('#status').textContent(), { timeout: 15_000 })
      .toContain('publishing');

    expect(await remoteVideoWidth(alice)).toBeGreaterThan(0);
    expect(await remoteVideoWidth(bob)).toBeGreaterThan(0);
    await alice.locator('#participants').getByText('Bob', { exact: true }).waitFor();

    await bob.getByLabel('Message').fill('hello from Bob');
    await bob.getByLabel('Message').press('Enter');
    await alice.locator('#chat-log li', { hasText: 'Bob: hello from Bob' }).waitFor({ timeout: 10_000 });
    await bob.locator('#chat-log li', { hasText: 'You: hello from Bob' }).waitFor();
    await expect
      .poll(() => alice.locator('#archives-status').textContent())
      .toMatch(/not available yet|No recordings|recording/);

    await alice.screenshot({ path: `${RESULTS}playground-alice.png` });
    await bob.screenshot({ path: `${RESULTS}playground-bob.png` });

    // The moderator mutes Bob, then removes him.
    await alice.getByRole('button', { name: "Mute Bob's microphone" }).click();
    await expect.poll(() => bob.locator('#status').textContent()).toContain('muted your microphone');
    await expect
      .poll(() => bob.getByRole('toolbar').getByRole('button').first().textContent())
      .toBe('Unmute microphone');
    await alice.getByRole('button', { name: 'Remove Bob from the call' }).click();
    await expect.poll(() => bob.locator('#status').textContent()).toContain('A moderator removed you');
    expect(await bob.locator('#join').isVisible()).toBe(true);
    await expect.poll(() => alice.locator('#participants li').count()).toBe(1);
    await bob.screenshot({ path: `${RESULTS}playground-bob-removed.png` });

    await alice.getByRole('button', { name: 'Leave' }).click();
    await expect.poll(() => alice.locator('#status').textContent()).toContain('You left the call');
    await alice.close();
    await bob.close();

    expect(consoleErrors).toEqual([]);
    expect(browser.offLoopback).toEqual([]);
  }, 60_000);

  it('routes a call through the SFU and shares a screen that the other person sees', async () => {
    const carol = await openPlayground();
    await carol.getByLabel('Display name').fill('Carol');
    await carol.getByLabel('Media of a new session').selectOption('routed');
    await carol.getByRole('button', { name: 'Join' }).click();
    await expect
      .poll(() => carol.locator('#status').textContent(), { timeout: 15_000 })
      .toContain('publishing');
    const sessionId = new URL(carol.url()).searchParams.get('session') ?? '';
    expect((await fx.harness.store.sessions.get(sessionId))?.mediaMode).toBe('routed');

    const dave = await openPlayground(`?session=${encodeURIComponent(sessionId)}`);
    await dave.getByLabel('Display name').fill('Dave');
    await dave.getByRole('button', { name: 'Join' }).click();
    await expect
      .poll(() => dave.locator('#status').textContent(), { timeout: 15_000 })
      .toContain('publishing');
    // Both cameras arrive through the SFU: the routed session has no peer-to-peer path.
    expect(await remoteVideoWidth(carol)).toBeGreaterThan(0);
    expect(await remoteVideoWidth(dave)).toBeGreaterThan(0);

    // Carol shares her screen (Chromium's fake capture stands in for the picker); Dave gets a screen tile.
    await carol.getByRole('button', { name: 'Share screen' }).click();
    await expect.poll(() => carol.getByRole('button', { name: 'Stop sharing' }).count()).toBe(1);
    const screenWidth = await dave.waitForFunction(
      () => {
        type Video = { videoWidth: number };
        const doc = (globalThis as unknown as { document: { querySelector(q: string): Video | null } })
          .document;
        return doc.querySelector('#videos figure.screen:not(.local) video')?.videoWidth || false;
      },
      undefined,
      { timeout: 20_000, polling: 200 },
    );
    expect(await screenWidth.jsonValue()).toBeGreaterThan(0);
    expect(await dave.locator('#videos figure.screen').getAttribute('aria-label')).toBe('Carol: screen');
    await dave.screenshot({ path: `${RESULTS}playground-routed-screen-share.png` });

    await carol.getByRole('button', { name: 'Stop sharing' }).click();
    await expect.poll(() => dave.locator('#videos figure.screen').count(), { timeout: 10_000 }).toBe(0);
    await carol.close();
    await dave.close();

    expect(consoleErrors).toEqual([]);
    expect(browser.offLoopback).toEqual([]);
  }, 90_000);
});
