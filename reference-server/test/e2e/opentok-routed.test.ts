/**
 * The official OpenTok.js client in headless Chromium against Parley, routed sessions: media goes through
 * the SFU engine (werift on 127.0.0.1). The server asks publishers for offers, offers to subscribers, and
 * announces a stream once its media reaches the SFU. Nothing may leave 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRole } from '../../src/store/types.js';
import { launchTestBrowser, type PageOptions, type TestBrowser } from '../browser/browser.js';
import { Participant } from '../browser/participant.js';
import { type AppFixture, startAppFixture } from './support/app-fixture.js';

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

async function join(
  sessionId: string,
  role: TokenRole = 'publisher',
  options: PageOptions = {},
): Promise<Participant> {
  const participant = new Participant(await browser.open(fx.baseUrl, options));
  await participant.connect(fx.harness.project.apiKey, sessionId, fx.token(sessionId, role));
  return participant;
}

describe('OpenTok.js in a routed session', () => {
  it('publishes through the SFU and the subscriber decodes VP8 and audio; moderation and signals work', async () => {
    const sessionId = await fx.createSession('routed');
    const alice = await join(sessionId, 'publisher', { mode: 'proxy' });
    const bob = await join(sessionId, 'moderator');
    try {
      const streamId = await alice.publish('alice');
      await bob.waitForEvent('streamCreated', { streamId });
      await bob.subscribe(streamId);
      const media = await bob.waitForMedia(streamId);
      expect(media.videoCodec).toBe('video/VP8');

      await bob.signal('routed', 'hi');
      await alice.waitForEvent('signal', { signalType: 'routed', from: bob.connectionId });
      expect(await bob.moderate('forceMuteStream', streamId)).toBe('ok');
      await alice.waitForEvent('publisherMuteForced');
      await bob.waitForEvent('streamPropertyChanged', { streamId, property: 'hasAudio', value: false });
      expect(await bob.moderate('forceUnpublish', streamId)).toBe('ok');
      await alice.waitForEvent('publisherStreamDestroyed', { streamId, reason: 'forceUnpublished' });
    } finally {
      await alice.page.close();
      await bob.page.close();
    }
    expect(browser.offLoopback).toEqual([]);
  }, 90_000);

  it('forwards H.264 when VP8 is disabled', async () => {
    const sessionId = await fx.createSession('routed');
    const alice = await join(sessionId, 'publisher', { codec: 'h264' });
    const bob = await join(sessionId, 'publisher', { codec: 'h264' });
    try {
      const streamId = await alice.publish('h264');
      await bob.waitForEvent('streamCreated', { streamId });
      await bob.subscribe(streamId);
      expect((await bob.waitForMedia(streamId)).videoCodec).toBe('video/H264');
    } finally {
      await alice.page.close();
      await bob.page.close();
    }
  }, 90_000);

  it('carries four participants: two publish, everyone receives every other stream through the SFU', async () => {
    const sessionId = await fx.createSession('routed');
    const people = [
      await join(sessionId),
      await join(sessionId),
      await join(sessionId, 'subscriber'),
      await join(sessionId),
    ];
    try {
      const streams = [await people[0]?.publish('p0'), await people[1]?.publish('p1')] as string[];
      const wanted = people.map((_, i) => streams.filter((_, j) => j !== i));
      for (const [i, p] of people.entries())
        for (const streamId of wanted[i] ?? []) await p.waitForEvent('streamCreated', { streamId });
      await Promise.all(
        people.map((p, i) => Promise.all((wanted[i] ?? []).map((streamId) => p.subscribe(streamId)))),
      );
      await Promise.all(
        people.map((p, i) =>
          Promise.all((wanted[i] ?? []).map((streamId) => p.waitForMedia(streamId, 3, 60_000))),
        ),
      );
    } finally {
      for (const p of people) await p.page.close();
    }
    expect(browser.offLoopback).toEqual([]);
  }, 180_000);
});
