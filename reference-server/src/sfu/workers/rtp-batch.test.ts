import { describe, expect, it } from 'vitest';
import type { RtpBatchMessage } from './protocol.js';
import { forEachBatchedPacket, MAX_BATCH_BYTES, RtpBatcher } from './rtp-batch.js';

const packet = (fill: number, length: number): Buffer => Buffer.alloc(length, fill);

describe('RTP batches', () => {
  it('sends one message per event-loop turn and splits it back into the same packets', async () => {
    const sent: RtpBatchMessage[] = [];
    const batcher = new RtpBatcher((message) => sent.push(message));
    batcher.push('p1', packet(1, 100));
    batcher.push('p2', packet(2, 40));
    batcher.push('p1', packet(3, 1200));
    expect(sent).toHaveLength(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toHaveLength(1);
    const [message] = sent as [RtpBatchMessage];
    // Over IPC the buffer arrives as a plain Uint8Array.
    const received: RtpBatchMessage = { ...message, data: new Uint8Array(message.data) };
    const out: [string, number, number][] = [];
    forEachBatchedPacket(received, (id, p) => out.push([id, p.length, p[0] ?? -1]));
    expect(out).toEqual([
      ['p1', 100, 1],
      ['p2', 40, 2],
      ['p1', 1200, 3],
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toHaveLength(1); // nothing queued, nothing sent
  });

  it('sends early when a batch grows past its size cap', () => {
    const sent: RtpBatchMessage[] = [];
    const batcher = new RtpBatcher((message) => sent.push(message));
    const count = Math.ceil(MAX_BATCH_BYTES / 1000);
    for (let i = 0; i < count; i++) batcher.push('p', packet(i & 0xff, 1000));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.lengths).toHaveLength(count);
  });

  it('refuses a batch whose lengths do not match its data', () => {
    const bad: RtpBatchMessage = { type: 'rtp', producerIds: ['p'], lengths: [10], data: new Uint8Array(5) };
    expect(() => forEachBatchedPacket(bad, () => undefined)).toThrow(/exceed/);
    const short: RtpBatchMessage = { type: 'rtp', producerIds: ['p'], lengths: [2], data: new Uint8Array(5) };
    expect(() => forEachBatchedPacket(short, () => undefined)).toThrow(/left over/);
  });
});
