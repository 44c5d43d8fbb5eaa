import { describe, expect, it } from 'vitest';
import { cpuBetween, parseProcStatTicks, parseVmRssBytes, sampleProcess } from './process-sampler.js';

// A real line (Linux 6.x), with a command name containing a space and a parenthesis.
const STAT =
  '4242 (node (main) x) S 1 4242 4242 0 -1 4194560 12345 0 0 0 1500 250 0 0 20 0 11 0 987654 1234567890 45678 18446744073709551615 1 1 0 0 0 0 0 16781312 17922 0 0 0 17 1 0 0 0 0 0';

describe('process sampler', () => {
  it('reads utime + stime from /proc/<pid>/stat, whatever the command name holds', () => {
    expect(parseProcStatTicks(STAT)).toBe(1750);
    expect(() => parseProcStatTicks('garbage')).toThrow(/no command name/);
    expect(() => parseProcStatTicks('1 (x) S 1 2')).toThrow(/utime/);
  });

  it('reads VmRSS in bytes from /proc/<pid>/status', () => {
    expect(parseVmRssBytes('Name:\tnode\nVmHWM:\t  90000 kB\nVmRSS:\t   81234 kB\nThreads:\t11\n')).toBe(
      81234 * 1024,
    );
    expect(() => parseVmRssBytes('Name:\tzombie\n')).toThrow(/VmRSS/);
  });

  it('samples a live process and computes cores used between samples', async () => {
    const before = await sampleProcess(process.pid);
    expect(before.rssBytes).toBeGreaterThan(1024 * 1024);
    const after = { at: before.at + 2000, cpuMicros: before.cpuMicros + 500_000, rssBytes: 0 };
    const { cpuSeconds, wallSeconds, cores } = cpuBetween(before, after);
    expect(cpuSeconds).toBeCloseTo(0.5, 9);
    expect(wallSeconds).toBeCloseTo(2, 9);
    expect(cores).toBeCloseTo(0.25, 9);
  });
});
