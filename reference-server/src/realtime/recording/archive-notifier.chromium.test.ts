/**
 * The official OpenTok.js client in headless Chromium hears archives: `archiveStarted` when an archive
 * starts while it is connected, `archiveStarted` from the session state when it joins a session being
 * recorded, and `archiveStopped` when the archive stops. Loopback only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchTestBrowser, type TestBrowser } from '../../../test/browser/browser.js';
import { type PageEvent, Participant } from '../../../test/browser/participant.js';
import { type AppFixture, startAppFixture } from '../../../test/e2e/support/app-fixture.js';

let fx: AppFixture;
let browser: TestBrowser;

beforeAll(async () => {
  fx = await startAppFixture();
  browser = await launchTestBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

/** The archive ID an OpenTok.js archive event carried (the page records it as `id`). */
const archiveId = (event: PageEvent): unknown => (event as PageEvent & { id?: string }).id;

describe('archive notifications in OpenTok.js', () => {
  it('fires archiveStarted and archiveStopped, including for a client joining mid-recording', async () => {
    const sessionId = await fx.createSession('routed');
    const join = async (): Promise<Participant> => {
      const participant = new Participant(await browser.open(fx.baseUrl));
      await participant.connect(fx.harness.project.apiKey, sessionId, fx.token(sessionId));
      return participant;
    };
    const alice = await join();
    let bob: Participant | undefined;
    try {
      fx.harness.app.realtime.archiveNotifier.archivesChanged(sessionId, [{ id: 'arch-ot', name: 'Call' }]);
      expect(archiveId(await alice.waitForEvent('archiveStarted'))).toBe('arch-ot');

      bob = await join();
      expect(archiveId(await bob.waitForEvent('archiveStarted'))).toBe('arch-ot');

      fx.harness.app.realtime.archiveNotifier.archivesChanged(sessionId, []);
      expect(archiveId(await alice.waitForEvent('archiveStopped'))).toBe('arch-ot');
      expect(archiveId(await bob.waitForEvent('archiveStopped'))).toBe('arch-ot');
    } finally {
      await alice.page.close();
      await bob?.page.close();
    }
    expect(browser.offLoopback).toEqual([]);
  }, 90_000);
});
