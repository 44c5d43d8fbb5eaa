import { createSocket, type Socket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  candidatesToPort,
  firstCandidatePort,
  LossyUdpRelay,
  replaceCandidates,
  seededRandom,
} from './lossy-relay.js';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function socket(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  closers.push(() => s.close());
  return s;
}

/** Sends `count` numbered datagrams from `peer` through the relay to `engine`; returns what arrived. */
async function sendThrough(options: { lossRate: number; jitterMs: number; seed: number; reorder?: boolean }) {
  const relay = await LossyUdpRelay.open(options);
  closers.push(() => relay.close());
  const peer = await socket();
  const engine = await socket();
  relay.setEnginePort(engine.address().port);
  const arrived: number[] = [];
  engine.on('message', (message) => arrived.push(message.readUInt32BE(0)));
  for (let i = 0; i < 400; i++) {
    const datagram = Buffer.alloc(4);
    datagram.writeUInt32BE(i);
    peer.send(datagram, relay.peerFacingPort, '127.0.0.1');
    if (i % 50 === 49) await sleep(5);
  }
  const deadline = performance.now() + 3000;
  while (relay.upstream.forwarded + relay.upstream.dropped < 400 && performance.now() < deadline)
    await sleep(10);
  await sleep(options.jitterMs + 20);
  return { relay, arrived, peer, engine };
}

describe('LossyUdpRelay', () => {
  it('drops about the configured share, the same datagrams for the same seed, and keeps order by default', async () => {
    const first = await sendThrough({ lossRate: 0.05, jitterMs: 20, seed: 42 });
    const second = await sendThrough({ lossRate: 0.05, jitterMs: 20, seed: 42 });
    expect(first.relay.upstream.dropped).toBeGreaterThan(5);
    expect(first.relay.upstream.dropped).toBeLessThan(45);
    expect(second.arrived).toEqual(first.arrived);
    expect(first.arrived).toEqual([...first.arrived].sort((a, b) => a - b));
    expect(first.arrived.length + first.relay.upstream.dropped).toBe(400);
  });

  it('relays the engine’s replies to the peer’s address', async () => {
    const { relay, peer, engine } = await sendThrough({ lossRate: 0, jitterMs: 0, seed: 1 });
    const replies: string[] = [];
    peer.on('message', (message) => replies.push(message.toString()));
    engine.send(Buffer.from('pong'), relay.engineFacingPort, '127.0.0.1');
    const deadline = performance.now() + 2000;
    while (replies.length === 0 && performance.now() < deadline) await sleep(10);
    expect(replies).toEqual(['pong']);
  });

  it('carries a direction at its rate limit, drops what overflows the queue, and lifts the limit', async () => {
    const relay = await LossyUdpRelay.open({ lossRate: 0, jitterMs: 0, seed: 1 });
    closers.push(() => relay.close());
    const peer = await socket();
    const engine = await socket();
    relay.setEnginePort(engine.address().port);
    const arrivals: { index: number; at: number }[] = [];
    engine.on('message', (message) =>
      arrivals.push({ index: message.readUInt32BE(0), at: performance.now() }),
    );
    // 200-byte datagrams (small: a burst must fit the sockets' buffers) on a 1.6 Mbps link: 1 ms each; the
    // queue holds 20 ms of them.
    relay.setRateLimit('upstream', { bitsPerSecond: 1_600_000, maxQueueMs: 20 });
    const burst = async (from: number, count: number): Promise<void> => {
      for (let i = from; i < from + count; i++) {
        const datagram = Buffer.alloc(200);
        datagram.writeUInt32BE(i);
        peer.send(datagram, relay.peerFacingPort, '127.0.0.1');
      }
      const deadline = performance.now() + 3000;
      while (relay.upstream.received < from + count && performance.now() < deadline) await sleep(10);
      await sleep(100);
    };
    await burst(0, 100);
    const limited = arrivals.splice(0);
    expect(relay.upstream.received).toBe(100);
    expect(relay.upstream.overflowed).toBeGreaterThan(0);
    expect(relay.upstream.dropped).toBe(relay.upstream.overflowed);
    expect(limited.length).toBe(relay.upstream.forwarded);
    expect(limited.length + relay.upstream.overflowed).toBe(100);
    // At least the queue's worth got through, in order, paced at 1 ms each (never faster).
    expect(limited.length).toBeGreaterThanOrEqual(20);
    expect(limited.map((a) => a.index)).toEqual([...limited.map((a) => a.index)].sort((a, b) => a - b));
    const span = (limited.at(-1)?.at ?? 0) - (limited[0]?.at ?? 0);
    expect(span).toBeGreaterThanOrEqual(limited.length - 3);

    relay.setRateLimit('upstream', undefined);
    await burst(100, 100);
    expect(arrivals).toHaveLength(100);
    expect(relay.upstream.overflowed).toBe(100 - limited.length);
    expect(() => relay.setRateLimit('downstream', { bitsPerSecond: 0, maxQueueMs: 10 })).toThrow(
      /bitsPerSecond/,
    );
    expect(() => relay.setRateLimit('downstream', { bitsPerSecond: 1, maxQueueMs: -1 })).toThrow(
      /maxQueueMs/,
    );
  });

  it('rewrites SDP candidates toward the relay', () => {
    const engineSdp = 'v=0\r\na=mid:0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\n';
    expect(firstCandidatePort(engineSdp)).toBe(40000);
    expect(candidatesToPort(engineSdp, 5555)).toContain('127.0.0.1 5555 typ host');
    const browserSdp =
      'v=0\r\na=mid:0\r\na=candidate:9 1 udp 1 10.0.0.1 1234 typ host\r\na=candidate:8 1 udp 1 127.0.0.1 99 typ host\r\na=mid:1\r\n';
    const rewritten = replaceCandidates(browserSdp, 7777);
    expect(rewritten.match(/a=candidate:/g)).toHaveLength(2);
    expect(rewritten).not.toContain('10.0.0.1');
    expect(rewritten).toContain('a=mid:1\r\na=candidate:1 1 udp 2130706431 127.0.0.1 7777 typ host');
    expect(() => firstCandidatePort('v=0\r\n')).toThrow(/no UDP host candidate/);
  });

  it('seededRandom is deterministic and spread over [0, 1)', () => {
    const a = seededRandom(3);
    const b = seededRandom(3);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});
