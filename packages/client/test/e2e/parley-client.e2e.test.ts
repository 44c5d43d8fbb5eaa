/**
 * The Parley client in headless Chromium against the real reference server (`buildApp`, in process, on
 * 127.0.0.1), relayed (peer-to-peer) sessions: Parley-only sessions, mixed sessions with the official
 * OpenTok.js client in both directions, signals, moderation, errors and reconnection. Routed sessions
 * and end-to-end encryption are in `routed.e2e.test.ts`. Nothing may leave 127.0.0.1. The OpenTok.js
 * side uses the reference server's own browser harness.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientE2e, startClientE2e } from './support/client-fixture.js';
import { ParleyParticipant } from './support/parley-participant.js';

let e2e: ClientE2e;

beforeAll(async () => {
  e2e = await startClientE2e({ realtime: { limits: { reconnectGraceMs: 10_000 } } });
}, 90_000);

afterAll(async () => {
  const offLoopback = e2e?.browser.offLoopback;
  await e2e?.close();
  expect(offLoopback).toEqual([]);
});

const relayedSession = () => e2e.createSession({ mediaMode: 'relayed' });
const parley = (...args: Parameters<ClientE2e['parley']>) => e2e.parley(...args);
const opentok = (...args: Parameters<ClientE2e['opentok']>) => e2e.opentok(...args);

describe('Parley client, relayed session', () => {
  it('publishes and subscribes between two Parley clients with decoded media, signals and property changes', async () => {
    const sessionId = await relayedSession();
    const alice = await parley(sessionId);
    const bob = await parley(sessionId);
    await alice.waitForEvent('connectionCreated', { connectionId: bob.connectionId });
    expect(await bob.call('capabilities')).toMatchObject({ publish: 1, subscribe: 1, forceDisconnect: 0 });

    const streamId = await alice.call<string>('publish', { name: 'alice-cam' });
    await bob.waitForEvent('streamCreated', { streamId });
    await bob.call('subscribe', streamId);
    const media = await bob.waitForMedia(streamId);
    expect(media.frameWidth).toBeGreaterThan(0);

    await alice.call('signal', 'chat', 'hello all');
    for (const p of [alice, bob])
      await p.waitForEvent('signal', { signalType: 'chat', data: 'hello all', from: alice.connectionId });
    await bob.call('signal', 'dm', 'just you', alice.connectionId);
    await alice.waitForEvent('signal', { signalType: 'dm', from: bob.connectionId });

    await alice.call('publishVideo', false);
    await bob.waitForEvent('streamPropertyChanged', { streamId, property: 'hasVideo', value: false });
    await bob.waitForEvent('videoDisabled', { streamId, reason: 'publishVideo' });

    await alice.call('disconnect');
    await bob.waitForEvent('connectionDestroyed', {
      connectionId: alice.connectionId,
      reason: 'clientDisconnected',
    });
    await bob.waitForEvent('streamDestroyed', { streamId, reason: 'clientDisconnected' });
    await alice.page.close();
    await bob.page.close();
  }, 60_000);

  it('mixes with OpenTok.js both ways: media, signals and events', async () => {
    const sessionId = await relayedSession();
    const ot = await opentok(sessionId);
    const px = await parley(sessionId);
    await ot.waitForEvent('connectionCreated', { connectionId: px.connectionId });
    await px.waitForEvent('connectionCreated', { connectionId: ot.connectionId });

    // OpenTok.js publishes, Parley receives.
    const otStream = await ot.publish('opentok-cam');
    await px.waitForEvent('streamCreated', { streamId: otStream });
    await px.call('subscribe', otStream);
    expect((await px.waitForMedia(otStream)).frameWidth).toBeGreaterThan(0);

    // Parley publishes, OpenTok.js receives.
    const pxStream = await px.call<string>('publish', { name: 'parley-cam' });
    await ot.waitForEvent('streamCreated', { streamId: pxStream });
    await ot.subscribe(pxStream);
    expect((await ot.waitForMedia(pxStream)).frameWidth).toBeGreaterThan(0);

    await px.call('signal', 'chat', 'from parley');
    await ot.waitForEvent('signal', { signalType: 'chat', data: 'from parley', from: px.connectionId });
    await ot.signal('chat', 'from opentok', px.connectionId);
    await px.waitForEvent('signal', { signalType: 'chat', data: 'from opentok', from: ot.connectionId });

    await px.call('publishAudio', false);
    await ot.waitForEvent('streamPropertyChanged', { streamId: pxStream });
    await ot.page.close();
    await px.waitForEvent('connectionDestroyed', { connectionId: ot.connectionId });
    await px.page.close();
  }, 90_000);

  it('moderates: force mute, force unpublish and force disconnect, with permission errors for non-moderators', async () => {
    const sessionId = await relayedSession();
    const moderator = await parley(sessionId, 'moderator');
    const alice = await parley(sessionId);
    const ot = await opentok(sessionId);
    expect(await alice.call('attempt', 'forceDisconnect', moderator.connectionId)).toMatchObject({
      code: 1520,
    });
    expect(await alice.call('attempt', 'forceUnpublish', 'x')).toMatchObject({ code: 1530 });

    const otStream = await ot.publish('ot');
    await moderator.waitForEvent('streamCreated', { streamId: otStream });
    expect(await moderator.call('attempt', 'forceMuteStream', otStream)).toBeNull();
    await ot.waitForEvent('publisherMuteForced', { streamId: otStream });

    const aliceStream = await alice.call<string>('publish', { name: 'alice' });
    await moderator.waitForEvent('streamCreated', { streamId: aliceStream });
    expect(await moderator.call('attempt', 'forceMuteAll', [])).toBeNull();
    await alice.waitForEvent('muteForced', { active: true });
    await alice.waitForEvent('publisherMuteForced');
    expect(await alice.call('isPublishingAudio')).toBe(false);

    expect(await moderator.call('attempt', 'forceUnpublish', aliceStream)).toBeNull();
    await alice.waitForEvent('publisherStreamDestroyed', { reason: 'forceUnpublished' });
    await moderator.waitForEvent('streamDestroyed', { streamId: aliceStream, reason: 'forceUnpublished' });

    expect(await moderator.call('attempt', 'forceDisconnect', alice.connectionId)).toBeNull();
    await alice.waitForEvent('sessionDisconnected', { reason: 'forceDisconnected' });
    await moderator.waitForEvent('connectionDestroyed', {
      connectionId: alice.connectionId,
      reason: 'forceDisconnected',
    });
    for (const p of [moderator, alice, ot]) await p.page.close();
  }, 90_000);

  it('reports bad tokens and unknown sessions with the OpenTok.js codes', async () => {
    const sessionId = await relayedSession();
    const page = await ParleyParticipant.open(e2e.browser.context, e2e.pages);
    expect(await page.connectError(e2e.fx.baseUrl, e2e.projectId(), sessionId, 'not-a-token')).toMatchObject({
      code: 1004,
      name: 'OT_AUTHENTICATION_ERROR',
    });
    const other = await relayedSession();
    expect(
      await page.connectError(e2e.fx.baseUrl, e2e.projectId(), sessionId, e2e.fx.token(other)),
    ).toMatchObject({
      code: 1004,
    });
    await page.page.close();
  }, 30_000);

  it('reconnects after the server drops its socket and keeps signalling', async () => {
    const sessionId = await relayedSession();
    const alice = await parley(sessionId);
    const bob = await opentok(sessionId);
    expect(e2e.fx.harness.app.realtime.gateway.dropSocket(alice.connectionId)).toBe(true);
    await alice.waitForEvent('sessionReconnecting');
    await alice.waitForEvent('sessionReconnected');
    await alice.call('signal', 'after', 'reconnect');
    await bob.waitForEvent('signal', { signalType: 'after', from: alice.connectionId });
    expect((await bob.events()).filter((event) => event.type === 'connectionDestroyed')).toEqual([]);
    await alice.page.close();
    await bob.page.close();
  }, 60_000);
});
