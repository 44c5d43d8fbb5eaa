/**
 * The worker-pool engine with real worker processes and werift clients on 127.0.0.1: media flows through
 * a worker, the mirrors follow the worker's tree, sessions spread over workers, and a killed worker takes
 * only its own sessions down and is replaced.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Router, VideoLayer } from '../types.js';
import { SimulcastTestPublisher } from '../werift/testing/simulcast-publisher.js';
import { TestPublisher, TestSubscriber } from '../werift/testing/werift-clients.js';
import { WorkerPoolEngine } from './pool-engine.js';

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}

const clients: { close(): Promise<void> }[] = [];

/** Publishes and subscribes one werift client pair in `router`. */
async function call(router: Router, streamId: string) {
  const publisherClient = new TestPublisher();
  clients.push(publisherClient);
  const publisher = await router.createPublisherTransport({ streamId });
  const offer = await publisherClient.createOffer();
  for (const candidate of publisherClient.candidates) await publisher.addRemoteCandidate(candidate);
  await publisherClient.setAnswer(await publisher.handleOffer(offer));
  expect(publisher.producers.map((p) => p.kind).sort()).toEqual(['audio', 'video']);
  await until(() => publisher.connectionState === 'connected', 'the publisher to connect');
  publisherClient.start();

  const subscriberClient = new TestSubscriber();
  clients.push(subscriberClient);
  const subscriber = await router.createSubscriberTransport({
    streamId,
    subscriberId: `${streamId}-sub`,
    producers: publisher.producers,
  });
  await subscriber.handleAnswer(await subscriberClient.answer(await subscriber.createOffer()));
  for (const candidate of subscriberClient.candidates) await subscriber.addRemoteCandidate(candidate);
  await until(() => subscriber.connectionState === 'connected', 'the subscriber to connect');
  return { publisher, subscriber, subscriberClient };
}

describe('worker-pool engine', { timeout: 40_000 }, () => {
  let engine: WorkerPoolEngine;
  beforeAll(async () => {
    engine = new WorkerPoolEngine({ workers: 2, statsIntervalMs: 200, simulcast: true });
    await engine.ready();
  }, 30_000);
  afterAll(async () => {
    for (const client of clients.splice(0)) await client.close();
    await engine.closeAndWait();
  });

  it('carries simulcast preferences to the worker and its layer changes back', async () => {
    expect(engine.simulcast).toBe(true);
    const router = await engine.createRouter({ sessionId: 'pool-simulcast' });
    const publisherClient = new SimulcastTestPublisher('rid');
    clients.push(publisherClient);
    const publisher = await router.createPublisherTransport({ streamId: 'layers' });
    const offer = await publisherClient.createOffer();
    for (const candidate of publisherClient.candidates) await publisher.addRemoteCandidate(candidate);
    await publisherClient.setAnswer(await publisher.handleOffer(offer));
    await until(() => publisher.connectionState === 'connected', 'the publisher to connect');
    publisherClient.start();

    const subscriberClient = new TestSubscriber();
    clients.push(subscriberClient);
    const subscriber = await router.createSubscriberTransport({
      streamId: 'layers',
      subscriberId: 'layers-sub',
      producers: publisher.producers,
    });
    const video = subscriber.consumers[0];
    if (!video) throw new Error('no video consumer');
    const changes: VideoLayer[] = [];
    video.on('layerchange', (layer) => changes.push(layer));
    video.setPreferredLayers({ maxWidth: 640, maxHeight: 360 });
    expect(() => video.setPreferredLayers({ maxFrameRate: 0 })).toThrow(/maxFrameRate/);
    await subscriber.handleAnswer(await subscriberClient.answer(await subscriber.createOffer()));
    for (const candidate of subscriberClient.candidates) await subscriber.addRemoteCandidate(candidate);
    await until(() => changes.some((layer) => layer.width === 640), 'the middle layer');
    expect(video.currentLayer).toMatchObject({ index: 1, width: 640, height: 360 });
    video.setPreferredLayers({});
    await until(() => video.currentLayer?.width === 1280, 'the top layer');
    // The mirror heard each switch (the first may precede the layers' sizes being known).
    expect(changes.at(-1)).toMatchObject({ index: 2, width: 1280 });
    router.close();
    await until(() => engine.getRouter('pool-simulcast') === undefined, 'the router to close');
  });

  it('rejects bad options naming the field', () => {
    expect(() => new WorkerPoolEngine({ workers: 0 })).toThrow(/workers/);
    expect(() => new WorkerPoolEngine({ statsIntervalMs: 1 })).toThrow(/statsIntervalMs/);
    expect(() => new WorkerPoolEngine({ listenIps: ['::1'] })).toThrow(/listenIps\[0\]/);
  });

  it('forwards media through a worker and mirrors its tree, counters and pause state', async () => {
    const router = await engine.createRouter({ sessionId: 'pool-a' });
    expect(engine.getRouter('pool-a')).toBe(router);
    await expect(engine.createRouter({ sessionId: 'pool-a' })).rejects.toMatchObject({
      code: 'INVALID_STATE',
    });
    const { publisher, subscriber, subscriberClient } = await call(router, 'stream-a');
    const { video, audio } = subscriberClient.received;
    await until(() => video.packets >= 30 && audio.packets >= 30, 'media at the subscriber');

    await engine.sampleWorkers();
    const consumer = subscriber.consumers.find((c) => c.kind === 'audio');
    const producer = publisher.producers.find((p) => p.kind === 'audio');
    if (!consumer || !producer) throw new Error('no audio consumer or producer');
    expect(consumer.stats.packetsOut).toBeGreaterThanOrEqual(30);
    expect(producer.stats.packetsIn).toBeGreaterThanOrEqual(consumer.stats.packetsOut);

    // Pause takes effect on the mirrors at once and on the worker right after.
    const events: string[] = [];
    consumer.on('producerpause', () => events.push('producerpause'));
    producer.pause();
    expect(consumer.producerPaused).toBe(true);
    await sleep(150);
    const whileMuted = audio.packets;
    await sleep(300);
    expect(audio.packets).toBe(whileMuted);
    producer.resume();
    await until(() => audio.packets >= whileMuted + 10, 'audio after unmute');
    expect(events).toEqual(['producerpause']);

    // Closing the router cascades through the mirrors, each closing once.
    const log: string[] = [];
    publisher.on('routerclose', () => log.push('publisher routerclose'));
    consumer.on('close', () => log.push('consumer close'));
    router.close();
    expect(publisher.closed && subscriber.closed && producer.closed && consumer.closed).toBe(true);
    expect(engine.getRouter('pool-a')).toBeUndefined();
    await sleep(200); // the worker's own close events arrive and are ignored
    expect(log).toEqual(['publisher routerclose', 'consumer close']);
    await expect(publisher.handleOffer('v=0')).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('taps a producer across the IPC channel only while a tap exists, and not while paused', async () => {
    const router = await engine.createRouter({ sessionId: 'pool-tap' });
    const { publisher, subscriberClient } = await call(router, 'stream-tap');
    const video = publisher.producers.find((p) => p.kind === 'video');
    const audio = publisher.producers.find((p) => p.kind === 'audio');
    if (!video || !audio) throw new Error('no producers');
    const first: Buffer[] = [];
    const second: Buffer[] = [];
    const untapFirst = video.tap((packet) => first.push(Buffer.from(packet)));
    const untapSecond = video.tap((packet) => second.push(packet));
    await until(() => first.length >= 30, 'tapped video from the worker');
    expect(first.every((p) => p[0] === 0x80 || p[0] === 0x90)).toBe(true); // RTP v2, with or without extensions
    expect(new Set(first.map((p) => p.readUInt32BE(8))).size).toBe(1);
    // Both taps see every packet (the worker sends each once; the parent fans out).
    await until(() => second.length >= first.length, 'the second tap to catch up');
    untapFirst();
    expect(first.length).toBeGreaterThan(0);
    untapSecond();
    const worker = (router as unknown as { worker: { tappedPackets: number } }).worker;
    await sleep(200); // what was already in the channel arrives
    const crossed = worker.tappedPackets;
    await sleep(300);
    expect(worker.tappedPackets).toBe(crossed); // nothing crosses the channel without a tap

    const tapped: Buffer[] = [];
    const untapAudio = audio.tap((packet) => tapped.push(packet));
    await until(() => tapped.length >= 10, 'tapped audio');
    audio.pause();
    await sleep(150);
    const atPause = tapped.length;
    await sleep(300);
    expect(tapped.length).toBe(atPause);
    audio.resume();
    await until(() => tapped.length >= atPause + 10, 'tapped audio after resume');
    untapAudio();
    // Forwarding to the subscriber went on throughout.
    expect(subscriberClient.received.video.packets).toBeGreaterThan(30);
    router.close();
  });

  it('places sessions on the least-loaded worker; a killed worker closes only its sessions and is replaced', async () => {
    const first = await engine.createRouter({ sessionId: 'pool-b' });
    const b = await call(first, 'stream-b');
    const second = await engine.createRouter({ sessionId: 'pool-c' });
    const c = await call(second, 'stream-c');
    const pids = await engine.sampleWorkers();
    expect(pids.every((w) => w.transports === 2)).toBe(true); // one session on each worker

    const victim = pids.find((w) => w.pid === (first as unknown as { worker: { pid: number } }).worker.pid);
    if (!victim) throw new Error('no worker for pool-b');
    const log: string[] = [];
    first.on('workerclose', () => log.push('workerclose'));
    first.on('close', () => log.push('close'));
    b.publisher.on('routerclose', () => log.push('publisher routerclose'));
    const replaced = new Promise<number>((resolve) =>
      engine.once('workerready', (_slot, pid) => resolve(pid)),
    );
    engine.killWorker(victim.slot);

    await until(() => first.closed, 'the router of the killed worker to close');
    expect(log).toEqual(['workerclose', 'publisher routerclose', 'close']);
    expect(b.subscriber.closed).toBe(true);
    expect(engine.getRouter('pool-b')).toBeUndefined();
    await expect(b.publisher.addRemoteCandidate(null)).rejects.toMatchObject({ code: 'INVALID_STATE' });

    // The other session keeps forwarding.
    expect(second.closed).toBe(false);
    const before = c.subscriberClient.received.video.packets;
    await until(
      () => c.subscriberClient.received.video.packets >= before + 15,
      'video on the surviving worker',
    );

    const newPid = await replaced;
    expect(newPid).not.toBe(victim.pid);
    expect(engine.workers.map((w) => w.slot).sort()).toEqual([0, 1]);
    // The session can be re-created, on the new (emptiest) worker.
    const again = await engine.createRouter({ sessionId: 'pool-b' });
    expect((again as unknown as { worker: { pid: number } }).worker.pid).toBe(newPid);
    again.close();
    second.close();
  });
});
