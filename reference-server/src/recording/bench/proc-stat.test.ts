import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clockTicksPerSecond,
  cpuSecondsOf,
  descendantsOf,
  listProcesses,
  type ProcStat,
  parseProcStat,
  processTreeCpuSeconds,
  readCommandLine,
  readProcStat,
} from './proc-stat.js';

/** A Node one-liner that burns `seconds` of CPU, then exits or idles until killed. */
const spinScript = (seconds: number, then: 'exit' | 'idle'): string =>
  `const s=process.cpuUsage();while(true){const u=process.cpuUsage(s);if(u.user+u.system>=${seconds * 1e6})break}` +
  (then === 'idle' ? 'setInterval(()=>{},1e6)' : '');

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL');
});

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = performance.now() + 50_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const stat = (pid: number, ppid: number): ProcStat => ({
  pid,
  comm: 'x',
  state: 'S',
  ppid,
  utimeTicks: 0,
  stimeTicks: 0,
  cutimeTicks: 0,
  cstimeTicks: 0,
  startTimeTicks: 0,
});

describe('parseProcStat', () => {
  it('reads the fields after a command name holding spaces and parentheses', () => {
    const line =
      '4242 (ffmpeg (x) y) S 17 4242 17 0 -1 4194304 99 0 0 0 250 31 7 3 20 0 5 0 987654 3133440 382 18446744073709551615';
    expect(parseProcStat(line)).toEqual({
      pid: 4242,
      comm: 'ffmpeg (x) y',
      state: 'S',
      ppid: 17,
      utimeTicks: 250,
      stimeTicks: 31,
      cutimeTicks: 7,
      cstimeTicks: 3,
      startTimeTicks: 987654,
    });
  });

  it('rejects text that is not a stat line', () => {
    expect(() => parseProcStat('hello')).toThrow(/Not a \/proc/);
    expect(() => parseProcStat('1 (a) S x')).toThrow(/field 4/);
  });
});

describe('descendantsOf', () => {
  it('finds children and grandchildren but not the root, its siblings or its parent', () => {
    const processes = [stat(1, 0), stat(10, 1), stat(11, 10), stat(12, 10), stat(13, 11), stat(20, 1)];
    expect(
      descendantsOf(10, processes)
        .map((p) => p.pid)
        .sort(),
    ).toEqual([11, 12, 13]);
    expect(descendantsOf(13, processes)).toEqual([]);
  });
});

describe('reading live processes', () => {
  it('reads this process, and null for a process that does not exist', async () => {
    const self = await readProcStat(process.pid);
    expect(self?.pid).toBe(process.pid);
    expect(self?.ppid).toBe(process.ppid);
    expect(await readProcStat(2 ** 22 + 1)).toBeNull();
    expect(await readCommandLine(2 ** 22 + 1)).toBeNull();
    expect((await listProcesses()).some((p) => p.pid === process.pid)).toBe(true);
    expect(clockTicksPerSecond()).toBeGreaterThan(0);
  });

  it('counts the CPU of a live child in its parent tree', async () => {
    const child = spawn(process.execPath, ['-e', spinScript(0.2, 'idle')], { stdio: 'ignore' });
    started.push(child);
    const pid = child.pid ?? 0;
    const own = await until(
      () => readProcStat(pid),
      (s) => s !== null && cpuSecondsOf(s) >= 0.2,
      'the child to burn 0.2 s',
    );
    expect(own && cpuSecondsOf(own)).toBeLessThan(3);
    // The tree of this process holds its own time and the child's.
    const self = await readProcStat(process.pid);
    const tree = await processTreeCpuSeconds(process.pid);
    if (!self || !own || tree === null) throw new Error('a process vanished');
    expect(tree).toBeGreaterThanOrEqual(cpuSecondsOf(self) + cpuSecondsOf(own));
    expect(await readCommandLine(pid)).toEqual([process.execPath, '-e', spinScript(0.2, 'idle')]);
  }, 60_000);

  it('keeps the CPU of a grandchild that exited, through its parent’s reaped counters', async () => {
    // sh runs node in the foreground (so it waits for and reaps it), then sleeps.
    const script = `"${process.execPath}" -e '${spinScript(0.2, 'exit')}'; sleep 30`;
    const shell = spawn('sh', ['-c', script], { stdio: 'ignore' });
    started.push(shell);
    const pid = shell.pid ?? 0;
    await until(
      () => readProcStat(pid),
      (s) => s !== null && s.cutimeTicks + s.cstimeTicks > 0,
      'sh to reap its child',
    );
    const tree = await processTreeCpuSeconds(pid);
    expect(tree).toBeGreaterThanOrEqual(0.2);
    expect(tree).toBeLessThan(3);
    expect(await processTreeCpuSeconds(2 ** 22 + 1)).toBeNull();
  }, 60_000);
});
