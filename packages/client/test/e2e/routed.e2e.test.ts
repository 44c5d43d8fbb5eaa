/**
 * The Parley client in headless Chromium against the real reference server, routed sessions: every
 * stream goes through the SFU (werift on 127.0.0.1). Parley-only and mixed Parley/OpenTok.js sessions
 * with decoded media, end-to-end encryption (sessions created with `e2ee=true` through the REST API; the
 * SFU forwards frames it cannot read) and the ICE restart after a reconnection. Nothing may leave
 * 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientE2e, startClientE2e } from './support/client-fixture.js';
import type { ParleyParticipant } from './support/parley-participant.js';

let e2e: ClientE2e;

beforeAll(async () => {
  e2e = await startClientE2e({ realtime: { limits: { reconnectGraceMs: 10_000 } } });
}, 90_000);

afterAll(async () => {
  const offLoopback = e2e?.browser.offLoopback;
  await e2e?.close();
  expect(offLoopback).toEqual([]);
});

const routedSession = (e2ee = false) => e2e.createSession({ mediaMode: 'routed', e2ee });

/** Polls until `read` returns a value `accept` takes. */
async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const framesOf = async (participant: ParleyParticipant, streamId: string) =>
  (await participant.call<{ framesDecoded: number } | null>('received', streamId))?.framesDecoded ?? 0;

describe('Parley client, routed session', () => {
  it('publishes through the SFU to another Parley client with decoded video and audio', async () => {
    const sessionId = await routedSession();
    const alice = await e2e.parley(sessionId);
    const bob = await e2e.parley(sessionId);
    try {
      const streamId = await alice.call<string>('publish', { name: 'alice-routed' });
      await bob.waitForEvent('streamCreated', { streamId });
      await bob.call('subscribe', streamId);
      const media = await bob.waitForMedia(streamId);
      expect(media.frameWidth).toBeGreaterThan(0);
      await until(
        () => bob.call<{ audioPackets: number }>('received', streamId),
        (received) => received.audioPackets > 0,
        'audio packets received',
      );

      await alice.call('publishVideo', false);
      await bob.waitForEvent('streamPropertyChanged', { streamId, property: 'hasVideo', value: false });
      await bob.waitForEvent('videoDisabled', { streamId, reason: 'publishVideo' });
      await alice.call('disconnect');
      await bob.waitForEvent('streamDestroyed', { streamId, reason: 'clientDisconnected' });
    } finally {
      await alice.page.close();
      await bob.page.close();
    }
  }, 90_000);

  it('mixes with OpenTok.js both ways through the SFU', async () => {
    const sessionId = await routedSession();
    const ot = await e2e.opentok(sessionId);
    const px = await e2e.parley(sessionId);
    try {
      const otStream = await ot.publish('opentok-routed');
      await px.waitForEvent('streamCreated', { streamId: otStream });
      await px.call('subscribe', otStream);
      expect((await px.waitForMedia(otStream)).frameWidth).toBeGreaterThan(0);

      const pxStream = await px.call<string>('publish', { name: 'parley-routed' });
      await ot.waitForEvent('streamCreated', { streamId: pxStream });
      await ot.subscribe(pxStream);
      expect((await ot.waitForMedia(pxStream)).frameWidth).toBeGreaterThan(0);

      await px.call('signal', 'routed', 'from parley');
      await ot.waitForEvent('signal', { signalType: 'routed', data: 'from parley', from: px.connectionId });
    } finally {
      await ot.page.close();
      await px.page.close();
    }
  }, 90_000);

  it('ICE-restarts the publisher and the subscriber after a reconnection, and media keeps flowing', async () => {
    const sessionId = await routedSession();
    const alice = await e2e.parley(sessionId);
    const bob = await e2e.parley(sessionId);
    try {
      const streamId = await alice.call<string>('publish', { name: 'alice-restart' });
      await bob.waitForEvent('streamCreated', { streamId });
      await bob.call('subscribe', streamId);
      await bob.waitForMedia(streamId);
      const publisherUfrag = await alice.call<string | null>('localUfrag');
      const subscriberUfrag = await bob.call<string | null>('localUfrag', streamId);
      expect(publisherUfrag).toEqual(expect.any(String));
      expect(subscriberUfrag).toEqual(expect.any(String));

      const gateway = e2e.fx.harness.app.realtime.gateway;
      expect(gateway.dropSocket(alice.connectionId)).toBe(true);
      expect(gateway.dropSocket(bob.connectionId)).toBe(true);
      for (const p of [alice, bob]) await p.waitForEvent('sessionReconnected');

      // New ICE credentials on both legs: the restart offers were answered by the SFU and applied.
      await until(
        () => alice.call<string | null>('localUfrag'),
        (u) => u !== publisherUfrag,
        'publisher ufrag',
      );
      await until(
        () => bob.call<string | null>('localUfrag', streamId),
        (u) => u !== subscriberUfrag,
        'subscriber ufrag',
      );
      const before = await framesOf(bob, streamId);
      await until(
        () => framesOf(bob, streamId),
        (frames) => frames > before + 10,
        'frames after the restart',
      );
      expect((await bob.events()).filter((event) => event.type === 'streamDestroyed')).toEqual([]);
    } finally {
      await alice.page.close();
      await bob.page.close();
    }
  }, 90_000);
});

describe('end-to-end encryption (routed)', () => {
  it('delivers media between clients with the same secret and reports a mismatch to one with another', async () => {
    const sessionId = await routedSession(true);
    const alice = await e2e.parley(sessionId, 'publisher', 'the right secret');
    const bob = await e2e.parley(sessionId, 'publisher', 'the right secret');
    const eve = await e2e.parley(sessionId, 'publisher', 'a wrong secret!');
    try {
      const streamId = await alice.call<string>('publish', { name: 'secret-cam' });
      await bob.waitForEvent('streamCreated', { streamId });
      await bob.call('subscribe', streamId);
      expect((await bob.waitForMedia(streamId)).frameWidth).toBeGreaterThan(0);
      await eve.waitForEvent('streamCreated', { streamId });
      await eve.call('subscribe', streamId);
      await eve.waitForEvent('encryptionSecretMismatch', { streamId });
      expect(await framesOf(eve, streamId)).toBe(0);
      expect((await bob.events()).some((event) => event.type === 'encryptionSecretMismatch')).toBe(false);
    } finally {
      for (const p of [alice, bob, eve]) await p.page.close();
    }
  }, 90_000);

  it('refuses to publish in an encrypted session without a secret', async () => {
    const sessionId = await routedSession(true);
    const mallory = await e2e.parley(sessionId);
    try {
      expect(await mallory.call('attempt', 'publish', {})).toMatchObject({
        code: 1500,
        name: 'OT_INVALID_ENCRYPTION_SECRET',
      });
    } finally {
      await mallory.page.close();
    }
  }, 30_000);
});
