import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultGenerators, resolveLoadTestOptions, STREAMS_PER_GENERATOR } from './options.js';

describe('load test options', () => {
  it('gives each generator at most STREAMS_PER_GENERATOR streams, bounded by cores and publishers', () => {
    const cores = availableParallelism();
    expect(defaultGenerators(1, 1)).toBe(1);
    expect(defaultGenerators(STREAMS_PER_GENERATOR, 1)).toBe(1);
    expect(defaultGenerators(STREAMS_PER_GENERATOR + 1, 1)).toBe(Math.min(2, cores));
    expect(defaultGenerators(1000, 1)).toBe(cores);
    // 1→16 × 2: 32 streams, but only two sessions to place.
    expect(defaultGenerators(2, 16)).toBe(Math.min(2, cores));
  });

  it('applies the defaults and keeps an explicit generator count', () => {
    expect(resolveLoadTestOptions({ publishers: 4 })).toMatchObject({
      publishers: 4,
      subscribersPerPublisher: 1,
      generators: 1,
      workers: 1,
      media: 'audio+video',
    });
    expect(resolveLoadTestOptions({ publishers: 4, generators: 3 }).generators).toBe(3);
  });

  it('names the bad field', () => {
    expect(() => resolveLoadTestOptions({ generators: 0 })).toThrow(/generators must be an integer from 1/);
    expect(() => resolveLoadTestOptions({ generators: 1.5, publishers: 4 })).toThrow(/generators/);
    expect(() => resolveLoadTestOptions({ cpuProfileDir: '' })).toThrow(/cpuProfileDir/);
    expect(() => resolveLoadTestOptions({ workerExecArgv: ['trace-gc'] })).toThrow(/workerExecArgv/);
    expect(resolveLoadTestOptions({ workerExecArgv: ['--trace-gc'] }).workerExecArgv).toEqual(['--trace-gc']);
    expect(resolveLoadTestOptions({}).workerExecArgv).toEqual([]);
  });
});
