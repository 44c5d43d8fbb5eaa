import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ChildCpu,
  type CpuSnapshot,
  classifyBenchChild,
  cpuWindow,
  takeCpuSnapshot,
} from './cpu-ledger.js';

const snapshot = (at: number, node: number, reaped: number, children: ChildCpu[]): CpuSnapshot => ({
  at,
  nodeSeconds: node,
  reapedChildrenSeconds: reaped,
  children,
});
const child = (pid: number, kind: string, cpuSeconds: number): ChildCpu => ({
  pid,
  startTimeTicks: 1000 + pid,
  kind,
  cpuSeconds,
});

describe('cpuWindow', () => {
  it('measures children alive at both ends and new ones, by kind', () => {
    const before = snapshot(1000, 2, 0, [child(1, 'composer', 5), child(2, 'source', 1)]);
    const after = snapshot(3000, 2.5, 0, [
      child(1, 'composer', 7),
      child(2, 'source', 1.5),
      child(3, 'composer', 0.25),
    ]);
    expect(cpuWindow(before, after)).toEqual({
      wallSeconds: 2,
      nodeSeconds: 0.5,
      byKind: { composer: 2.25, source: 0.5 },
      unattributedSeconds: 0,
    });
  });

  it('gives a reaped child its time in the window when only one kind exited', () => {
    const before = snapshot(0, 0, 10, [child(1, 'composer', 5), child(2, 'source', 1)]);
    // Child 1 exited at 6.5 s of CPU: the reaped counters grew by all 6.5 s, 1.5 s of it in the window.
    const after = snapshot(1000, 0, 16.5, [child(2, 'source', 1.2)]);
    const window = cpuWindow(before, after);
    expect(window.byKind.composer).toBeCloseTo(1.5);
    expect(window.byKind.source).toBeCloseTo(0.2);
    expect(window.unattributedSeconds).toBe(0);
  });

  it('tells a reused PID apart by its start time', () => {
    const before = snapshot(0, 0, 0, [child(1, 'composer', 5)]);
    const reused: ChildCpu = { pid: 1, startTimeTicks: 9999, kind: 'composer', cpuSeconds: 0.5 };
    // The old process 1 exited with 5.5 s; a new process got PID 1 and used 0.5 s.
    const window = cpuWindow(before, snapshot(1000, 0, 5.5, [reused]));
    expect(window.byKind.composer).toBeCloseTo(1);
  });

  it('does not guess when children of several kinds exited, or when unseen children were reaped', () => {
    const before = snapshot(0, 0, 0, [child(1, 'composer', 1), child(2, 'source', 1)]);
    const mixed = cpuWindow(before, snapshot(1000, 0, 3, []));
    expect(mixed.byKind).toEqual({ composer: 0, source: 0 });
    expect(mixed.unattributedSeconds).toBeCloseTo(1);
    const unseen = cpuWindow(snapshot(0, 0, 0, []), snapshot(1000, 0, 0.75, []));
    expect(unseen.unattributedSeconds).toBeCloseTo(0.75);
  });
});

describe('takeCpuSnapshot', () => {
  const started: ChildProcess[] = [];
  afterEach(() => {
    for (const process of started.splice(0)) process.kill('SIGKILL');
  });

  it('classifies the children of this process and measures one that exits in the window', async () => {
    const burn = `const s=process.cpuUsage();while(true){const u=process.cpuUsage(s);if(u.user+u.system>=2e5)break}`;
    const classify = (commandLine: readonly string[]): string | null =>
      commandLine.includes('ledger-test-marker') ? 'spinner' : null;
    const spinner = spawn(process.execPath, ['-e', `setTimeout(()=>{${burn}},300)`, 'ledger-test-marker'], {
      stdio: 'ignore',
    });
    started.push(spinner);
    const exited = new Promise((resolve) => spinner.once('exit', resolve));
    let before = await takeCpuSnapshot(classify);
    for (let i = 0; i < 200 && !before.children.some((c) => c.pid === spinner.pid); i++) {
      await sleep(10);
      before = await takeCpuSnapshot(classify);
    }
    expect(before.children.map((c) => [c.pid, c.kind])).toEqual([[spinner.pid, 'spinner']]);
    await exited;
    // Node reaps the child before 'exit' is emitted, so its time is in the reaped counters now.
    const after = await takeCpuSnapshot(classify);
    expect(after.children).toEqual([]);
    const window = cpuWindow(before, after);
    expect(window.byKind.spinner).toBeGreaterThanOrEqual(0.15);
    expect(window.byKind.spinner).toBeLessThan(3);
    expect(window.wallSeconds).toBeGreaterThan(0);
  }, 30_000);
});

describe('classifyBenchChild', () => {
  it('tells composers, test media and SFU workers apart', () => {
    expect(classifyBenchChild(['/usr/bin/ffmpeg', '-i', 'a.sdp', '-filter_complex', '[0:0]null'])).toBe(
      'composer',
    );
    expect(classifyBenchChild(['ffmpeg', '-re', '-f', 'lavfi', '-i', 'testsrc'])).toBe('test-media');
    expect(classifyBenchChild(['ffmpeg', '-re', '-stream_loop', '-1', '-i', 'clip.mkv'])).toBe('test-media');
    expect(
      classifyBenchChild(['/usr/bin/node', '--import', 'tsx', '/x/src/sfu/workers/worker-main.ts', '{}']),
    ).toBe('sfu-worker');
    expect(classifyBenchChild(['ffprobe', '-i', 'x.mp4'])).toBe('other');
    expect(classifyBenchChild(['sh', '-c', 'ffmpeg -filter_complex x'])).toBe('other');
  });
});
