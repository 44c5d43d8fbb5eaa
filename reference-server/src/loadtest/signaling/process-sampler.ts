/**
 * Measures another process from the outside, as `top` does: CPU time from `/proc/<pid>/stat` and resident
 * memory from `/proc/<pid>/status`. The benchmarks use it so that the measured server runs unmodified
 * (no measuring endpoint, no extra code on its event loop). Linux only.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** One reading of a process. */
export interface ProcessSample {
  /** `performance.now()` of this (the measuring) process when the reading was taken. */
  at: number;
  /** User + system CPU time of every thread of the process so far, in microseconds. */
  cpuMicros: number;
  /** Resident set size, in bytes. */
  rssBytes: number;
}

/**
 * User + system CPU time in clock ticks from the text of `/proc/<pid>/stat`. The second field (the
 * command name) is in parentheses and may itself contain spaces or parentheses, so fields are counted
 * from the last `)`.
 */
export function parseProcStatTicks(stat: string): number {
  const end = stat.lastIndexOf(')');
  if (end < 0) throw new Error('not a /proc/<pid>/stat line: no command name');
  // After ") " come field 3 (state) onwards; utime and stime are fields 14 and 15.
  const fields = stat
    .slice(end + 2)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime)) {
    throw new Error('not a /proc/<pid>/stat line: utime/stime are not integers');
  }
  return utime + stime;
}

/** Resident set size in bytes from the text of `/proc/<pid>/status` (its `VmRSS:` line, in kB). */
export function parseVmRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error('no VmRSS line in /proc/<pid>/status (has the process exited?)');
  return Number(match[1]) * 1024;
}

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second (`getconf CLK_TCK`; 100 on every common Linux). */
function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Reads the CPU time and RSS of process `pid`. Rejects when it does not exist (or not on Linux). */
export async function sampleProcess(pid: number): Promise<ProcessSample> {
  const [stat, status] = await Promise.all([
    readFile(`/proc/${pid}/stat`, 'utf8'),
    readFile(`/proc/${pid}/status`, 'utf8'),
  ]);
  return {
    at: performance.now(),
    cpuMicros: Math.round((parseProcStatTicks(stat) * 1e6) / clockTicksPerSecond()),
    rssBytes: parseVmRssBytes(status),
  };
}

/** CPU seconds used between two samples and how many cores that kept busy. */
export function cpuBetween(
  before: ProcessSample,
  after: ProcessSample,
): { cpuSeconds: number; wallSeconds: number; cores: number } {
  const cpuSeconds = (after.cpuMicros - before.cpuMicros) / 1e6;
  const wallSeconds = (after.at - before.at) / 1000;
  return { cpuSeconds, wallSeconds, cores: wallSeconds > 0 ? cpuSeconds / wallSeconds : 0 };
}
