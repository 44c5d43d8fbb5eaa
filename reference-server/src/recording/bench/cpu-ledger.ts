/**
 * Splits the CPU time of a benchmark between the Node process and its child processes by kind
 * (composer ffmpeg, test-media ffmpeg, SFU workers, …), from two snapshots taken around a window.
 *
 * Children alive at both snapshots are measured exactly. A child that exits inside the window is
 * reaped by Node, which moves its whole CPU time into Node's reaped-children counters
 * (`/proc/self/stat` `cutime`/`cstime`); what it used before the window is known from the first
 * snapshot, so its share of the window is exact too. When children of *different* kinds exited in
 * the window, or a child that no snapshot saw started and exited in between, that time cannot be told
 * apart: it is reported as `unattributedSeconds` instead of being guessed. (When exactly one kind
 * exited, all reaped time goes to it, so a caller must not run short-lived children of its own — a
 * probe, a join — inside a window it measures.)
 */
import {
  clockTicksPerSecond,
  cpuSecondsOf,
  listProcesses,
  type ProcStat,
  readCommandLine,
  readProcStat,
} from './proc-stat.js';

/** Names a child process's kind from its command line; null leaves it out of the ledger. */
export type ChildClassifier = (commandLine: readonly string[]) => string | null;

/** One child process at a snapshot. */
export interface ChildCpu {
  pid: number;
  /** Start time in clock ticks since boot: with the PID, identifies the process. */
  startTimeTicks: number;
  kind: string;
  /** CPU seconds since it started (with its own reaped children). */
  cpuSeconds: number;
}

/** The CPU counters of this process and its children at one instant. */
export interface CpuSnapshot {
  /** `performance.now()` when taken. */
  at: number;
  /** This Node process's own CPU seconds (`process.cpuUsage()`, every thread). */
  nodeSeconds: number;
  /** CPU seconds of this process's children that exited and were reaped. */
  reapedChildrenSeconds: number;
  children: ChildCpu[];
}

/** CPU used between two snapshots. */
export interface CpuWindow {
  wallSeconds: number;
  nodeSeconds: number;
  /** CPU seconds by child kind. */
  byKind: Record<string, number>;
  /** Reaped-children time that could not be given a kind (see the file comment). */
  unattributedSeconds: number;
}

/** Takes a snapshot of this process and of its children that `classify` names. */
export async function takeCpuSnapshot(classify: ChildClassifier): Promise<CpuSnapshot> {
  const at = performance.now();
  const usage = process.cpuUsage();
  const [self, processes] = await Promise.all([readProcStat('self'), listProcesses()]);
  if (!self) throw new Error('/proc/self/stat is not readable: CPU snapshots need Linux procfs');
  const children: ChildCpu[] = [];
  await Promise.all(
    processes
      .filter((stat) => stat.ppid === process.pid)
      .map(async (stat: ProcStat) => {
        const commandLine = await readCommandLine(stat.pid);
        const kind = commandLine ? classify(commandLine) : null;
        if (kind === null) return;
        children.push({
          pid: stat.pid,
          startTimeTicks: stat.startTimeTicks,
          kind,
          cpuSeconds: cpuSecondsOf(stat),
        });
      }),
  );
  return {
    at,
    nodeSeconds: (usage.user + usage.system) / 1e6,
    reapedChildrenSeconds: (self.cutimeTicks + self.cstimeTicks) / clockTicksPerSecond(),
    children,
  };
}

/** The CPU used between `before` and `after`, split as the file comment explains. */
export function cpuWindow(before: CpuSnapshot, after: CpuSnapshot): CpuWindow {
  const byKind: Record<string, number> = {};
  const add = (kind: string, seconds: number): void => {
    byKind[kind] = (byKind[kind] ?? 0) + Math.max(0, seconds);
  };
  const key = (child: ChildCpu): string => `${child.pid}/${child.startTimeTicks}`;
  const earlier = new Map(before.children.map((child) => [key(child), child]));
  const later = new Set(after.children.map(key));
  for (const child of after.children)
    add(child.kind, child.cpuSeconds - (earlier.get(key(child))?.cpuSeconds ?? 0));
  for (const child of before.children) byKind[child.kind] ??= 0;
  // Children gone by the second snapshot: their whole time is now in the reaped counters.
  const gone = before.children.filter((child) => !later.has(key(child)));
  const reaped = Math.max(0, after.reapedChildrenSeconds - before.reapedChildrenSeconds);
  const goneBefore = gone.reduce((total, child) => total + child.cpuSeconds, 0);
  const goneInWindow = Math.max(0, reaped - goneBefore);
  const goneKinds = new Set(gone.map((child) => child.kind));
  let unattributed = 0;
  const [onlyKind] = goneKinds;
  if (goneKinds.size === 1 && onlyKind !== undefined) add(onlyKind, goneInWindow);
  else unattributed = goneInWindow;
  return {
    wallSeconds: (after.at - before.at) / 1000,
    nodeSeconds: after.nodeSeconds - before.nodeSeconds,
    byKind,
    unattributedSeconds: unattributed,
  };
}

/**
 * The child kinds of the recording benchmark: `composer` (an ffmpeg with a filter graph: the archive
 * compositor), `test-media` (an ffmpeg encoding a lavfi test pattern, or looping a clip with
 * `-stream_loop`: the stand-in publishers),
 * `sfu-worker` (an SFU worker process of the load tool) and `other`.
 */
export function classifyBenchChild(commandLine: readonly string[]): string {
  const isFfmpeg = /(^|\/)ffmpeg$/.test(commandLine[0] ?? '');
  if (isFfmpeg && commandLine.includes('-filter_complex')) return 'composer';
  if (isFfmpeg && (commandLine.includes('lavfi') || commandLine.includes('-stream_loop')))
    return 'test-media';
  if (commandLine.some((arg) => /worker-main\.[cm]?[jt]s$/.test(arg))) return 'sfu-worker';
  return 'other';
}
