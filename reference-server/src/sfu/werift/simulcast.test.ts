/**
 * Simulcast through the werift engine on 127.0.0.1: a werift client publishes three synthetic VP8 layers
 * (legacy SSRC-group and RID signalling), two werift subscribers prefer different resolutions, and each
 * must receive its own layer, with continuous sequence numbers, also across a layer switch.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { RtpPacket } from 'werift';
import type { Consumer, Router, SubscriberTransport, VideoLayer } from '../types.js';
import { WeriftEngine } from './engine.js';
import { acquireKeyFrameLimiter } from './keyframe-requests.js';
import { vp8KeyFrameSize } from './keyframes.js';
import type { WeriftProducer } from './producer.js';
import {
  SIMULCAST_TEST_LAYERS,
  type SimulcastMode,
  SimulcastTestPublisher,
} from './testing/simulcast-publisher.js';
import { TestSubscriber } from './testing/werift-clients.js';

async function until(condition: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Sequence numbers advance by exactly one (mod 2^16) from each packet to the next. */
function gapsIn(sequenceNumbers: readonly number[]): number {
  let gaps = 0;
  for (let i = 1; i < sequenceNumbers.length; i++) {
    if ((((sequenceNumbers[i] as number) - (sequenceNumbers[i - 1] as number)) & 0xffff) !== 1) gaps++;
  }
  return gaps;
}

/** What one subscriber received: per packet, its sequence number and source layer. */
interface Reception {
  client: TestSubscriber;
  transport: SubscriberTransport;
  video: Consumer;
  sequenceNumbers: number[];
  layers: number[];
  /** Sizes announced by the keyframes received. */
  sizes: string[];
  layerChanges: VideoLayer[];
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function subscribe(
  router: Router,
  producers: readonly WeriftProducer[],
  id: string,
): Promise<Reception> {
  const client = new TestSubscriber();
  cleanups.push(() => client.close());
  const transport = await router.createSubscriberTransport({
    streamId: 'simulcast-stream',
    subscriberId: id,
    producers,
  });
  const video = transport.consumers.find((c) => c.kind === 'video') as Consumer;
  const reception: Reception = {
    client,
    transport,
    video,
    sequenceNumbers: [],
    layers: [],
    sizes: [],
    layerChanges: [],
  };
  video.on('layerchange', (layer) => reception.layerChanges.push(layer));
  client.pc.onTrack.subscribe((track) => {
    track.onReceiveRtp.subscribe((packet) => {
      reception.sequenceNumbers.push(packet.header.sequenceNumber);
      reception.layers.push(packet.payload[packet.payload.length - 1] as number);
      const size = vp8KeyFrameSize(packet.payload);
      if (size) reception.sizes.push(`${size.width}x${size.height}`);
    });
  });
  return reception;
}

async function connect(reception: Reception): Promise<void> {
  const { client, transport } = reception;
  const answer = await client.answer(await transport.createOffer());
  for (const candidate of client.candidates) await transport.addRemoteCandidate(candidate);
  await transport.handleAnswer(answer);
  await until(() => transport.connectionState === 'connected', 'the subscriber to connect');
}

describe.each<SimulcastMode>(['ssrc-group', 'rid'])('simulcast (%s) through the werift engine', (mode) => {
  it('forwards each subscriber its layer, switches on keyframes, repairs layers with RTX, downswitches and pauses under congestion', async () => {
    const engine = new WeriftEngine();
    cleanups.push(() => engine.close());
    const router = await engine.createRouter({ sessionId: `simulcast-${mode}` });
    const publisherClient = new SimulcastTestPublisher(mode);
    cleanups.push(() => publisherClient.close());
    const publisher = await router.createPublisherTransport({ streamId: 'simulcast-stream' });
    const offer = await publisherClient.createOffer();
    for (const candidate of publisherClient.candidates) await publisher.addRemoteCandidate(candidate);
    await publisherClient.setAnswer(await publisher.handleOffer(offer));
    await until(() => publisher.connectionState === 'connected', 'the publisher to connect');
    publisherClient.start();

    const producer = publisher.producers[0] as WeriftProducer;
    expect(publisher.producers).toHaveLength(1);
    // Every layer arrives, is told apart, and is ranked by the size its keyframes announce.
    await until(() => producer.layers.every((layer) => layer.width !== undefined), 'the sizes of all layers');
    expect(producer.layers).toHaveLength(3);
    expect(producer.describeLayers().map((layer) => `${layer.width}x${layer.height}`)).toEqual(
      SIMULCAST_TEST_LAYERS.map((layer) => `${layer.width}x${layer.height}`),
    );
    expect(producer.describeLayers().map((layer) => layer.ssrc)).toEqual(
      SIMULCAST_TEST_LAYERS.map((layer) => layer.ssrc),
    );
    if (mode === 'rid') expect(producer.describeLayers().map((layer) => layer.rid)).toEqual(['q', 'h', 'f']);

    // A recording tap gets one continuous stream: the top layer, from one of its keyframes.
    const tapped: RtpPacket[] = [];
    const untap = producer.tap((packet) => tapped.push(RtpPacket.deSerialize(Buffer.from(packet))));
    await until(() => tapped.length >= 30, 'tapped packets');
    untap();
    expect(new Set(tapped.map((packet) => packet.payload[packet.payload.length - 1]))).toEqual(new Set([2]));
    expect(vp8KeyFrameSize((tapped[0] as RtpPacket).payload)).toEqual({ width: 1280, height: 720 });
    expect(gapsIn(tapped.map((packet) => packet.header.sequenceNumber))).toBe(0);

    const low = await subscribe(router, [producer], 'low');
    const high = await subscribe(router, [producer], 'high');
    low.video.setPreferredLayers({ maxWidth: 320, maxHeight: 240 });
    expect(() => high.video.setPreferredLayers({ maxWidth: -1 })).toThrow(/maxWidth/);
    // No keyframe is asked for before a subscriber is connected: it would pass unseen and hold the
    // layer's 500 ms rate limit (first frames came ~350 ms late). Once connected, the layer is asked.
    const limiters = producer.layers.map((layer) => acquireKeyFrameLimiter(layer));
    cleanups.push(() => {
      for (const held of limiters) held.release();
    });
    const sentBefore = limiters.map((held) => held.limiter.sent + (held.limiter.pending ? 1 : 0));
    await sleep(100);
    expect(limiters.map((held) => held.limiter.sent + (held.limiter.pending ? 1 : 0))).toEqual(sentBefore);
    await connect(low);
    const lowLimiter = (limiters[0] as (typeof limiters)[number]).limiter;
    await until(
      () => lowLimiter.sent > (sentBefore[0] as number),
      'a keyframe request of the low layer',
      1000,
    );
    await connect(high);
    await until(() => low.layers.length >= 40 && high.layers.length >= 60, 'video at both subscribers');

    expect(new Set(low.layers)).toEqual(new Set([0]));
    expect(new Set(high.layers)).toEqual(new Set([2]));
    expect(low.sizes[0]).toBe('320x180'); // each starts on a keyframe of its layer
    expect(high.sizes[0]).toBe('1280x720');
    expect(gapsIn(low.sequenceNumbers)).toBe(0);
    expect(gapsIn(high.sequenceNumbers)).toBe(0);
    expect(low.video.currentLayer).toMatchObject({ index: 0, width: 320, height: 180 });
    expect(high.layerChanges.map((layer) => layer.index)).toEqual([2]);

    // The low subscriber asks for more: it switches on the next keyframe of the top layer, and its
    // sequence numbers continue across the switch.
    const before = low.layers.length;
    low.video.setPreferredLayers({ maxWidth: 1280, maxHeight: 720 });
    await until(() => low.layers.slice(before).filter((layer) => layer === 2).length >= 30, 'the top layer');
    const after = low.layers.slice(before);
    const switchAt = after.indexOf(2);
    expect(after.slice(switchAt).every((layer) => layer === 2)).toBe(true);
    expect(gapsIn(low.sequenceNumbers)).toBe(0);
    expect(low.sizes.at(-1)).toBe('1280x720');
    expect(low.layerChanges.map((layer) => layer.index)).toEqual([0, 2]);
    expect(low.video.stats.packetsOut).toBeGreaterThanOrEqual(low.sequenceNumbers.length - 5);

    // Packets of the top layer that arrive only as the publisher's RTX (on an SSRC that only the
    // repaired rid, or the FID group, ties to the layer) are unwrapped and forwarded: no hole remains.
    const heldFrom = high.sequenceNumbers.length;
    publisherClient.holdBack(4);
    await until(
      () => publisherClient.retransmitted.length >= 4 && high.sequenceNumbers.length >= heldFrom + 40,
      'the retransmissions',
    );
    const received = [...new Set(high.sequenceNumbers)].sort((a, b) => a - b);
    expect(received).toHaveLength(high.sequenceNumbers.length);
    expect(gapsIn(received)).toBe(0);
    // The withheld packets travelled only as RTX; the subscriber has them all (the engine forwarded them
    // without renumbering: this subscriber's offsets are zero since it never switched).
    for (const sequenceNumber of publisherClient.retransmitted) expect(received).toContain(sequenceNumber);

    // Congestion: the high subscriber's REMB falls below the top layer's rate; it drops to the layer that
    // fits at once (on that layer's keyframe), and when not even the lowest fits, video is paused with the
    // congestion hint.
    const congestion: boolean[] = [];
    high.video.on('congestion', (videoEnabled) => congestion.push(videoEnabled));
    const remb = async (bitrate: number, until_: () => boolean, what: string): Promise<void> => {
      const deadline = performance.now() + 8000;
      while (!until_()) {
        if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
        await high.client.sendRemb(bitrate);
        await sleep(200);
      }
    };
    await remb(150_000, () => high.video.currentLayer?.index === 0, 'the downswitch to the low layer');
    expect(high.layerChanges.at(-1)?.index).toBe(0);
    const afterDown = high.layers.length;
    await sleep(300);
    expect(high.layers.slice(afterDown).every((layer) => layer === 0)).toBe(true);
    expect(gapsIn(high.sequenceNumbers.slice(heldFrom + 60))).toBe(0);
    await remb(10_000, () => congestion.length > 0, 'the congestion pause');
    expect(congestion).toEqual([false]);
    expect(high.video.currentLayer).toBeNull();
    const atPause = high.layers.length;
    await sleep(400);
    expect(high.layers.length).toBe(atPause);
  }, 30_000);
});
