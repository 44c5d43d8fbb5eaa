/**
 * Producer taps on the werift engine: a werift client publishes the VP8/Opus fixtures through a real
 * engine on 127.0.0.1, and taps receive its RTP as whole packets, one shared buffer per packet. Then the
 * producer's loss handling on its own (duplicate suppression, NACK generator, REMB estimator).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaStreamTrack, RTCRtpReceiver, RtpHeader, RtpPacket } from 'werift';
import type { Producer, PublisherTransport } from '../types.js';
import { WeriftEngine } from './engine.js';
import { NackGenerator, ReceiverNackGenerators } from './nack-generator.js';
import { WeriftProducer } from './producer.js';
import { PUBLISHER_PAYLOAD_TYPES, TestPublisher } from './testing/werift-clients.js';

async function until(condition: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}

let engine: WeriftEngine;
let client: TestPublisher;
let publisher: PublisherTransport;

function producer(kind: 'audio' | 'video'): Producer {
  const found = publisher.producers.find((p) => p.kind === kind);
  if (!found) throw new Error(`no ${kind} producer`);
  return found;
}

beforeAll(async () => {
  engine = new WeriftEngine();
  const router = await engine.createRouter({ sessionId: 'tap-session' });
  client = new TestPublisher();
  publisher = await router.createPublisherTransport({ streamId: 'tap-stream' });
  const offer = await client.createOffer();
  for (const candidate of client.candidates) await publisher.addRemoteCandidate(candidate);
  await client.setAnswer(await publisher.handleOffer(offer));
  await until(() => publisher.connectionState === 'connected', 'the publisher to connect');
  client.start();
}, 20_000);

afterAll(async () => {
  await client.close();
  engine.close();
});

describe('Producer.tap (werift)', () => {
  it('hands whole RTP packets to every tap, the same buffer to each, until untapped', async () => {
    const video = producer('video');
    const first: Buffer[] = [];
    const second: Buffer[] = [];
    const untapFirst = video.tap((packet) => first.push(packet));
    const untapSecond = video.tap((packet) => second.push(packet));
    await until(() => first.length >= 30, 'tapped video');
    untapFirst();
    const stoppedAt = first.length;
    await until(() => second.length >= stoppedAt + 20, 'more video on the second tap');
    expect(first.length).toBe(stoppedAt);
    untapSecond();

    // The same packet object reaches both taps: nothing is copied per tap.
    expect(second.slice(0, 10).every((packet, i) => packet === first[i])).toBe(true);
    for (const packet of first) {
      expect(packet[0] ?? 0).toBeGreaterThanOrEqual(0x80); // RTP version 2
      expect((packet[1] ?? 0) & 0x7f).toBe(PUBLISHER_PAYLOAD_TYPES.vp8); // as the publisher sent it
    }
    // One SSRC (the publisher's sender picks its own) for the whole track.
    expect(new Set(first.map((packet) => packet.readUInt32BE(8))).size).toBe(1);
    const sequence = first.map((packet) => packet.readUInt16BE(2));
    expect(new Set(sequence).size).toBe(sequence.length);
    const before = video.stats.keyFrameRequests;
    video.requestKeyFrame();
    expect(video.stats.keyFrameRequests).toBe(before + 1);
    await until(() => client.pliCount > 0, 'the PLI at the publisher');
  });

  it('gives taps nothing while the producer is paused, and audio as Opus', async () => {
    const audio = producer('audio');
    const packets: Buffer[] = [];
    const untap = audio.tap((packet) => packets.push(packet));
    await until(() => packets.length >= 10, 'tapped audio');
    expect((packets[0]?.[1] ?? 0) & 0x7f).toBe(PUBLISHER_PAYLOAD_TYPES.opus);
    audio.pause();
    const atPause = packets.length;
    await sleep(300);
    expect(packets.length).toBe(atPause);
    audio.resume();
    await until(() => packets.length >= atPause + 10, 'audio after resume');
    untap();
  });

  it('keeps forwarding when a tap throws, reporting the error', async () => {
    const audio = producer('audio');
    const errors: unknown[] = [];
    const onError = (error: unknown): void => {
      errors.push(error);
    };
    audio.on('listenerError', onError);
    let good = 0;
    const untapBad = audio.tap(() => {
      throw new Error('recorder broke');
    });
    const untapGood = audio.tap(() => good++);
    await until(() => good >= 5, 'packets to the good tap');
    untapBad();
    untapGood();
    audio.off('listenerError', onError);
    expect(errors[0]).toMatchObject({ message: 'recorder broke' });
  });

  it('ends the taps of a closed producer; tapping a closed producer is a no-op', async () => {
    const engine2 = new WeriftEngine();
    const router = await engine2.createRouter({ sessionId: 'closing' });
    const other = new TestPublisher();
    try {
      const transport = await router.createPublisherTransport({ streamId: 'closing-stream' });
      const offer = await other.createOffer();
      for (const candidate of other.candidates) await transport.addRemoteCandidate(candidate);
      await other.setAnswer(await transport.handleOffer(offer));
      await until(() => transport.connectionState === 'connected', 'the second publisher to connect');
      other.start();
      const video = transport.producers.find((p) => p.kind === 'video');
      if (!video) throw new Error('no video producer');
      let count = 0;
      video.tap(() => count++);
      await until(() => count > 5, 'tapped video');
      transport.close();
      const atClose = count;
      await sleep(200);
      expect(count).toBe(atClose);
      expect(video.tap(() => count++)).toBeTypeOf('function');
    } finally {
      await other.close();
      engine2.close();
    }
  });
});

describe('WeriftProducer loss handling (unit)', () => {
  function videoProducer() {
    const track = new MediaStreamTrack({ kind: 'video' });
    const receiver = new RTCRtpReceiver({} as never, 'video', 1234);
    const producer = new WeriftProducer(
      'stream',
      'video',
      { mimeType: 'video/VP8', payloadType: 96, clockRate: 90_000 },
      { track, receiver },
      2_000_000,
    );
    const forwarded: number[] = [];
    producer.addSink({ deliver: (packet) => forwarded.push(packet.header.sequenceNumber) });
    const receive = (sequenceNumber: number): void => {
      const bytes = new RtpPacket(
        new RtpHeader({ payloadType: 96, sequenceNumber, timestamp: sequenceNumber * 3000, ssrc: 99 }),
        Buffer.from([0x10, 0, 0, 0]),
      ).serialize();
      track.onReceiveRtp.execute(RtpPacket.deSerialize(bytes));
    };
    return { producer, receiver, forwarded, receive };
  }

  it('forwards a packet once: a late original or a probing retransmission of it is dropped', () => {
    const { producer, forwarded, receive } = videoProducer();
    receive(10);
    receive(12);
    receive(11); // late, first time: forwarded
    receive(10); // already forwarded
    receive(12);
    expect(forwarded).toEqual([10, 12, 11]);
    expect(producer.stats.packetsIn).toBe(5);
    expect(producer.history?.get(11)?.header.sequenceNumber).toBe(11);
    producer.close();
    expect(producer.history?.get(11)).toBeUndefined();
  });

  it('replaces werift’s NACK handler with the engine’s generator and feeds a REMB estimator', () => {
    const { producer, receiver } = videoProducer();
    const nack = (receiver as unknown as { nack: unknown }).nack;
    expect(nack).toBeInstanceOf(ReceiverNackGenerators);
    // One generator per SSRC, created by the first packet of that SSRC (werift calls `addPacket`).
    const header = new RtpHeader({ payloadType: 96, sequenceNumber: 1, timestamp: 0, ssrc: 99 });
    (nack as ReceiverNackGenerators).addPacket(new RtpPacket(header, Buffer.from([0x10, 0, 0, 0])));
    expect((nack as ReceiverNackGenerators).of(99)).toBeInstanceOf(NackGenerator);
    expect(producer.bitrateEstimator?.currentBitrate()).toBe(2_000_000);
    producer.close();
  });
});
