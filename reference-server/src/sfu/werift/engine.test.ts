/**
 * werift-to-werift through the engine on 127.0.0.1: a werift client publishes pre-encoded VP8 and Opus,
 * a second one subscribes, and the test checks what arrives.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { RtcpSrPacket } from 'werift';
import { SfuError } from '../errors.js';
import { loadNativeDatapath } from '../native/datapath.js';
import type {
  Consumer,
  EventSource,
  Producer,
  PublisherTransport,
  Router,
  SubscriberTransport,
} from '../types.js';
import { WeriftEngine } from './engine.js';
import { fastRoutingCounters } from './fast-receive.js';
import { PUBLISHER_PAYLOAD_TYPES, TestPublisher, TestSubscriber } from './testing/werift-clients.js';

/** Polls until `condition` holds; fails the test after `timeoutMs`. */
async function until(condition: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Resolves with the arguments of the next `event` of an engine entity. */
function nextEvent<E extends Record<string, unknown[]>, K extends keyof E & string>(
  source: EventSource<E>,
  event: K,
): Promise<E[K]> {
  return new Promise((resolve) => {
    source.once(event, ((...args: E[K]) => resolve(args)) as never);
  });
}

/** Sequence numbers advance by exactly one (mod 2^16) from each packet to the next. */
function gapsIn(sequenceNumbers: readonly number[]): number {
  let gaps = 0;
  for (let i = 1; i < sequenceNumbers.length; i++) {
    if ((((sequenceNumbers[i] as number) - (sequenceNumbers[i - 1] as number)) & 0xffff) !== 1) gaps++;
  }
  return gaps;
}

function udpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
}

interface Call {
  engine: WeriftEngine;
  router: Router;
  publisherClient: TestPublisher;
  publisher: PublisherTransport;
  subscriberClient: TestSubscriber;
  subscriber: SubscriberTransport;
}

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Publishes through the engine and subscribes a second client; everything is closed after the test. */
async function connectCall(options: {
  preferences?: { audio?: boolean; video?: boolean };
  rtx?: boolean;
  datapath: 'native' | 'javascript';
}): Promise<Call> {
  const engine = new WeriftEngine({ publisherMaxBitrate: 1_500_000, datapath: options.datapath });
  expect(engine.datapath).toBe(options.datapath);
  cleanups.push(() => engine.close());
  const router = await engine.createRouter({ sessionId: 'session-1' });

  const publisherClient = new TestPublisher();
  cleanups.push(() => publisherClient.close());
  const publisher = await router.createPublisherTransport({ streamId: 'stream-1' });
  const offer = await publisherClient.createOffer();
  // Trickled before the offer, as OpenTok.js does: the engine must buffer them.
  expect(publisherClient.candidates.length).toBeGreaterThan(0);
  for (const candidate of publisherClient.candidates) await publisher.addRemoteCandidate(candidate);
  const publisherConnected = nextEvent(publisher, 'connectionstatechange');
  await publisherClient.setAnswer(await publisher.handleOffer(offer));
  expect(await publisherConnected).toEqual(['connecting']);
  await until(() => publisher.connectionState === 'connected', 'the publisher to connect');
  publisherClient.start();

  const subscriberClient = new TestSubscriber({ rtx: options.rtx ?? false });
  cleanups.push(() => subscriberClient.close());
  const audioFirst = [...publisher.producers].sort((a) => (a.kind === 'audio' ? -1 : 1));
  const subscriber = await router.createSubscriberTransport({
    streamId: 'stream-1',
    subscriberId: 'subscriber-1',
    producers: audioFirst,
    ...(options.preferences ? { preferences: options.preferences } : {}),
  });
  const answer = await subscriberClient.answer(await subscriber.createOffer());
  await subscriber.handleAnswer(answer);
  for (const candidate of subscriberClient.candidates) await subscriber.addRemoteCandidate(candidate);
  await until(() => subscriber.connectionState === 'connected', 'the subscriber to connect');
  return { engine, router, publisherClient, publisher, subscriberClient, subscriber };
}

function consumerOf(subscriber: SubscriberTransport, kind: 'audio' | 'video'): Consumer {
  const consumer = subscriber.consumers.find((c) => c.kind === kind);
  if (!consumer) throw new Error(`no ${kind} consumer`);
  return consumer;
}

function producerOf(publisher: PublisherTransport, kind: 'audio' | 'video'): Producer {
  const producer = publisher.producers.find((p) => p.kind === kind);
  if (!producer) throw new Error(`no ${kind} producer`);
  return producer;
}

// Every forwarding behaviour on both datapaths: the addon's SRTP and batched sends, and Node's.
describe.each(['native', 'javascript'] as const)(
  'werift engine, werift clients on 127.0.0.1, %s datapath',
  { timeout: 15_000 },
  (datapath) => {
    it('forwards VP8 and Opus with continuous sequence numbers in the subscriber’s payload types', async () => {
      const native = loadNativeDatapath().datapath;
      const before = native?.stats();
      const routedBefore = { ...fastRoutingCounters };
      const { publisher, subscriber, subscriberClient, publisherClient } = await connectCall({ datapath });
      const { video, audio } = subscriberClient.received;
      await until(() => video.packets >= 60 && audio.packets >= 50, 'media at the subscriber');
      // The datapath asked for is the one that carried the media, both ways.
      const after = native?.stats();
      const nativeSent = (after?.sentPackets ?? 0) - (before?.sentPackets ?? 0);
      const nativeDecrypted = (after?.unprotectedPackets ?? 0) - (before?.unprotectedPackets ?? 0);
      if (datapath === 'native') {
        expect(nativeSent).toBeGreaterThanOrEqual(video.packets + audio.packets - 5);
        expect(nativeDecrypted).toBeGreaterThanOrEqual(video.packets + audio.packets);
      } else {
        expect([nativeSent, nativeDecrypted]).toEqual([0, 0]);
      }
      // werift routed each SSRC's first packets (and RTX); every other packet took the fast path.
      const fast = fastRoutingCounters.fast - routedBefore.fast;
      const slow = fastRoutingCounters.werift - routedBefore.werift;
      expect(fast).toBeGreaterThanOrEqual(video.packets + audio.packets - 10);
      expect(slow).toBeLessThanOrEqual(10);

      expect(producerOf(publisher, 'video').codec.mimeType).toBe('video/VP8');
      expect(producerOf(publisher, 'audio').codec.mimeType).toBe('audio/opus');
      expect(gapsIn(video.sequenceNumbers)).toBe(0);
      expect(gapsIn(audio.sequenceNumbers)).toBe(0);

      // The payload types are the subscriber leg's, not the publisher's.
      const videoPt = subscriberClient.negotiatedPayloadType('video');
      expect(video.payloadTypes).toEqual(new Set([videoPt]));
      expect(videoPt).not.toBe(PUBLISHER_PAYLOAD_TYPES.vp8);
      expect(consumerOf(subscriber, 'video').codec).toMatchObject({
        mimeType: 'video/VP8',
        payloadType: videoPt,
      });
      expect(audio.payloadTypes).toEqual(new Set([subscriberClient.negotiatedPayloadType('audio')]));

      // The publisher's header extensions were stripped: the only MID seen is the subscriber leg's own.
      expect([...video.extensions.values()]).toEqual([subscriberClient.mid('video')]);
      expect([...audio.extensions.values()]).toEqual([subscriberClient.mid('audio')]);

      // The engine tells the publisher how much it may send (REMB), rounded down to REMB's precision.
      await until(() => publisherClient.rembBitrate !== undefined, 'a REMB at the publisher');
      expect(Number(publisherClient.rembBitrate)).toBeGreaterThan(1_490_000);
      expect(Number(publisherClient.rembBitrate)).toBeLessThanOrEqual(1_500_000);

      const producerStats = producerOf(publisher, 'video').stats;
      const consumerStats = consumerOf(subscriber, 'video').stats;
      expect(producerStats.packetsIn).toBeGreaterThanOrEqual(consumerStats.packetsOut);
      expect(consumerStats.packetsOut).toBeGreaterThanOrEqual(60);
      expect(consumerStats.bytesOut).toBeGreaterThan(consumerStats.packetsOut * 10);
    });

    it('sends the subscriber sender reports counting the packets and bytes it forwarded', async () => {
      const { subscriber, subscriberClient } = await connectCall({ datapath });
      const receiver = subscriberClient.pc.getTransceivers().find((t) => t.kind === 'video')?.receiver;
      if (!receiver) throw new Error('no video receiver');
      const reports: RtcpSrPacket[] = [];
      receiver.onRtcp.subscribe((rtcp) => {
        if (rtcp instanceof RtcpSrPacket) reports.push(rtcp);
      });
      const { video } = subscriberClient.received;
      await until(() => reports.some((r) => r.senderInfo.packetCount > 20), 'a sender report', 6000);
      const report = reports.find((r) => r.senderInfo.packetCount > 20) as RtcpSrPacket;
      const consumer = consumerOf(subscriber, 'video');
      // Counted up to the report: never more than forwarded, and the bytes are payload bytes.
      expect(report.senderInfo.packetCount).toBeLessThanOrEqual(consumer.stats.packetsOut);
      expect(report.senderInfo.packetCount).toBeLessThanOrEqual(video.packets);
      expect(report.senderInfo.octetCount).toBeGreaterThan(report.senderInfo.packetCount * 10);
      expect(report.senderInfo.octetCount).toBeLessThanOrEqual(consumer.stats.bytesOut);
      // The RTP timestamp is the subscriber leg's (within the range it received), with a current NTP time.
      const ntpSeconds = Number(report.senderInfo.ntpTimestamp >> 32n) - 2_208_988_800;
      expect(Math.abs(ntpSeconds - Date.now() / 1000)).toBeLessThan(5);
      expect(video.timestamps).toContain(report.senderInfo.rtpTimestamp);
    });

    it('asks the publisher for a keyframe when a subscriber connects and forwards the subscriber’s PLIs', async () => {
      const { publisherClient, subscriberClient, publisher } = await connectCall({ datapath });
      await until(() => publisherClient.pliCount >= 1, 'a PLI at the publisher on subscribe');
      await until(() => subscriberClient.received.video.packets > 0, 'video at the subscriber');

      const before = publisherClient.pliCount;
      await sleep(150); // past the engine's keyframe-request coalescing window
      await subscriberClient.requestKeyFrame();
      await until(() => publisherClient.pliCount > before, 'the subscriber’s PLI at the publisher');
      expect(producerOf(publisher, 'video').stats.keyFrameRequests).toBeGreaterThanOrEqual(2);
    });

    it('answers a subscriber’s NACK with an RTX retransmission of the packet, and ignores unknown ones', async () => {
      const { subscriber, subscriberClient } = await connectCall({ rtx: true, datapath });
      const { video } = subscriberClient.received;
      await until(() => video.packets >= 30, 'video at the subscriber');
      const consumer = consumerOf(subscriber, 'video');
      const lost = video.sequenceNumbers.at(-5) as number;
      const neverSent = ((video.sequenceNumbers.at(-1) as number) + 5000) & 0xffff;
      await subscriberClient.sendNack([lost, neverSent]);
      // werift's receiver unwraps the RTX packet: the same sequence number arrives a second time.
      await until(
        () => video.sequenceNumbers.filter((seq) => seq === lost).length === 2,
        'the retransmission',
      );
      expect(consumer.stats.packetsRetransmitted).toBe(1);
      const negotiated = subscriberClient.pc.getTransceivers().find((t) => t.kind === 'video')?.codecs ?? [];
      expect(negotiated.map((c) => c.mimeType.toLowerCase())).toContain('video/rtx');
      expect(video.payloadTypes).toEqual(new Set([subscriberClient.negotiatedPayloadType('video')]));
    });

    it('lowers the publisher’s REMB when a subscriber announces a low REMB', async () => {
      const { publisherClient, subscriberClient } = await connectCall({ datapath });
      await until(() => subscriberClient.received.video.packets > 0, 'video at the subscriber');
      await until(() => publisherClient.rembBitrate !== undefined, 'a REMB at the publisher');
      expect(Number(publisherClient.rembBitrate)).toBeGreaterThan(1_490_000);
      // Chrome repeats its REMB about once a second; every 300 ms here to keep the test short.
      const timer = setInterval(() => void subscriberClient.sendRemb(300_000).catch(() => undefined), 300);
      cleanups.push(() => clearInterval(timer));
      await until(
        () => Number(publisherClient.rembBitrate) < 1_000_000,
        'a lower REMB at the publisher',
        6000,
      );
      await until(
        () => Number(publisherClient.rembBitrate) < 400_000,
        'the REMB near the subscriber’s',
        8000,
      );
      expect(Number(publisherClient.rembBitrate)).toBeGreaterThanOrEqual(299_000);
    });

    it('stops forwarding while a consumer is paused and resumes with continuous sequence numbers', async () => {
      const { subscriber, subscriberClient } = await connectCall({ datapath });
      const { video } = subscriberClient.received;
      await until(() => video.packets >= 20, 'video at the subscriber');
      const consumer = consumerOf(subscriber, 'video');

      consumer.pause();
      await sleep(100); // let in-flight packets land
      const whilePaused = video.packets;
      await sleep(400);
      expect(video.packets).toBe(whilePaused);
      expect(consumer.stats.packetsDropped).toBeGreaterThan(0);

      consumer.resume();
      await until(() => video.packets >= whilePaused + 20, 'video after resume');
      expect(gapsIn(video.sequenceNumbers)).toBe(0);
    });

    it('a forced mute (producer pause) stops the audio reaching every subscriber', async () => {
      const { publisher, subscriber, subscriberClient } = await connectCall({ datapath });
      const { audio, video } = subscriberClient.received;
      await until(() => audio.packets >= 20, 'audio at the subscriber');
      const producer = producerOf(publisher, 'audio');
      const consumer = consumerOf(subscriber, 'audio');
      const events: string[] = [];
      consumer.on('producerpause', () => events.push('producerpause'));
      consumer.on('producerresume', () => events.push('producerresume'));

      producer.pause();
      expect(consumer.producerPaused).toBe(true);
      await sleep(100);
      const whileMuted = audio.packets;
      const videoBefore = video.packets;
      await sleep(400);
      expect(audio.packets).toBe(whileMuted);
      expect(video.packets).toBeGreaterThan(videoBefore); // video is unaffected

      producer.resume();
      await until(() => audio.packets >= whileMuted + 10, 'audio after unmute');
      expect(gapsIn(audio.sequenceNumbers)).toBe(0);
      expect(events).toEqual(['producerpause', 'producerresume']);
    });

    it('starts consumers paused according to the subscriber’s preferences', async () => {
      const { subscriber, subscriberClient } = await connectCall({ preferences: { video: false }, datapath });
      await until(() => subscriberClient.received.audio.packets >= 20, 'audio at the subscriber');
      expect(consumerOf(subscriber, 'video').paused).toBe(true);
      expect(subscriberClient.received.video.packets).toBe(0);
    });

    it('answers a subscriber’s ICE-restart offer and keeps forwarding', async () => {
      const { subscriber, subscriberClient } = await connectCall({ datapath });
      const { video } = subscriberClient.received;
      await until(() => video.packets >= 10, 'video at the subscriber');
      const before = subscriberClient.pc.remoteDescription?.sdp.match(/a=ice-ufrag:(\S+)/)?.[1];
      await subscriberClient.pc.setLocalDescription(
        await subscriberClient.pc.createOffer({ iceRestart: true }),
      );
      const answer = await subscriber.handleOffer(subscriberClient.pc.localDescription?.sdp ?? '');
      expect(answer).toMatch(/a=sendonly/);
      expect(answer.match(/a=ice-ufrag:(\S+)/)?.[1]).not.toBe(before);
      await subscriberClient.setRestartAnswer(answer);
      const after = video.packets;
      await until(() => video.packets >= after + 20, 'video after the ICE restart');
    });

    it('cascades close from the router to transports, producers and consumers, and releases the sockets', async () => {
      const socketsBefore = udpSockets();
      const call = await connectCall({ datapath });
      const { router, publisher, subscriber, publisherClient, subscriberClient, engine } = call;
      await until(() => subscriberClient.received.video.packets > 0, 'video at the subscriber');
      const producers = publisher.producers;
      const consumers = subscriber.consumers;
      const log: string[] = [];
      publisher.on('routerclose', () => log.push('publisher routerclose'));
      publisher.on('close', () => log.push('publisher close'));
      subscriber.on('close', () => log.push('subscriber close'));
      producers[0]?.on('transportclose', () => log.push('producer transportclose'));
      consumers[0]?.on('transportclose', () => log.push('consumer transportclose'));
      consumers[0]?.on('producerclose', () => log.push('consumer producerclose'));

      router.close();
      router.close(); // idempotent
      expect(router.closed).toBe(true);
      expect(engine.getRouter('session-1')).toBeUndefined();
      expect(publisher.closed && subscriber.closed).toBe(true);
      expect(producers.every((p) => p.closed)).toBe(true);
      expect(consumers.every((c) => c.closed)).toBe(true);
      expect(log).toContain('publisher routerclose');
      expect(log.indexOf('publisher routerclose')).toBeLessThan(log.indexOf('publisher close'));
      expect(log).toContain('producer transportclose');
      expect(log).toContain('subscriber close');
      // A consumer closes once, whichever parent closed first.
      expect(log.filter((e) => e.startsWith('consumer')).length).toBe(1);
      await expect(publisher.handleOffer('v=0')).rejects.toMatchObject({ code: 'INVALID_STATE' });

      await publisherClient.close();
      await subscriberClient.close();
      await until(() => udpSockets() <= socketsBefore, 'the UDP sockets to close', 3000);
    });

    it('closing a producer closes its consumers but not the transports', async () => {
      const { publisher, subscriber, subscriberClient } = await connectCall({ datapath });
      await until(() => subscriberClient.received.video.packets > 0, 'video at the subscriber');
      const video = consumerOf(subscriber, 'video');
      const closed = nextEvent(video, 'producerclose');
      producerOf(publisher, 'video').close();
      await closed;
      expect(video.closed).toBe(true);
      expect(subscriber.consumers.map((c) => c.kind)).toEqual(['audio']);
      expect(publisher.producers.map((p) => p.kind)).toEqual(['audio']);
      expect(subscriber.closed || publisher.closed).toBe(false);
    });
  },
);

describe('werift engine, argument and state errors', () => {
  it('rejects bad input with an SfuError naming the field', async () => {
    const engine = new WeriftEngine();
    cleanups.push(() => engine.close());
    await expect(engine.createRouter({ sessionId: '' })).rejects.toThrow(/sessionId/);
    const router = await engine.createRouter({ sessionId: 's' });
    await expect(engine.createRouter({ sessionId: 's' })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(
      router.createSubscriberTransport({ streamId: 'x', subscriberId: 'y', producers: [] }),
    ).rejects.toThrow(/producers must be a non-empty array/);
    const publisher = await router.createPublisherTransport({ streamId: 'x' });
    await expect(publisher.handleOffer('hello')).rejects.toMatchObject({ code: 'INVALID_SDP' });
    await expect(publisher.addRemoteCandidate({ candidate: 'nonsense' })).rejects.toBeInstanceOf(SfuError);
    expect(() => new WeriftEngine({ listenIps: ['::1'] })).toThrow(/listenIps\[0\]/);
  });

  it('rejects an offer with no supported codec', async () => {
    const engine = new WeriftEngine();
    cleanups.push(() => engine.close());
    const router = await engine.createRouter({ sessionId: 's' });
    const publisher = await router.createPublisherTransport({ streamId: 'x' });
    const client = new TestPublisher();
    cleanups.push(() => client.close());
    const offer = (await client.createOffer())
      .replace(/VP8\/90000/g, 'VP9/90000')
      .replace(/opus\/48000\/2/g, 'ISAC/16000');
    await expect(publisher.handleOffer(offer)).rejects.toMatchObject({ code: 'UNSUPPORTED_CODEC' });
  });
});
