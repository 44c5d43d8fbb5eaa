/**
 * The official OpenTok.js client in headless Chromium against Parley, relayed (peer-to-peer) sessions:
 * joining through both redirection methods, publish/subscribe with decoded media, signals, moderation,
 * roles and reconnection. Nothing may leave 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRole } from '../../src/store/types.js';
import { launchTestBrowser, type PageOptions, type TestBrowser } from '../browser/browser.js';
import { Participant } from '../browser/participant.js';
import { type AppFixture, startAppFixture } from './support/app-fixture.js';
import { openTokLive, vonageVideo } from './support/sdk-clients.js';

let fx: AppFixture;
let browser: TestBrowser;

beforeAll(async () => {
  fx = await startAppFixture({ realtime: { limits: { reconnectGraceMs: 10_000 } } });
  browser = await launchTestBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await fx?.close();
  expect(browser.offLoopback).toEqual([]);
});

async function join(
  sessionId: string,
  role: TokenRole = 'publisher',
  options: PageOptions = {},
): Promise<Participant> {
  const participant = new Participant(await browser.open(fx.baseUrl, options));
  await participant.connect(fx.harness.project.apiKey, sessionId, fx.token(sessionId, role, `role=${role}`));
  return participant;
}

async function leave(...participants: Participant[]): Promise<void> {
  for (const p of participants) await p.page.close();
}

describe('OpenTok.js in a relayed session', () => {
  it('joins with OTProperties and with OT.setProxyUrl, publishes and subscribes with decoded VP8 and audio', async () => {
    const sessionId = await fx.createSession('relayed');
    const alice = await join(sessionId, 'publisher', { mode: 'props' });
    const bob = await join(sessionId, 'publisher', { mode: 'proxy' });
    await alice.waitForEvent('connectionCreated', { connectionId: bob.connectionId });
    expect(await bob.capabilities()).toMatchObject({ publish: 1, subscribe: 1, forceDisconnect: 0 });

    const streamId = await alice.publish('alice-cam');
    await bob.waitForEvent('streamCreated', { streamId });
    await bob.subscribe(streamId);
    const media = await bob.waitForMedia(streamId);
    expect(media.videoCodec).toBe('video/VP8');
    expect(media.frameWidth).toBeGreaterThan(0);

    // Signals: to everyone (the sender included), to one connection, and from the REST API.
    await alice.signal('chat', 'hello all');
    for (const p of [alice, bob])
      await p.waitForEvent('signal', { signalType: 'chat', data: 'hello all', from: alice.connectionId });
    await bob.signal('dm', 'just you', alice.connectionId);
    await alice.waitForEvent('signal', { signalType: 'dm', from: bob.connectionId });
    await fx.opentokSignal(sessionId, { type: 'server', data: 'from rest' });
    await bob.waitForEvent('signal', { signalType: 'server', from: null });
    expect((await bob.events()).filter((e) => e.type === 'signal' && e.signalType === 'dm')).toHaveLength(0);

    await alice.disconnect();
    const gone = await bob.waitForEvent('connectionDestroyed', { connectionId: alice.connectionId });
    expect(gone.reason).toBe('clientDisconnected');
    await bob.waitForEvent('streamDestroyed', { streamId, reason: 'clientDisconnected' });
    await leave(alice, bob);
    expect(browser.offLoopback).toEqual([]);
  }, 60_000);

  it('connects four participants: two publish, everyone receives every other stream, everyone sees every event', async () => {
    const sessionId = await fx.createSession('relayed');
    const people = [
      await join(sessionId),
      await join(sessionId, 'publisher', { mode: 'proxy' }),
      await join(sessionId, 'subscriber'),
      await join(sessionId, 'moderator', { mode: 'proxy' }),
    ];
    try {
      for (const p of people) {
        for (const other of people)
          await p.waitForEvent('connectionCreated', { connectionId: other.connectionId });
      }
      // Two publishers keep the peer connections (6) within what two shared CPU cores decode in time.
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
      const live = fx.harness.app.realtime.registry.get(sessionId);
      expect(live?.streams.map((s) => s.subscribers.size)).toEqual([3, 3]);
      await people[2]?.signal('nope', '').catch(() => undefined);
      await people[3]?.signal('all', 'four');
      for (const p of people)
        await p.waitForEvent('signal', { signalType: 'all', from: people[3]?.connectionId });
    } finally {
      await leave(...people);
    }
  }, 180_000);

  it('negotiates H.264 when VP8 is disabled', async () => {
    const sessionId = await fx.createSession('relayed');
    const alice = await join(sessionId, 'publisher', { codec: 'h264' });
    const bob = await join(sessionId, 'publisher', { codec: 'h264' });
    const streamId = await alice.publish('h264');
    await bob.waitForEvent('streamCreated', { streamId });
    await bob.subscribe(streamId);
    const media = await bob.waitForMedia(streamId);
    expect(media.videoCodec).toBe('video/H264');
    await leave(alice, bob);
  }, 60_000);

  it('enforces roles: a subscriber cannot publish, a publisheronly client cannot subscribe, only moderators moderate', async () => {
    const sessionId = await fx.createSession('relayed');
    const publisher = await join(sessionId, 'publisher');
    const viewer = await join(sessionId, 'subscriber');
    const only = await join(sessionId, 'publisheronly');
    expect(await viewer.capabilities()).toMatchObject({ publish: 0, subscribe: 1 });
    expect(await viewer.publishFails('nope')).toMatch(/publish/i);
    const streamId = await publisher.publish('cam');
    await only.waitForEvent('streamCreated', { streamId });
    expect(await only.subscribeFails(streamId)).not.toBe('subscribed');
    expect(await publisher.moderate('forceDisconnect', viewer.connectionId)).not.toBe('ok');
    expect(await publisher.moderate('forceMuteAll', [])).not.toBe('ok');
    // The client's own checks are advisory; the server refuses too (see the protocol tests).
    await viewer.subscribe(streamId);
    await viewer.waitForMedia(streamId, 5);
    await leave(publisher, viewer, only);
  }, 60_000);

  it('lets a moderator force-mute, mute everyone (with mute on entry), force-unpublish and force-disconnect', async () => {
    const sessionId = await fx.createSession('relayed');
    const mod = await join(sessionId, 'moderator');
    const alice = await join(sessionId, 'publisher');
    const aliceStream = await alice.publish('alice');
    await mod.waitForEvent('streamCreated', { streamId: aliceStream });

    expect(await mod.moderate('forceMuteStream', aliceStream)).toBe('ok');
    await alice.waitForEvent('publisherMuteForced');
    await mod.waitForEvent('streamPropertyChanged', {
      streamId: aliceStream,
      property: 'hasAudio',
      value: false,
    });
    await alice.publishAudio(aliceStream, true);
    await mod.waitForEvent('streamPropertyChanged', {
      streamId: aliceStream,
      property: 'hasAudio',
      value: true,
    });

    expect(await mod.moderate('forceMuteAll', [])).toBe('ok');
    await alice.waitForEvent('sessionMuteForced', { active: true });
    // A client joining later is muted on entry.
    const carol = await join(sessionId, 'publisher');
    const carolStream = await carol.publish('carol');
    await mod.waitForEvent('streamCreated', { streamId: carolStream });
    await expect.poll(() => carol.audioMuted(carolStream), { timeout: 10_000 }).toBe(true);
    expect(await mod.moderate('disableForceMute')).toBe('ok');
    await carol.waitForEvent('sessionMuteForced', { active: false });

    expect(await mod.moderate('forceUnpublish', carolStream)).toBe('ok');
    await carol.waitForEvent('publisherStreamDestroyed', {
      streamId: carolStream,
      reason: 'forceUnpublished',
    });
    await alice.waitForEvent('streamDestroyed', { streamId: carolStream, reason: 'forceUnpublished' });

    expect(await mod.moderate('forceDisconnect', alice.connectionId)).toBe('ok');
    await alice.waitForEvent('sessionDisconnected', { reason: 'forceDisconnected' });
    await mod.waitForEvent('connectionDestroyed', {
      connectionId: alice.connectionId,
      reason: 'forceDisconnected',
    });
    await mod.waitForEvent('streamDestroyed', { streamId: aliceStream, reason: 'forceDisconnected' });
    await leave(mod, alice, carol);
    expect(browser.offLoopback).toEqual([]);
  }, 90_000);

  it('moderates from the REST API: mute, mute-all and force-disconnect reach the clients', async () => {
    const sessionId = await fx.createSession('relayed');
    const alice = await join(sessionId, 'publisher', { mode: 'proxy' });
    const streamId = await alice.publish('alice');
    const video = vonageVideo(fx);
    await video.muteStream(sessionId, streamId);
    await alice.waitForEvent('publisherMuteForced');
    await video.forceMuteAll(sessionId, []);
    await alice.waitForEvent('sessionMuteForced', { active: true });
    await openTokLive(fx).disableForceMute(sessionId);
    await alice.waitForEvent('sessionMuteForced', { active: false });
    await openTokLive(fx).forceDisconnect(sessionId, alice.connectionId);
    await alice.waitForEvent('sessionDisconnected', { reason: 'forceDisconnected' });
    await leave(alice);
  }, 60_000);

  it('reconnects after the server drops the socket, without connection events, and keeps signalling', async () => {
    const sessionId = await fx.createSession('relayed');
    const alice = await join(sessionId);
    const bob = await join(sessionId);
    expect(fx.harness.app.realtime.gateway.dropSocket(alice.connectionId)).toBe(true);
    await alice.waitForEvent('sessionReconnecting');
    await alice.waitForEvent('sessionReconnected');
    await alice.signal('after', 'reconnect');
    await bob.waitForEvent('signal', { signalType: 'after', from: alice.connectionId });
    await alice.waitForEvent('signal', { signalType: 'after', from: alice.connectionId });
    const bobEvents = await bob.events();
    expect(bobEvents.filter((e) => e.type === 'connectionDestroyed')).toEqual([]);
    expect(
      bobEvents.filter((e) => e.type === 'connectionCreated' && e.connectionId === alice.connectionId),
    ).toHaveLength(1);
    const signals = (await alice.events()).filter((e) => e.type === 'signal' && e.signalType === 'after');
    expect(signals).toHaveLength(1);
    await leave(alice, bob);
  }, 60_000);
});
