import { describe, expect, it } from 'vitest';
import type { WorkerSample } from '../sfu/workers/pool-engine.js';
import { memoryOf, memoryPerStream } from './memory.js';

const MIB = 1024 * 1024;

function sample(rssMib: number, heapMib: number, externalMib: number): WorkerSample {
  return {
    slot: 0,
    pid: 1,
    cpuUserMicros: 0,
    cpuSystemMicros: 0,
    sampledAt: 0,
    routers: 0,
    transports: 0,
    consumers: 0,
    rss: rssMib * MIB,
    memory: {
      heapTotal: heapMib * MIB,
      heapUsed: (heapMib / 2) * MIB,
      youngGeneration: 16 * MIB,
      external: externalMib * MIB,
      arrayBuffers: (externalMib / 2) * MIB,
    },
  };
}

describe('worker memory breakdown', () => {
  it('sums the workers and leaves the native rest', () => {
    expect(memoryOf([sample(100, 30, 6), sample(120, 40, 10)])).toEqual({
      rss: 220 * MIB,
      heapTotal: 70 * MIB,
      heapUsed: 35 * MIB,
      youngGeneration: 32 * MIB,
      external: 16 * MIB,
      arrayBuffers: 8 * MIB,
      native: 134 * MIB,
    });
  });

  it('never reports a negative native rest (untouched heap pages are not resident)', () => {
    expect(memoryOf([sample(30, 40, 6)]).native).toBe(0);
  });

  it('divides the growth from idle to loaded by the streams, part by part', () => {
    const idle = memoryOf([sample(100, 30, 6)]);
    const loaded = memoryOf([sample(164, 62, 22)]);
    expect(memoryPerStream(idle, loaded, 32)).toEqual({
      rss: 2 * MIB,
      heapTotal: 1 * MIB,
      heapUsed: 0.5 * MIB,
      external: 0.5 * MIB,
      native: 0.5 * MIB,
    });
    // A part that shrank stays negative rather than being hidden.
    expect(memoryPerStream(loaded, idle, 32).rss).toBe(-2 * MIB);
    expect(memoryPerStream(idle, loaded, 0)).toEqual({
      rss: 0,
      heapTotal: 0,
      heapUsed: 0,
      external: 0,
      native: 0,
    });
  });
});
