/**
 * Who a process is, from `/proc` (Linux): its start time and executable. A PID alone is not an identity
 * — the kernel recycles PIDs — but a PID with its start time (field 22 of `/proc/<pid>/stat`, in clock
 * ticks since boot) names one process for the life of the machine, so a recorded PID is only ever
 * signalled when both still match.
 */
import { readFileSync } from 'node:fs';

/** What `/proc` says about one process. */
export interface ProcessIdentity {
  pid: number;
  /** Field 22 of `/proc/<pid>/stat`: when the process started, in clock ticks since boot. */
  startTime: number;
  /** Field 3: `R`, `S`, `D`, `Z` (zombie: exited, not yet reaped by its parent), … */
  state: string;
  /** `argv[0]` from `/proc/<pid>/cmdline`; empty for a zombie or a kernel thread. */
  executable: string;
}

/**
 * The identity of `pid`, or null when it does not exist (or `/proc` does not: not Linux). Synchronous
 * on purpose: `/proc` files are generated in memory, and the callers need the answer right after a
 * synchronous `spawn()`, before the child can exit.
 */
export function readProcessIdentity(pid: number): ProcessIdentity | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  let stat: string;
  let cmdline: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return null;
  }
  // Field 2 is the command name in parentheses and may itself contain spaces and parentheses: the
  // fields after it start after the *last* `)`.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0] ?? '';
  const startTime = Number(fields[22 - 3]);
  if (state === '' || !Number.isSafeInteger(startTime)) return null;
  return { pid, startTime, state, executable: cmdline.split('\0')[0] ?? '' };
}

/** Whether `pid` is a running process (not a zombie) that started at `startTime`. */
export function isSameLiveProcess(pid: number, startTime: number): boolean {
  const identity = readProcessIdentity(pid);
  return identity !== null && identity.state !== 'Z' && identity.startTime === startTime;
}
