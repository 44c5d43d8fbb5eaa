/**
 * CPU time of processes from Linux procfs, for benchmarks that must measure child processes (ffmpeg)
 * apart from the Node process that started them: `process.cpuUsage()` covers only the Node process, and
 * Node exposes no resource usage per child.
 *
 * `/proc/<pid>/stat` gives a process's own CPU time (all its threads) and the CPU time of its children
 * that have exited and been reaped (`cutime`/`cstime`). The CPU time of a process tree at one instant
 * is therefore the sum, over the processes alive in it, of both: a child that exits moves its time
 * into its parent's reaped-children counters, so the sum never goes backwards.
 */
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

/** The fields of `/proc/<pid>/stat` the benchmarks use; times are in clock ticks. */
export interface ProcStat {
  pid: number;
  /** The executable's name as the kernel keeps it (at most 15 characters). */
  comm: string;
  /** `R` running, `S` sleeping, `Z` zombie (exited, not yet reaped), … */
  state: string;
  ppid: number;
  /** User and system time of the process itself (every thread). */
  utimeTicks: number;
  stimeTicks: number;
  /** User and system time of its exited children that it has waited for. */
  cutimeTicks: number;
  cstimeTicks: number;
  /** When it started, in ticks since boot (tells a reused PID apart). */
  startTimeTicks: number;
}

/**
 * Parses the text of `/proc/<pid>/stat`. The command name is in parentheses and may itself contain
 * spaces and parentheses, so the fields after it are counted from the last `)`.
 */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`Not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  const pid = Number(text.slice(0, open).trim());
  // After ") ": field 3 (state) is index 0 of `rest`, so field n is rest[n - 3].
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const field = (n: number): number => {
    const value = Number(rest[n - 3]);
    if (!Number.isFinite(value)) throw new Error(`/proc/${pid}/stat: field ${n} is not a number`);
    return value;
  };
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: field(4),
    utimeTicks: field(14),
    stimeTicks: field(15),
    cutimeTicks: field(16),
    cstimeTicks: field(17),
    startTimeTicks: field(22),
  };
}

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second (`getconf CLK_TCK`, 100 on almost every Linux). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      ticksPerSecond = Number.isInteger(value) && value > 0 ? value : 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Whether procfs is available (Linux). The benchmarks that need it say so instead of reporting zeros. */
export async function procfsAvailable(): Promise<boolean> {
  return readFile('/proc/self/stat', 'utf8').then(
    () => true,
    () => false,
  );
}

/** Reads `/proc/<pid>/stat`; null when the process no longer exists. */
export async function readProcStat(pid: number | 'self'): Promise<ProcStat | null> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch (error) {
    if (isGone(error)) return null;
    throw error;
  }
}

/** The command line of a process (its arguments), or null when it no longer exists. */
export async function readCommandLine(pid: number): Promise<string[] | null> {
  try {
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    // Each argument ends with a NUL, so the split leaves an empty string after the last one.
    if (args.at(-1) === '') args.pop();
    return args;
  } catch (error) {
    if (isGone(error)) return null;
    throw error;
  }
}

/** Every process visible in `/proc` now (processes that exit while it is read are left out). */
export async function listProcesses(): Promise<ProcStat[]> {
  const entries = await readdir('/proc');
  const stats = await Promise.all(
    entries.filter((name) => /^\d+$/.test(name)).map((name) => readProcStat(Number(name))),
  );
  return stats.filter((stat): stat is ProcStat => stat !== null);
}

/** The processes descending from `rootPid` (children, grandchildren, …) in `processes`, root excluded. */
export function descendantsOf(rootPid: number, processes: readonly ProcStat[]): ProcStat[] {
  const byParent = new Map<number, ProcStat[]>();
  for (const stat of processes) {
    const siblings = byParent.get(stat.ppid) ?? [];
    siblings.push(stat);
    byParent.set(stat.ppid, siblings);
  }
  const found: ProcStat[] = [];
  const queue = [rootPid];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of byParent.get(pid) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** A process's own CPU time plus that of its reaped children, in seconds. */
export function cpuSecondsOf(stat: ProcStat, includeReapedChildren = true): number {
  const own = stat.utimeTicks + stat.stimeTicks;
  const reaped = includeReapedChildren ? stat.cutimeTicks + stat.cstimeTicks : 0;
  return (own + reaped) / clockTicksPerSecond();
}

/**
 * The CPU time (user + system, seconds) a process tree has used so far: the root and every live
 * descendant, each with its reaped children (see the file comment). Null when the root has exited.
 */
export async function processTreeCpuSeconds(rootPid: number): Promise<number | null> {
  const processes = await listProcesses();
  const root = processes.find((stat) => stat.pid === rootPid);
  if (!root) return null;
  let total = cpuSecondsOf(root);
  for (const stat of descendantsOf(rootPid, processes)) total += cpuSecondsOf(stat);
  return total;
}

function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // ESRCH: the process exited between opening the directory and reading the file.
  return code === 'ENOENT' || code === 'ESRCH';
}
