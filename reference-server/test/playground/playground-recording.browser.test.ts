/**
 * Recording from the playground in headless Chromium (issue #8's "record a call from the playground and
 * download and play the MP4"): two people in a routed session, the moderator starts recording from the
 * keyboard, both pages show the indicator, the moderator stops it, and the list turns the archive into a
 * download link. The file behind that link is fetched and checked: MP4, H.264 and AAC, as long as the
 * recording, and decodable to the end. Nothing may leave 127.0.0.1 and the pages log no errors.
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFully, probeMedia } from '../../src/recording/probe.js';
import { sleep } from '../../src/recording/testing/media-checks.js';
import { launchTestBrowser, type TestBrowser } from '../browser/browser.js';
import { type AppFixture, startAppFixture } from '../e2e/support/app-fixture.js';

const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
/** How long the test records. */
const RECORD_MS = 4000;

let fx: AppFixture;
let browser: TestBrowser;
let downloads: string;
const consoleErrors: string[] = [];

beforeAll(async () => {
  fx = await startAppFixture({ playground: { rateLimit: null } });
  browser = await launchTestBrowser();
  mkdirSync(RESULTS, { recursive: true });
  downloads = await mkdtemp(join(tmpdir(), 'parley-playground-recording-'));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await fx?.close();
  if (downloads) await rm(downloads, { recursive: true, force: true });
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

/** Joins from the form and waits until the camera is published. */
async function joinCall(page: Page, name: string, role?: string, mediaMode?: string): Promise<void> {
  await page.getByLabel('Display name').fill(name);
  if (role) await page.getByLabel('Role').selectOption(role);
  if (mediaMode) await page.getByLabel('Media of a new session').selectOption(mediaMode);
  await page.getByRole('button', { name: 'Join' }).click();
  await expect.poll(() => page.locator('#status').textContent(), { timeout: 15_000 }).toContain('publishing');
}

/** Waits until a remote tile's `<video>` decodes frames. */
async function remoteVideoPlays(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      // Runs in the page; this project's Node types have no DOM, hence the narrow local type.
      type Video = { videoWidth: number };
      const doc = (globalThis as unknown as { document: { querySelectorAll(q: string): Iterable<Video> } })
        .document;
      return [...doc.querySelectorAll('#videos figure:not(.local) video')].some((v) => v.videoWidth > 0);
    },
    undefined,
    { timeout: 20_000, polling: 200 },
  );
}

const indicatorShown = (page: Page) => page.locator('#recording-indicator').isVisible();

describe('playground recording', () => {
  it('records a routed call from the moderator page to a downloadable, playable MP4', async () => {
    const alice = await openPlayground();
    // The join form says which media mode can be recorded.
    expect(await alice.getByLabel('Media of a new session').textContent()).toContain('(can be recorded)');
    await joinCall(alice, 'Alice', 'moderator', 'routed');
    const sessionId = new URL(alice.url()).searchParams.get('session') ?? '';
    expect((await fx.harness.store.sessions.get(sessionId))?.mediaMode).toBe('routed');

    const bob = await openPlayground(`?session=${encodeURIComponent(sessionId)}`);
    await joinCall(bob, 'Bob');
    await remoteVideoPlays(alice);
    await remoteVideoPlays(bob);

    // Only the moderator can record; nobody sees the indicator yet.
    expect(await bob.getByRole('button', { name: /^(Start|Stop) recording$/ }).count()).toBe(0);
    expect(await indicatorShown(alice)).toBe(false);
    expect(await indicatorShown(bob)).toBe(false);

    // Start from the keyboard; the same button becomes "Stop recording" and keeps the focus.
    await alice.getByRole('button', { name: 'Start recording' }).focus();
    await alice.keyboard.press('Enter');
    // Waiting on the element (not polling) so the clock reads when the indicator appears.
    await alice.locator('#recording-indicator').waitFor({ state: 'visible', timeout: 10_000 });
    const startedAt = Date.now();
    // Bob's page learns it from the archiveStarted event alone.
    await bob.locator('#recording-indicator').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await bob.locator('#recording-indicator').textContent()).toContain('Recording');
    const stopButton = alice.getByRole('button', { name: 'Stop recording' });
    await expect.poll(() => stopButton.count()).toBe(1);
    expect(await stopButton.evaluate((button) => button === button.ownerDocument.activeElement)).toBe(true);
    await expect
      .poll(() => alice.locator('#archives li').first().getAttribute('data-status'))
      .toBe('started');
    await alice.screenshot({ path: `${RESULTS}playground-recording-alice.png` });
    await bob.screenshot({ path: `${RESULTS}playground-recording-bob.png` });

    await sleep(Math.max(0, startedAt + RECORD_MS - Date.now()));
    await alice.keyboard.press('Enter');
    const stoppedAt = Date.now();
    await alice.locator('#recording-indicator').waitFor({ state: 'hidden', timeout: 10_000 });
    await bob.locator('#recording-indicator').waitFor({ state: 'hidden', timeout: 10_000 });
    await expect.poll(() => alice.getByRole('button', { name: 'Start recording' }).count()).toBe(1);

    // The list polls until the file is ready, on both pages, then offers the download.
    const link = alice.locator('#archives li[data-status="available"] a', { hasText: 'Download MP4' });
    await link.waitFor({ timeout: 60_000 });
    await bob
      .locator('#archives li[data-status="available"] a', { hasText: 'Download MP4' })
      .waitFor({ timeout: 60_000 });
    await expect.poll(() => alice.locator('#status').textContent()).toContain('The recording is ready');
    const item = alice.locator('#archives li[data-status="available"]');
    expect(await item.locator('.meta').textContent()).toMatch(/^available · \d+ s$/);
    expect(await alice.locator('#archives-status').textContent()).toBe('1 recording.');
    await alice.screenshot({ path: `${RESULTS}playground-recording-available.png` });

    const href = (await link.getAttribute('href')) ?? '';
    expect(href.startsWith(`${fx.baseUrl}/v2/project/`)).toBe(true);
    const response = await fetch(href);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    const file = join(downloads, 'recording.mp4');
    await writeFile(file, new Uint8Array(await response.arrayBuffer()));

    const media = await probeMedia(file);
    expect(media.formatName).toContain('mp4');
    expect(media.streams.find((s) => s.codecType === 'video')?.codecName).toBe('h264');
    expect(media.streams.find((s) => s.codecType === 'audio')?.codecName).toBe('aac');
    const recordedSeconds = (stoppedAt - startedAt) / 1000;
    expect(Math.abs(media.duration - recordedSeconds)).toBeLessThanOrEqual(1.5);
    expect(await decodeFully(file)).toBeGreaterThan(0);

    await alice.close();
    await bob.close();
    expect(consoleErrors).toEqual([]);
    expect(browser.offLoopback).toEqual([]);
  }, 120_000);
});
