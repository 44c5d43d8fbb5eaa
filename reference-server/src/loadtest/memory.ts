/**
 * Where the SFU workers' memory goes: the JavaScript heap, buffers and other external memory, and the
 * native rest (the Node runtime, OpenSSL, malloc's arenas), idle and under load, and per forwarded stream.
 */
import type { WorkerSample } from '../sfu/workers/pool-engine.js';

/** Worker memory summed over the workers, in bytes. */
export interface MemoryBreakdown {
  rss: number;
  /** V8's reserved JavaScript heap (all spaces). */
  heapTotal: number;
  /** Live and not yet collected objects in the heap. */
  heapUsed: number;
  /** The young generation's reserved size (part of `heapTotal`): mostly garbage between scavenges. */
  youngGeneration: number;
  /** C++ memory bound to JavaScript objects, `arrayBuffers` included. */
  external: number;
  /** `Buffer` and `ArrayBuffer` backing stores (part of `external`). */
  arrayBuffers: number;
  /**
   * `rss − heapTotal − external` (at least 0): memory neither the heap nor external memory accounts for.
   * An estimate: heap pages reserved but never touched are not resident, which lowers this figure.
   */
  native: number;
}

/** The growth from idle to loaded, per forwarded stream, in bytes (negative when a part shrank). */
export interface MemoryPerStream {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  native: number;
}

/** Sums the workers' memory samples. */
export function memoryOf(samples: readonly WorkerSample[]): MemoryBreakdown {
  const total = (pick: (sample: WorkerSample) => number): number =>
    samples.reduce((sum, sample) => sum + pick(sample), 0);
  const rss = total((s) => s.rss);
  const heapTotal = total((s) => s.memory.heapTotal);
  const external = total((s) => s.memory.external);
  return {
    rss,
    heapTotal,
    heapUsed: total((s) => s.memory.heapUsed),
    youngGeneration: total((s) => s.memory.youngGeneration),
    external,
    arrayBuffers: total((s) => s.memory.arrayBuffers),
    native: Math.max(0, rss - heapTotal - external),
  };
}

/** `(loaded − idle) / streams` for each part (0 for every part when there are no streams). */
export function memoryPerStream(
  idle: MemoryBreakdown,
  loaded: MemoryBreakdown,
  streams: number,
): MemoryPerStream {
  const per = (key: keyof MemoryPerStream): number =>
    streams > 0 ? Math.round((loaded[key] - idle[key]) / streams) : 0;
  return {
    rss: per('rss'),
    heapTotal: per('heapTotal'),
    heapUsed: per('heapUsed'),
    external: per('external'),
    native: per('native'),
  };
}
